/**
 * Working memory reused from one call to the next. Why: a fresh array costs a page fault per
 * 4 KiB on first touch, and on the virtual machines CI and many runners use that is ~15 µs a
 * page (a new 16 MB Float64Array takes 60 ms to fill, a reused one 0.6 ms). The membership
 * probe sorts 2 × 100,000 scores with their classes per attack: ~8 MB of temporaries each time.
 *
 * A slot is a named buffer that grows to the largest request and is never shrunk; what it hands
 * out is valid until the next request for the same slot. Only synchronous code that drops the
 * view before returning may use it (nothing here awaits, so calls never interleave).
 */
const slots = new Map<string, ArrayBuffer>();

type View<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A `length`-element view of slot `name`'s buffer; its contents are whatever the last user left. */
export function scratch<T>(name: string, type: View<T>, length: number): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  let buffer = slots.get(name);
  if (!buffer || buffer.byteLength < bytes) {
    // 8-byte aligned and with room to grow, so a slightly larger next request reuses it.
    buffer = new ArrayBuffer(Math.ceil((bytes * 1.25) / 8) * 8);
    slots.set(name, buffer);
  }
  return new type(buffer, 0, length);
}
