import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { policySchema, presetFile, presetNames } from '../../src/policy';
import { schemaErrors } from '../../src/policy/schema';
import { readPolicySource, positionOf } from '../../src/policy/source';

type Schema = Record<string, unknown>;

/** Every object schema in the policy schema, with its JSON path. */
function objectSchemas(schema: Schema, path = '#'): [string, Schema][] {
  const out: [string, Schema][] = [];
  if (schema['type'] === 'object') out.push([path, schema]);
  for (const [key, value] of Object.entries((schema['properties'] ?? {}) as Record<string, Schema>)) {
    out.push(...objectSchemas(value, `${path}/properties/${key}`));
  }
  for (const [key, value] of Object.entries((schema['definitions'] ?? {}) as Record<string, Schema>)) {
    out.push(...objectSchemas(value, `${path}/definitions/${key}`));
  }
  if (schema['items']) out.push(...objectSchemas(schema['items'] as Schema, `${path}/items`));
  return out;
}

describe('policy.schema.json', () => {
  const objects = objectSchemas(policySchema as Schema);

  it('is the file shipped in policies/', () => {
    expect(JSON.parse(readFileSync('policies/policy.schema.json', 'utf8'))).toEqual(policySchema);
  });

  it.each(objects)('%s forbids unknown keys and documents every key', (_path, schema) => {
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['description']).toEqual(expect.any(String));
    for (const [key, property] of Object.entries(schema['properties'] as Record<string, Schema>)) {
      expect(property['description'], key).toEqual(expect.any(String));
    }
  });
});

describe('shipped presets', () => {
  it.each(presetNames())('%s is a valid partial policy with no model or data', (name) => {
    const file = presetFile(name)!;
    const { source, errors } = readPolicySource(file);
    expect(errors).toEqual([]);
    const locate = (path: (string | number)[], part: 'key' | 'value') => ({
      source: source!,
      ...positionOf(source!, path, part),
    });
    expect(schemaErrors(source!.data, locate, true)).toEqual([]);
    const data = source!.data as Record<string, unknown>;
    expect(data['model']).toBeUndefined();
    expect(data['data']).toBeUndefined();
  });

  it.each(presetNames())('%s justifies every threshold in a comment just above it', (name) => {
    const lines = readFileSync(presetFile(name)!, 'utf8').split('\n');
    const keys = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound', 'confidence'];
    for (const key of keys) {
      const index = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
      expect(index, key).toBeGreaterThan(0);
      expect(lines[index - 1]!.trimStart().startsWith('#'), key).toBe(true);
    }
  });

  it('strict is at least as strict as standard on every threshold', () => {
    const read = (name: string) => parse(readFileSync(presetFile(name)!, 'utf8')).probes.membership.thresholds;
    const standard = read('standard');
    const strict = read('strict');
    for (const key of Object.keys(standard)) {
      for (const level of ['warn', 'fail']) {
        if (standard[key][level] !== undefined) expect(strict[key][level], `${key}.${level}`).toBeLessThanOrEqual(standard[key][level]);
      }
    }
    expect(strict['tpr-at-fpr'].fpr).toBeLessThanOrEqual(standard['tpr-at-fpr'].fpr);
  });
});

describe('esbuild CJS bundle', () => {
  it('finds the presets copied next to the bundle and validates with ajv', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'policy-bundle-'));
    const entry = join(dist, 'entry.ts');
    writeFileSync(
      entry,
      `import { presetDirectory } from ${JSON.stringify(resolve('src/policy/index.ts'))};
import { loadPolicy } from ${JSON.stringify(resolve('src/run/policy.ts'))};
const policy = loadPolicy(process.argv[2]!, { roots: [${JSON.stringify(dist)}] });
console.log(JSON.stringify({ dir: presetDirectory(), auc: policy.probes.membership?.thresholds.auc }));
`,
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(dist, 'dist', 'index.js'),
      logLevel: 'silent',
    });
    mkdirSync(join(dist, 'dist', 'policies'));
    for (const f of ['standard.yaml', 'strict.yaml', 'policy.schema.json']) {
      cpSync(join('policies', f), join(dist, 'dist', 'policies', f));
    }
    const policy = join(dist, 'policy.yaml');
    for (const f of ['model.onnx', 'train.csv', 'holdout.csv']) writeFileSync(join(dist, f), '');
    writeFileSync(
      policy,
      'version: 1\nextends: standard\nmodel: { path: model.onnx }\ndata:\n  members: { path: train.csv }\n  non-members: { path: holdout.csv }\n  label: y\n',
    );
    const env = { ...process.env };
    delete env['PRIVACY_GATE_POLICIES_DIR'];
    const out = JSON.parse(execFileSync(process.execPath, [join(dist, 'dist', 'index.js'), policy], { env, encoding: 'utf8' }));
    expect(out.dir).toBe(join(dist, 'dist', 'policies'));
    expect(out.auc.source.file).toBe(join(dist, 'dist', 'policies', 'standard.yaml'));
  });
});
