import { describe, expect, it } from 'vitest';
import { estimateParts, formatEstimate } from '../../src/report/format';

describe('formatEstimate: a value with its interval, or a point difference marked as such', () => {
  it.each([
    // Only the explicit marker drops the interval: a real degenerate interval still shows.
    { name: 'real interval', m: { value: 0.592, ci: [0.578, 0.605] }, shown: '0.592 [0.578, 0.605]' },
    { name: "identical models' paired [0, 0]", m: { value: 0, ci: [0, 0] }, shown: '0.000 [0.000, 0.000]' },
    { name: 'equal bounds without the marker', m: { value: 4.209, ci: [4.209, 4.209] }, shown: '4.209 [4.209, 4.209]' },
    {
      name: 'point difference, positive',
      m: { value: 4.2089, ci: [4.2089, 4.2089], pointOnly: true },
      shown: '+4.209 (point difference, no interval)',
    },
    {
      name: 'point difference, negative',
      m: { value: -0.12, ci: [-0.12, -0.12], pointOnly: true },
      shown: '−0.120 (point difference, no interval)',
    },
    { name: 'point difference, zero', m: { value: 0, ci: [0, 0], pointOnly: true }, shown: '0.000 (point difference, no interval)' },
  ])('$name', ({ m, shown }) => {
    expect(formatEstimate(m)).toBe(shown);
  });

  it('splits value and interval for HTML cells', () => {
    expect(estimateParts({ value: 1.5, ci: [1.5, 1.5], pointOnly: true })).toEqual({
      value: '+1.500',
      interval: '(point difference, no interval)',
    });
  });
});
