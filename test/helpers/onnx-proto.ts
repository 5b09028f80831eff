/**
 * A tiny ONNX (protobuf) writer and editor for tests, so model variants are built from a recipe
 * in the test instead of committed as opaque blobs. Field numbers are onnx.proto's; tensors are
 * written as little-endian raw_data. Editing works at the wire level and copies every field it
 * does not touch byte for byte (as src/model/onnx-zipmap.ts does).
 */

// onnx.proto field numbers.
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 };
const OPSET = { domain: 1, version: 2 };
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const ATTR = { name: 1, i: 3, ints: 8, type: 20 };
const ATTR_TYPE = { int: 2, ints: 7 };
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 };
export const ELEM = { float: 1, int64: 7 } as const;

type Field = { field: number; wire: number; start: number; end: number; tagStart: number; value?: bigint };

// ---- writing ----

function varint(value: number | bigint): number[] {
  // Negative ints are 10-byte two's-complement varints.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const utf8 = (text: string) => new TextEncoder().encode(text);
const key = (field: number, wire: number) => Uint8Array.from(varint((field << 3) | wire));
export const bytesField = (field: number, value: Uint8Array) => concat(key(field, 2), Uint8Array.from(varint(value.length)), value);
const stringField = (field: number, value: string) => bytesField(field, utf8(value));
const intField = (field: number, value: number | bigint) => concat(key(field, 0), Uint8Array.from(varint(value)));

export function node(opType: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []): Uint8Array {
  return concat(
    ...inputs.map((i) => stringField(NODE.input, i)),
    ...outputs.map((o) => stringField(NODE.output, o)),
    stringField(NODE.name, `${opType}_${outputs[0]}`),
    stringField(NODE.opType, opType),
    ...attributes.map((a) => bytesField(NODE.attribute, a)),
  );
}

export const intAttribute = (name: string, value: number) =>
  concat(stringField(ATTR.name, name), intField(ATTR.i, value), intField(ATTR.type, ATTR_TYPE.int));
export const intsAttribute = (name: string, values: number[]) =>
  concat(stringField(ATTR.name, name), ...values.map((v) => intField(ATTR.ints, v)), intField(ATTR.type, ATTR_TYPE.ints));

/** A float32 or int64 initializer; raw_data from the typed array's own byte range. */
export function tensor(name: string, dims: number[], values: Float32Array | BigInt64Array): Uint8Array {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return concat(
    ...dims.map((d) => intField(TENSOR.dims, d)),
    intField(TENSOR.dataType, values instanceof Float32Array ? ELEM.float : ELEM.int64),
    stringField(TENSOR.name, name),
    bytesField(TENSOR.rawData, raw),
  );
}

/** A graph input or output: name, element type and shape (a string is a symbolic dimension). */
export function valueInfo(name: string, elem: number, dims: (number | string)[]): Uint8Array {
  const dim = (d: number | string) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d));
  const shape = concat(...dims.map(dim));
  const tensorType = concat(intField(1, elem), bytesField(2, shape));
  return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
}

/** A whole model: one graph of `nodes`, opset `opset` of the default domain, IR 8. */
export function model(parts: {
  nodes: Uint8Array[];
  initializers?: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  opset?: number;
}): Uint8Array {
  const graph = concat(
    ...parts.nodes.map((n) => bytesField(GRAPH.node, n)),
    stringField(GRAPH.name, 'test'),
    ...(parts.initializers ?? []).map((t) => bytesField(GRAPH.initializer, t)),
    ...parts.inputs.map((i) => bytesField(GRAPH.input, i)),
    ...parts.outputs.map((o) => bytesField(GRAPH.output, o)),
  );
  const opset = concat(stringField(OPSET.domain, ''), intField(OPSET.version, parts.opset ?? 13));
  return concat(intField(MODEL.irVersion, 8), bytesField(MODEL.graph, graph), bytesField(MODEL.opsetImport, opset));
}

// ---- reading and editing ----

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  const read = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (p < end) {
    const tagStart = p;
    const tag = Number(read());
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const value = read();
      yield { field, wire, start: tagStart, end: p, tagStart, value };
    } else if (wire === 2) {
      const length = Number(read());
      yield { field, wire, start: p, end: p + length, tagStart };
      p += length;
    } else if (wire === 1 || wire === 5) {
      p += wire === 1 ? 8 : 4;
      yield { field, wire, start: p - (wire === 1 ? 8 : 4), end: p, tagStart };
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (buf: Uint8Array, f: Field) => new TextDecoder().decode(buf.subarray(f.start, f.end));

/** The default-domain opset the model imports. */
export function opsetOf(bytes: Uint8Array): number {
  for (const f of fields(bytes, 0, bytes.length)) {
    if (f.field !== MODEL.opsetImport) continue;
    let domain = '';
    let version = 0;
    for (const g of fields(bytes, f.start, f.end)) {
      if (g.field === OPSET.domain) domain = text(bytes, g);
      if (g.field === OPSET.version) version = Number(g.value);
    }
    if (domain === '' || domain === 'ai.onnx') return version;
  }
  throw new Error('the model imports no default-domain opset');
}

/** Nodes that turn `inner` (the model's own output) into `output`, for {@link wrapOutput}. */
export type OutputVariant = (
  inner: string,
  output: string,
) => { nodes: Uint8Array[]; initializers?: Uint8Array[]; outputInfo?: Uint8Array };

/** output + value (NaN and ±Infinity give a model that answers non-finite scores on every row). */
export const addConstant =
  (value: number): OutputVariant =>
  (inner, output) => ({
    nodes: [node('Add', [inner, 'c'], [output])],
    initializers: [tensor('c', [], Float32Array.of(value))],
  });

/**
 * Puts new nodes after the graph output `output`: the node that produced it now produces
 * `${output}__inner`, `wrap` builds nodes from that name to `output`, and the output keeps its
 * name (so a policy naming it still does), with a new declared shape when `outputInfo` is given.
 */
export function wrapOutput(
  bytes: Uint8Array,
  output: string,
  wrap: (inner: string) => { nodes: Uint8Array[]; initializers?: Uint8Array[]; outputInfo?: Uint8Array },
): Uint8Array {
  const inner = `${output}__inner`;
  const parts: Uint8Array[] = [];
  let graphField: Field | undefined;
  for (const f of fields(bytes, 0, bytes.length)) if (f.field === MODEL.graph && f.wire === 2) graphField = f;
  if (!graphField) throw new Error('no graph');
  const { nodes, initializers = [], outputInfo } = wrap(inner);
  for (const f of fields(bytes, graphField.start, graphField.end)) {
    const whole = bytes.subarray(f.tagStart, f.end);
    if (f.field === GRAPH.node) parts.push(bytesField(GRAPH.node, renameOutput(bytes.subarray(f.start, f.end), output, inner)));
    else if (f.field === GRAPH.output && outputInfo && nameOf(bytes, f) === output) parts.push(bytesField(GRAPH.output, outputInfo));
    else parts.push(whole);
  }
  parts.push(...nodes.map((n) => bytesField(GRAPH.node, n)), ...initializers.map((t) => bytesField(GRAPH.initializer, t)));
  const graph = concat(...parts);
  return concat(bytes.subarray(0, graphField.tagStart), bytesField(MODEL.graph, graph), bytes.subarray(graphField.end));
}

function nameOf(bytes: Uint8Array, valueInfoField: Field): string {
  for (const g of fields(bytes, valueInfoField.start, valueInfoField.end)) if (g.field === 1) return text(bytes, g);
  return '';
}

function renameOutput(nodeBytes: Uint8Array, from: string, to: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields(nodeBytes, 0, nodeBytes.length)) {
    if (f.field === NODE.output && text(nodeBytes, f) === from) parts.push(stringField(NODE.output, to));
    else parts.push(nodeBytes.subarray(f.tagStart, f.end));
  }
  return concat(...parts);
}
