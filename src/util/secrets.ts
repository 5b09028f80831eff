/**
 * The one owner of secret values: which strings are secrets, and replacing them by `***` in
 * every message, stream and report. A policy can point the gate at a file holding the runner's
 * environment (or a data file that happens to contain a token); whatever path a value takes into
 * a message, it must not reach stderr, the job summary, the PR comment or the report files.
 *
 * Secrets are the github-token input's value (registered by the action) and the value of every
 * environment variable whose name contains TOKEN, SECRET, PASSWORD or KEY (case-insensitive).
 * Values of 3 characters or fewer are ignored: they cannot be a credential worth the name, and
 * masking "1", "on" or "yes" everywhere would garble every report (a number such as 0.125 would
 * lose its digits) while protecting nothing.
 */

export const MASK = '***';

/** Shorter values are not treated as secrets (see above). */
export const MIN_SECRET_LENGTH = 4;

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

const registered = new Set<string>();
/** Known secrets, longest first; recomputed by refreshSecrets (every message is redacted, so this must be cheap). */
let cached: string[] | undefined;

/** Adds a value known to be secret (e.g. the github-token input) for the rest of the process. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) {
    registered.add(value);
    cached = undefined;
  }
}

/** Reads the environment's secrets again: the CLI, the action and each gate run start with this. */
export function refreshSecrets(env: NodeJS.ProcessEnv = process.env): void {
  cached = [...new Set([...registered, ...environmentSecrets(env)])].sort((a, b) => b.length - a.length);
}

/** Values of the environment variables whose names mark them as secrets. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) out.push(value);
  }
  return out;
}

/** Every secret known, longest first (so a secret containing another is masked whole). */
export function knownSecrets(): readonly string[] {
  if (!cached) refreshSecrets();
  return cached!;
}

/** `text` with every known secret replaced by MASK. */
export function redactSecrets(text: string, secrets: readonly string[] = knownSecrets()): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * A deep copy of `value` with every string (keys included) redacted: what reporters get, so
 * JSON, Markdown, HTML, SARIF, annotations and the comment are all clean.
 */
export function redactDeep<T>(value: T, secrets: readonly string[] = knownSecrets()): T {
  if (secrets.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactSecrets(node, secrets);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[redactSecrets(k, secrets)] = walk(v);
      return out;
    }
    // A class instance that carries text offers withText (e.g. the inversion probe's Rasters).
    if (node !== null && typeof node === 'object' && typeof (node as { withText?: unknown }).withText === 'function') {
      return (node as { withText: (t: (s: string) => string) => unknown }).withText((s) => redactSecrets(s, secrets));
    }
    return node;
  };
  return walk(value) as T;
}

/** A stream that redacts every write before passing it on (the CLI's stdout and stderr). */
export function redactingStream(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    return (stream.write as (c: string, ...r: unknown[]) => boolean)(redactSecrets(text), ...rest);
  };
  return new Proxy(stream, {
    get(target, property, receiver) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
