/**
 * sklearn-onnx classifiers end in a ZipMap node that turns the probability tensor into a
 * sequence of maps, and onnxruntime-node cannot return non-tensor values ("Non tensor type is
 * temporarily not supported"). So the model is edited in memory: the ZipMap's input tensor is
 * added as one more graph output, and the class labels are read from the node's attributes.
 *
 * The edit works on the protobuf wire format directly and copies every other byte unchanged:
 * decoding and re-encoding the whole ModelProto with a generated schema would drop fields that
 * the schema's ONNX version does not know.
 */

import { fields, readVarint, text, WIRE_LEN, WIRE_VARINT } from './onnx-wire';

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_INTS = 8;
const ATTR_STRINGS = 9;
const VALUE_INFO_NAME = 1;

export interface ExposedZipMap {
  /** The model bytes with the ZipMap's probability tensor as an extra graph output. */
  model: Uint8Array;
  /** Name of that tensor (the ZipMap node's input). */
  probabilities: string;
  /** Class labels in the tensor's column order. */
  classLabels: string[];
}

/** Finds the ZipMap node producing `output` and exposes its input; undefined if there is none. */
export function exposeZipMapInput(model: Uint8Array, output: string): ExposedZipMap | undefined {
  const graph = [...fields(model, 0, model.length)].find((f) => f.field === MODEL_GRAPH && f.wire === WIRE_LEN);
  if (!graph) return undefined;
  for (const node of fields(model, graph.start, graph.end)) {
    if (node.field !== GRAPH_NODE || node.wire !== WIRE_LEN) continue;
    const zipMap = readZipMap(model, node.start, node.end);
    if (!zipMap || zipMap.output !== output) continue;
    const extraOutput = lengthDelimited(GRAPH_OUTPUT, lengthDelimited(VALUE_INFO_NAME, utf8(zipMap.input)));
    const newGraph = concat(model.subarray(graph.start, graph.end), extraOutput);
    const edited = concat(model.subarray(0, graph.tagStart), lengthDelimited(MODEL_GRAPH, newGraph), model.subarray(graph.end));
    return { model: edited, probabilities: zipMap.input, classLabels: zipMap.classLabels };
  }
  return undefined;
}

function readZipMap(buf: Uint8Array, start: number, end: number) {
  let opType = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const labels: string[] = [];
  for (const f of fields(buf, start, end)) {
    if (f.field === NODE_OP_TYPE) opType = text(buf, f);
    else if (f.field === NODE_INPUT) inputs.push(text(buf, f));
    else if (f.field === NODE_OUTPUT) outputs.push(text(buf, f));
    else if (f.field === NODE_ATTRIBUTE && f.wire === WIRE_LEN) labels.push(...classLabelsOf(buf, f.start, f.end));
  }
  if (opType !== 'ZipMap' || inputs.length !== 1 || outputs.length !== 1) return undefined;
  return { input: inputs[0]!, output: outputs[0]!, classLabels: labels };
}

function classLabelsOf(buf: Uint8Array, start: number, end: number): string[] {
  const attribute = [...fields(buf, start, end)];
  const name = attribute.find((f) => f.field === ATTR_NAME);
  if (!name) return [];
  const which = text(buf, name);
  if (which === 'classlabels_strings') return attribute.filter((f) => f.field === ATTR_STRINGS).map((f) => text(buf, f));
  if (which !== 'classlabels_int64s') return [];
  const labels: string[] = [];
  for (const f of attribute) {
    if (f.field !== ATTR_INTS) continue;
    if (f.wire === WIRE_VARINT) labels.push(String(BigInt.asIntN(64, f.varint!)));
    else
      for (let at = f.start; at < f.end;) {
        const [value, next] = readVarint(buf, at);
        labels.push(String(BigInt.asIntN(64, value)));
        at = next;
      }
  }
  return labels;
}

function writeVarint(value: number): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Uint8Array.from(bytes);
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return concat(writeVarint(field * 8 + WIRE_LEN), writeVarint(payload.length), payload);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
