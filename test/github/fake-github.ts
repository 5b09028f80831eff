/**
 * A small GitHub REST API on 127.0.0.1 (node:http) for the comment tests: issue comments with
 * Link-header pagination, create, update, pull requests and the token's user; failures can be
 * queued per route, including a server that accepts a request and never answers, or answers only
 * after a delay. Every request is recorded.
 *
 * Identities as GitHub has them: the job's GITHUB_TOKEN (any token not in `users`) acts as
 * github-actions[bot] and gets 403 from GET /user; a personal token in `users` acts as that login.
 * A comment can only be edited by its author (403 otherwise).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization?: string;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

interface Failure {
  method?: string;
  pathIncludes?: string;
  /** Only requests whose query string contains this, e.g. "page=2". */
  queryIncludes?: string;
  /** The answer's status; ignored with `hang` or `delayMs`. */
  status?: number;
  /** How many matching requests fail; Infinity for all. */
  times: number;
  /** Drop the connection instead of answering (a network error). */
  hangUp?: boolean;
  /** Accept the request and never answer (a hung API). */
  hang?: boolean;
  /** Do what the request asks (e.g. create the comment), but answer only after this many ms. */
  delayMs?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Status, body and extra headers of an answer. */
type Answer = [number, unknown, Record<string, string>?];

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments = new Map<number, Comment[]>();
  readonly pulls = new Map<number, { head: { sha: string } }>();
  /** Personal tokens: token → the login GET /user answers. */
  readonly users = new Map<string, string>();
  private failures: Failure[] = [];
  private nextId = 1000;
  private server?: Server;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues failures for requests that match (by method and a path fragment). */
  fail(failure: Failure): void {
    this.failures.push({ ...failure });
  }

  /** Pre-fills a pull request's conversation, e.g. with other people's comments. */
  seed(issue: number, bodies: string[], login = 'someone'): void {
    const list = this.comments.get(issue) ?? [];
    for (const body of bodies) list.push({ id: this.nextId++, body, user: { login, type: 'User' } });
    this.comments.set(issue, list);
  }

  /** Comments whose body starts with `prefix` (the gate's marker). */
  gateComments(issue: number, prefix = '<!-- model-privacy-gate:'): Comment[] {
    return (this.comments.get(issue) ?? []).filter((c) => c.body.startsWith(prefix));
  }

  reset(): void {
    this.requests.length = 0;
    this.comments.clear();
    this.pulls.clear();
    this.users.clear();
    this.failures = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      authorization: req.headers.authorization,
    });
    const failure = this.failures.find(
      (f) =>
        f.times > 0 &&
        (!f.method || f.method === method) &&
        (!f.pathIncludes || url.pathname.includes(f.pathIncludes)) &&
        (!f.queryIncludes || url.search.includes(f.queryIncludes)),
    );
    if (failure) failure.times--;
    if (failure?.hang) return;
    if (failure?.hangUp) {
      req.socket.destroy();
      return;
    }
    if (failure && failure.delayMs === undefined) {
      const status = failure.status ?? 500;
      return this.send(res, status, failure.body ?? { message: `injected ${status}` }, failure.headers);
    }
    const answer = this.route(method, url, text ? JSON.parse(text) : undefined, this.actor(req.headers.authorization));
    if (failure?.delayMs !== undefined) {
      setTimeout(() => !res.destroyed && this.send(res, ...answer), failure.delayMs).unref();
      return;
    }
    this.send(res, ...answer);
  }

  /** The login a request acts as, from its `authorization: token …` header. */
  private actor(authorization: string | undefined): { login: string; type: string } {
    const login = this.users.get((authorization ?? '').replace(/^token /, ''));
    return login ? { login, type: 'User' } : { login: 'github-actions[bot]', type: 'Bot' };
  }

  private route(method: string, url: URL, body: { body?: string } | undefined, actor: { login: string; type: string }): Answer {
    let m: RegExpMatchArray | null;
    if (url.pathname === '/user' && method === 'GET') {
      return actor.type === 'Bot'
        ? [
            403,
            {
              message: 'Resource not accessible by integration',
              documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
            },
          ]
        : [200, { login: actor.login, type: actor.type }];
    }
    if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/))) {
      const issue = Number(m[3]);
      const list = this.comments.get(issue) ?? [];
      if (method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = list.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < list.length) {
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        return [200, slice.map((c) => this.view(c, m![1]!, m![2]!, issue)), headers];
      }
      if (method === 'POST') {
        const comment: Comment = { id: this.nextId++, body: String(body?.body), user: actor };
        list.push(comment);
        this.comments.set(issue, list);
        return [201, this.view(comment, m[1]!, m[2]!, issue)];
      }
    }
    if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/)) && method === 'PATCH') {
      for (const [issue, list] of this.comments) {
        const comment = list.find((c) => c.id === Number(m![3]));
        if (comment && comment.user.login !== actor.login) return [403, { message: 'Resource not accessible by integration' }];
        if (comment) {
          comment.body = String(body?.body);
          return [200, this.view(comment, m[1]!, m[2]!, issue)];
        }
      }
      return [404, { message: 'Not Found' }];
    }
    if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/)) && method === 'GET') {
      const pr = this.pulls.get(Number(m[3]));
      return pr ? [200, { number: Number(m[3]), ...pr }] : [404, { message: 'Not Found' }];
    }
    return [404, { message: `no route for ${method} ${url.pathname}` }];
  }

  private view(c: Comment, owner: string, repo: string, issue: number) {
    return { ...c, html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${c.id}` };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}
