/**
 * A float image → PNG bytes, so a reviewer can look at a reconstruction rather than read numbers.
 * Pure (returns bytes; the publisher writes them). Values are mapped linearly from the data's
 * feature range [min, max] to black…white, so a reconstruction and a class mean drawn with the
 * same range are comparable, and small images are enlarged by nearest-neighbour (an 8×8 digit
 * becomes 128×128) so that no viewer blurs the pixels the model actually sees.
 */
import pngjs from 'pngjs';

export interface FloatImage {
  /** Feature values, in the model's input order. */
  pixels: ArrayLike<number>;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** hwc: channels last; chw: channels first. */
  layout: 'hwc' | 'chw';
}

/** Enlarge until the longer side is at least this many pixels. */
const MIN_SIDE = 128;

/** Nearest-neighbour scale factor for an image of this size. */
export function upscaleFactor(height: number, width: number): number {
  return Math.max(1, Math.ceil(MIN_SIDE / Math.max(height, width)));
}

export function encodePng(
  image: FloatImage,
  range: { min: number; max: number },
  scale = upscaleFactor(image.height, image.width),
): Buffer {
  const { height, width, channels, layout } = image;
  if (channels !== 1 && channels !== 3) throw new RangeError(`a PNG needs 1 or 3 channels, got ${channels}`);
  if (image.pixels.length !== height * width * channels) {
    throw new RangeError(`${image.pixels.length} values do not make a ${height}×${width}×${channels} image`);
  }
  const span = range.max > range.min ? range.max - range.min : 1;
  const byte = (v: number) => Math.round(255 * Math.min(1, Math.max(0, (v - range.min) / span)));
  const at = (h: number, w: number, c: number) => (layout === 'hwc' ? (h * width + w) * channels + c : (c * height + h) * width + w);

  const png = new pngjs.PNG({ width: width * scale, height: height * scale });
  const data = Buffer.alloc(width * scale * height * scale * channels);
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * width * scale + x) * channels + c] = byte(image.pixels[at(Math.floor(y / scale), Math.floor(x / scale), c)]!);
      }
    }
  }
  png.data = data;
  const colorType = channels === 1 ? 0 : 2;
  return pngjs.PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
}
