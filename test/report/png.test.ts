/** PNG encoding: decoded back with pngjs, pixel by pixel. */
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, upscaleFactor } from '../../src/report/png';

describe('encodePng', () => {
  it('maps the data range to black…white, clamps outside it, and enlarges by nearest neighbour', () => {
    // 2×2 grey: 0 (min) → 0, 16 (max) → 255, 8 → 128, 20 (above max) → 255.
    const bytes = encodePng({ pixels: [0, 16, 8, 20], height: 2, width: 2, channels: 1, layout: 'hwc' }, { min: 0, max: 16 }, 3);
    const png = pngjs.PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([6, 6]);
    const grey = (x: number, y: number) => png.data[(y * 6 + x) * 4]!; // decoded as RGBA
    expect([grey(0, 0), grey(2, 2), grey(3, 0), grey(5, 2), grey(0, 3), grey(5, 5)]).toEqual([0, 0, 255, 255, 128, 255]);
    expect(png.data[3]).toBe(255); // opaque
  });

  it('writes colour images in either layout', () => {
    // One red and one green pixel, 1×2.
    const hwc = [1, 0, 0, 0, 1, 0];
    const chw = [1, 0, 0, 1, 0, 0]; // R plane [1, 0], G plane [0, 1], B plane [0, 0]
    for (const [pixels, layout] of [
      [hwc, 'hwc'],
      [chw, 'chw'],
    ] as const) {
      const png = pngjs.PNG.sync.read(encodePng({ pixels, height: 1, width: 2, channels: 3, layout }, { min: 0, max: 1 }, 1));
      expect([...png.data]).toEqual([255, 0, 0, 255, 0, 255, 0, 255]);
    }
  });

  it('enlarges an 8×8 digit to 128×128 and a 28×28 one to 140×140', () => {
    expect(upscaleFactor(8, 8)).toBe(16);
    expect(upscaleFactor(28, 28)).toBe(5);
    expect(upscaleFactor(512, 300)).toBe(1);
  });

  it('refuses a shape that does not match the values', () => {
    expect(() => encodePng({ pixels: [1, 2, 3], height: 2, width: 2, channels: 1, layout: 'hwc' }, { min: 0, max: 1 })).toThrow(
      /3 values do not make a 2×2×1 image/,
    );
    expect(() => encodePng({ pixels: [1, 2], height: 1, width: 1, channels: 2, layout: 'hwc' }, { min: 0, max: 1 })).toThrow(
      /1 or 3 channels/,
    );
  });
});
