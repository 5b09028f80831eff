/** jsonErrorOffset: the offset JSON.parse stops at, also where V8's message gives none. */
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../src/util/json-position';

describe('jsonErrorOffset', () => {
  it.each([
    { text: '{"a": 1,, "b": 2}', at: 8 },
    { text: '{"a": nope}', at: 7 },
    { text: '{"a": [1, 2', at: 11 },
    { text: '{"a": "x\ny"}', at: 8 },
    { text: '{"a": "\\q"}', at: 8 },
    { text: '{"a": "\\u12G4"}', at: 11 },
    { text: '{"a": 01}', at: 7 },
    { text: '{"a": -}', at: 6 },
    { text: '{a: 1}', at: 1 },
    { text: '{"a": 1} x', at: 9 },
    { text: '', at: 0 },
  ])('$text → $at', ({ text, at }) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorOffset(text)).toBe(at);
  });

  it('a valid text ends at its length', () => {
    expect(jsonErrorOffset('{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]} ')).toBe(50);
  });
});
