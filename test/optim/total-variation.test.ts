/** The smoothness prior: values by hand, gradient against finite differences, both layouts. */
import { describe, expect, it } from 'vitest';
import { pixelIndex, totalVariation, type ImageShape } from '../../src/optim/total-variation';
import { rngFor } from '../../src/util/random';

const EPS = 0.01;
const grey = (height: number, width: number): ImageShape => ({ height, width, channels: 1, layout: 'hwc' });

describe('total variation', () => {
  it('is 0 for a flat image, whatever its level', () => {
    const tv = totalVariation(grey(3, 4), 0, 16);
    expect(tv.value(new Float64Array(12).fill(7))).toBe(0);
    expect([...tv.gradient(new Float64Array(12).fill(7))].every((g) => g === 0)).toBe(true);
  });

  it('matches a hand computation on a 2×2 image scaled by the data range', () => {
    // [[0, 16], [0, 0]] with range [0, 16] → [[0, 1], [0, 0]] after scaling.
    // pixel (0,0): right diff 1, down diff 0 → sqrt(1 + ε²) − ε
    // pixel (0,1): right (border) 0, down −1 → sqrt(1 + ε²) − ε
    // pixels (1,0), (1,1): right 0 / 0, down (border) 0 → 0
    const tv = totalVariation(grey(2, 2), 0, 16);
    const expected = (2 * (Math.sqrt(1 + EPS * EPS) - EPS)) / 4;
    expect(tv.value([0, 16, 0, 0])).toBeCloseTo(expected, 14);
  });

  it.each([
    ['hwc, 3 channels', { height: 4, width: 5, channels: 3, layout: 'hwc' } as ImageShape],
    ['chw, 3 channels', { height: 4, width: 5, channels: 3, layout: 'chw' } as ImageShape],
    ['grey', grey(6, 6)],
  ])('has the gradient of its value (central differences, %s)', (_name, shape) => {
    const n = shape.height * shape.width * shape.channels;
    const rng = rngFor(4, 'test:tv');
    const x = Float64Array.from({ length: n }, () => rng.next() * 255);
    const tv = totalVariation(shape, 0, 255);
    const g = tv.gradient(x);
    const h = 1e-4;
    for (let j = 0; j < n; j++) {
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[j]! += h;
      down[j]! -= h;
      expect(g[j]).toBeCloseTo((tv.value(up) - tv.value(down)) / (2 * h), 9);
    }
  });

  it('lays out hwc and chw as numpy and PyTorch do', () => {
    const shape: ImageShape = { height: 2, width: 3, channels: 3, layout: 'hwc' };
    expect(pixelIndex(shape, 1, 2, 1)).toBe((1 * 3 + 2) * 3 + 1);
    expect(pixelIndex({ ...shape, layout: 'chw' }, 1, 2, 1)).toBe(1 * 6 + 1 * 3 + 2);
  });

  it('does not mix channels: a colour edge in one channel only costs in that channel', () => {
    const shape: ImageShape = { height: 1, width: 2, channels: 2, layout: 'hwc' };
    const tv = totalVariation(shape, 0, 1);
    // channel 0: [0, 1] (an edge); channel 1: [0.5, 0.5] (flat)
    const x = [0, 0.5, 1, 0.5];
    expect(tv.value(x)).toBeCloseTo((Math.sqrt(1 + EPS * EPS) - EPS) / 4, 14);
    const g = tv.gradient(x);
    expect(g[1]).toBe(0);
    expect(g[3]).toBe(0);
  });
});
