import { describe, expect, it } from 'vitest';
import { fillCanary, parseCanaryFormat, positionsOf, secretProblem, type CanaryFormat } from '../../src/text/canary';
import { MASK, redact, redactAll } from '../../src/text/redact';

describe('parseCanaryFormat', () => {
  it.each([
    { format: 'my pin is {digits:6}', bits: 6 * Math.log2(10), size: 1e6, secret: 6 },
    { format: 'key {hex:4}-{letters:2}', bits: 16 + 2 * Math.log2(26), size: 65536 * 676, secret: 6 },
    { format: '{{literal}} {digits:1}', bits: Math.log2(10), size: 10, secret: 1 },
  ])('$format', ({ format, bits, size, secret }) => {
    const f = parseCanaryFormat(format) as CanaryFormat;
    expect(f.spaceBits).toBeCloseTo(bits, 12);
    expect(f.spaceSize).toBe(size);
    expect(f.secretLength).toBe(secret);
  });

  it.each([
    { format: 'no slot here', error: /no secret slot/ },
    { format: 'pin {digit:6}', error: /invalid slot "\{digit:6\}" at character 5/ },
    { format: 'pin {digits:0}', error: /length from 1 to 64/ },
    { format: 'pin {digits:6', error: /unclosed "\{"/ },
    { format: 'pin } {digits:2}', error: /unmatched "\}"/ },
  ])('rejects $format', ({ format, error }) => {
    const parsed = parseCanaryFormat(format);
    expect('error' in parsed && parsed.error).toMatch(error);
  });

  it('fills slots in order and lists every position', () => {
    const f = parseCanaryFormat('{{id}} {hex:2}-{digits:1}') as CanaryFormat;
    expect(fillCanary(f, 'a07')).toBe('{id} a0-7');
    const positions = positionsOf(f);
    expect(positions.length).toBe('{id} a0-7'.length);
    expect(positions[5]).toEqual({ choices: '0123456789abcdef' });
    expect(positions[7]).toEqual({ fixed: '-' });
  });

  it.each([
    { secret: '12345', problem: /has 5 characters; the slots .* take 6/ },
    { secret: '12a456', problem: /has character 3 outside the digits alphabet/ },
    { secret: '123456', problem: undefined },
  ])('secretProblem($secret) never quotes the secret', ({ secret, problem }) => {
    const f = parseCanaryFormat('pin {digits:6}') as CanaryFormat;
    const message = secretProblem(f, secret);
    if (problem === undefined) expect(message).toBeUndefined();
    else {
      expect(message).toMatch(problem);
      expect(message).not.toContain(secret);
    }
  });
});

describe('redaction', () => {
  it.each([
    { secret: '281943', shown: `2${MASK.repeat(4)}3` },
    { secret: 'john@example.com', shown: `j${MASK.repeat(14)}m` },
    { secret: '1234', shown: MASK.repeat(4) },
    { secret: 'ab', shown: MASK.repeat(2) },
  ])('$secret → $shown', ({ secret, shown }) => {
    expect(redact(secret)).toBe(shown);
    expect([...redact(secret)].length).toBe([...secret].length);
  });

  it('redactAll replaces every occurrence, longest secret first', () => {
    expect(redactAll('a 123456 b 1234567', ['123456', '1234567'])).toBe(`a 1${MASK.repeat(4)}6 b 1${MASK.repeat(5)}7`);
  });
});
