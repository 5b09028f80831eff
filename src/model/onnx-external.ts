/**
 * ONNX external data: a model over 2 GB (most exported language models) keeps its weights in
 * files beside the .onnx, which names them per tensor. The audit record must bind those bytes
 * too (the .onnx digest alone would stay the same when the weights change), and the names come
 * from the model file, so they are hostile: each must stay inside the model's own folder
 * (symbolic links resolved) and exist, or the model is refused before onnxruntime reads it.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { quoteUserText } from '../util/user-text';
import { fields, text, WIRE_LEN, WIRE_VARINT, type Field } from './onnx-wire';

// onnx.proto field numbers of the messages that can hold a tensor.
const MODEL = { graph: 7, functions: 25 };
const FUNCTION = { node: 7 };
const GRAPH = { node: 1, initializer: 5, sparseInitializer: 15 };
const NODE = { attribute: 5 };
const ATTRIBUTE = { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 };
const SPARSE = { values: 1, indices: 2 };
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 };
const ENTRY = { key: 1, value: 2 };
const EXTERNAL = 1;

/** One tensor stored outside the model file, as the model names it. */
export interface ExternalTensor {
  tensor: string;
  location: string;
}

/** Every tensor of the model (subgraphs and functions included) whose data lives in another file. */
export function externalTensors(model: Uint8Array): ExternalTensor[] {
  const found: ExternalTensor[] = [];
  for (const f of lengthFields(model, 0, model.length)) {
    if (f.field === MODEL.graph) graph(model, f, found);
    else if (f.field === MODEL.functions) {
      for (const n of lengthFields(model, f.start, f.end)) if (n.field === FUNCTION.node) node(model, n, found);
    }
  }
  return found;
}

/**
 * The external data files of the model at `modelPath`, resolved and checked: each inside the
 * model's folder and present. Empty for a model that holds all its weights.
 * @throws InputError naming the model, the tensor and the location it gives.
 */
export function externalDataFiles(modelPath: string, model: Uint8Array = readFileSync(modelPath)): string[] {
  let tensors: ExternalTensor[];
  try {
    tensors = externalTensors(model);
  } catch {
    // Not a protobuf: onnxruntime refuses the file with its own message ("cannot load the ONNX model").
    return [];
  }
  if (tensors.length === 0) return [];
  const folder = realpathSync(path.dirname(modelPath));
  const files = new Set<string>();
  for (const { tensor, location } of tensors) {
    const refuse = (why: string) =>
      new InputError(
        `the model stores tensor ${quoteUserText(tensor)} in external data at ${quoteUserText(location)}, which ${why}; expected a file beside the model, in its folder or below (as onnx.save_model(..., save_as_external_data=True) writes it)`,
        { file: modelPath, field: 'model.path' },
      );
    if (location === '' || path.isAbsolute(location)) throw refuse('is not a relative path');
    const file = path.resolve(folder, location);
    if (!inside(folder, file)) throw refuse('leaves the model’s folder');
    if (!existsSync(file) || !statSync(file).isFile()) throw refuse('is not a file');
    if (!inside(folder, realpathSync(file))) throw refuse('is a link out of the model’s folder');
    files.add(file);
  }
  return [...files];
}

function inside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function graph(buf: Uint8Array, g: Field, found: ExternalTensor[]): void {
  for (const f of lengthFields(buf, g.start, g.end)) {
    if (f.field === GRAPH.initializer) tensor(buf, f, found);
    else if (f.field === GRAPH.sparseInitializer) sparse(buf, f, found);
    else if (f.field === GRAPH.node) node(buf, f, found);
  }
}

function node(buf: Uint8Array, n: Field, found: ExternalTensor[]): void {
  for (const a of lengthFields(buf, n.start, n.end)) {
    if (a.field !== NODE.attribute) continue;
    for (const f of lengthFields(buf, a.start, a.end)) {
      if (f.field === ATTRIBUTE.t || f.field === ATTRIBUTE.tensors) tensor(buf, f, found);
      else if (f.field === ATTRIBUTE.g || f.field === ATTRIBUTE.graphs) graph(buf, f, found);
      else if (f.field === ATTRIBUTE.sparseTensor || f.field === ATTRIBUTE.sparseTensors) sparse(buf, f, found);
    }
  }
}

function sparse(buf: Uint8Array, s: Field, found: ExternalTensor[]): void {
  for (const f of lengthFields(buf, s.start, s.end)) if (f.field === SPARSE.values || f.field === SPARSE.indices) tensor(buf, f, found);
}

function tensor(buf: Uint8Array, t: Field, found: ExternalTensor[]): void {
  let name = '';
  let external = false;
  let location: string | undefined;
  for (const f of fields(buf, t.start, t.end)) {
    if (f.field === TENSOR.name && f.wire === WIRE_LEN) name = text(buf, f);
    else if (f.field === TENSOR.dataLocation && f.wire === WIRE_VARINT) external = f.varint === BigInt(EXTERNAL);
    else if (f.field === TENSOR.externalData && f.wire === WIRE_LEN) {
      let key = '';
      let value = '';
      for (const e of lengthFields(buf, f.start, f.end)) {
        if (e.field === ENTRY.key) key = text(buf, e);
        else if (e.field === ENTRY.value) value = text(buf, e);
      }
      if (key === 'location') location = value;
    }
  }
  if (external) found.push({ tensor: name, location: location ?? '' });
}

function* lengthFields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  for (const f of fields(buf, start, end)) if (f.wire === WIRE_LEN) yield f;
}
