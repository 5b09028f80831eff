// Builds dist/: the action (index.js) and CLI (cli.js) bundled by esbuild, plus what cannot be
// bundled: onnxruntime-node's native binding for linux-x64 (it needs libonnxruntime.so.1 beside
// it and is loaded by a dynamic require), onnxruntime-web's Node build with its one WebAssembly
// binary (the fallback on every other OS and CPU; it loads the .wasm from beside its script) and
// the policy presets/schema read at run time. dist/ must stay under 80 MB (it is committed).
// The output is deterministic so CI can check that the committed dist/ equals a fresh build.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const modules = path.join(root, 'node_modules');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { index: 'src/action-main.ts', cli: 'src/cli-main.ts' },
  absWorkingDir: root,
  outdir: dist,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['onnxruntime-node', 'onnxruntime-web'],
  legalComments: 'eof',
  logLevel: 'warning',
});
// The repository's package.json says "type": "module"; dist holds CommonJS.
writeFileSync(path.join(dist, 'package.json'), '{ "type": "commonjs" }\n');

const copy = (from, to, keep = () => true) =>
  cpSync(path.join(modules, from), path.join(dist, 'node_modules', to), {
    recursive: true,
    filter: (src) => !src.endsWith('.map') && !src.endsWith('.d.ts') && keep(src),
  });
copy('onnxruntime-node/package.json', 'onnxruntime-node/package.json');
copy('onnxruntime-node/dist', 'onnxruntime-node/dist');
copy('onnxruntime-node/bin/napi-v6/linux/x64', 'onnxruntime-node/bin/napi-v6/linux/x64');
// onnxruntime-web: only its Node entry and the threaded SIMD build that entry loads (14 MB); the
// JSEP/JSPI/asyncify variants are for browsers (WebGPU, WebNN) and would add 72 MB. esbuild keeps
// `await import('onnxruntime-web')` an ES import, so Node takes the package's ESM entry, which
// imports onnxruntime-common as ESM too.
copy('onnxruntime-web/package.json', 'onnxruntime-web/package.json');
for (const file of ['ort.node.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
  copy(`onnxruntime-web/dist/${file}`, `onnxruntime-web/dist/${file}`);
}
copy('onnxruntime-common/package.json', 'onnxruntime-common/package.json');
copy('onnxruntime-common/dist/esm', 'onnxruntime-common/dist/esm');
copy('onnxruntime-common/dist/cjs', 'onnxruntime-common/dist/cjs');

mkdirSync(path.join(dist, 'policies'));
for (const file of readdirSync(path.join(root, 'policies'))) {
  if (file.endsWith('.yaml') || file.endsWith('.json')) cpSync(path.join(root, 'policies', file), path.join(dist, 'policies', file));
}
console.log('dist/ built');
