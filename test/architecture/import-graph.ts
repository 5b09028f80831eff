/**
 * Reads the import graph of a source folder with the TypeScript parser (no type checking, so it
 * is fast and sees every file even when types are broken). Every way a module can name another
 * counts: `import`, `import type`, `export … from`, `import()` and `typeof import()` types, because
 * each of them ties one file to the other's vocabulary.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** An import of one file of the tree by another; paths are relative to the root, with `/`. */
export interface FileImport {
  from: string;
  to: string;
  line: number;
}

/** An import of an npm package (node: built-ins are left out). */
export interface PackageImport {
  from: string;
  name: string;
  line: number;
}

export interface ImportGraph {
  files: string[];
  imports: FileImport[];
  packages: PackageImport[];
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** Reads every TypeScript file under `root/folder` (declaration files and tests aside). */
export function readImportGraph(root: string, folder = 'src'): ImportGraph {
  const files = listSources(join(root, folder)).map((file) => toPosix(relative(root, file)));
  const graph: ImportGraph = { files, imports: [], packages: [] };
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const { specifier, line } of moduleSpecifiers(file, text)) {
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        const to = resolveRelative(root, file, specifier);
        if (to === undefined) throw new Error(`${file}:${line}: cannot resolve '${specifier}'`);
        graph.imports.push({ from: file, to, line });
      } else {
        graph.packages.push({ from: file, name: packageName(specifier), line });
      }
    }
  }
  return graph;
}

/** Every module name that a file's text refers to, with its 1-based line. */
export function moduleSpecifiers(fileName: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node !== undefined && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function listSources(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (SOURCE.test(name) && !name.endsWith('.d.ts') && !name.includes('.test.')) out.push(path);
  }
  return out;
}

/** The file an import names, the way the Bundler resolution of tsconfig.json finds it. */
function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|mjs|cjs)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}/index.ts`];
  return candidates.find((candidate) => existsSync(join(root, candidate)) && statSync(join(root, candidate)).isFile());
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
