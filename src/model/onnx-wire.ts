/**
 * Reading ONNX's protobuf wire format directly: each field's number, wire type and payload
 * bounds, so a caller walks the messages it needs and skips the rest (tensor bytes included)
 * without decoding the whole ModelProto.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface Field {
  field: number;
  wire: number;
  tagStart: number;
  /** Payload bounds for length-delimited fields. */
  start: number;
  end: number;
  varint?: bigint;
}

export function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let at = start;
  while (at < end) {
    const tagStart = at;
    const [tag, afterTag] = readVarint(buf, at);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    at = afterTag;
    if (wire === WIRE_VARINT) {
      const [value, next] = readVarint(buf, at);
      yield { field, wire, tagStart, start: at, end: next, varint: value };
      at = next;
    } else if (wire === WIRE_LEN) {
      const [length, next] = readVarint(buf, at);
      const payloadEnd = next + Number(length);
      if (payloadEnd > end) throw new Error('truncated protobuf field');
      yield { field, wire, tagStart, start: next, end: payloadEnd };
      at = payloadEnd;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      const size = wire === WIRE_I64 ? 8 : 4;
      yield { field, wire, tagStart, start: at, end: at + size };
      at += size;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
}

export function readVarint(buf: Uint8Array, start: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  let at = start;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated protobuf varint');
    const byte = buf[at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7n;
  }
}

/** A length-delimited field's payload as UTF-8 text. */
export const text = (buf: Uint8Array, f: Field) => new TextDecoder().decode(buf.subarray(f.start, f.end));
