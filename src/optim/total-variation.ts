/**
 * Total variation of an image, the smoothness prior of MI-FACE (Fredrikson et al. 2015): adding
 * λ·TV(x) to the loss favours piecewise-smooth images over the high-frequency noise that raises
 * a class score without looking like anything. Known in closed form, so its gradient costs no
 * model queries. Pure.
 *
 * TV(x) = 1/P · Σ_pixels ( sqrt(a² + b² + ε²) − ε ), with a and b the forward differences to the
 * right and downward neighbour (0 at the border) of the intensity scaled to [0, 1] by the data's
 * range, P the number of pixel values. The ε makes it differentiable at flat regions; scaling
 * by the range and by P makes λ mean the same for any image size and pixel scale.
 */

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
  /** hwc: channels last (numpy images); chw: channels first (PyTorch tensors). */
  layout: 'hwc' | 'chw';
}

const EPSILON = 0.01;

/** Index of pixel (h, w) of channel c in the flat feature vector. */
export function pixelIndex(shape: ImageShape, h: number, w: number, c: number): number {
  return shape.layout === 'hwc' ? (h * shape.width + w) * shape.channels + c : (c * shape.height + h) * shape.width + w;
}

export interface TotalVariation {
  value(x: ArrayLike<number>): number;
  gradient(x: ArrayLike<number>): Float64Array;
}

/** TV over images of this shape whose values span [min, max] (the data's range). */
export function totalVariation(shape: ImageShape, min: number, max: number): TotalVariation {
  const scale = max > min ? max - min : 1;
  const count = shape.height * shape.width * shape.channels;
  const each = (x: ArrayLike<number>, visit: (p: number, r: number, b: number, a: number, bb: number, t: number) => void) => {
    for (let c = 0; c < shape.channels; c++) {
      for (let h = 0; h < shape.height; h++) {
        for (let w = 0; w < shape.width; w++) {
          const p = pixelIndex(shape, h, w, c);
          const r = w + 1 < shape.width ? pixelIndex(shape, h, w + 1, c) : p;
          const b = h + 1 < shape.height ? pixelIndex(shape, h + 1, w, c) : p;
          const a = (x[r]! - x[p]!) / scale;
          const d = (x[b]! - x[p]!) / scale;
          visit(p, r, b, a, d, Math.sqrt(a * a + d * d + EPSILON * EPSILON));
        }
      }
    }
  };
  return {
    value(x) {
      let sum = 0;
      each(x, (_p, _r, _b, _a, _d, t) => (sum += t - EPSILON));
      return sum / count;
    },
    gradient(x) {
      const g = new Float64Array(x.length);
      each(x, (p, r, b, a, d, t) => {
        // ∂t/∂x_p = −(a + d)/(t·scale); the border neighbour is p itself, whose difference is 0.
        g[p]! -= (a + d) / (t * scale * count);
        if (r !== p) g[r]! += a / (t * scale * count);
        if (b !== p) g[b]! += d / (t * scale * count);
      });
      return g;
    },
  };
}
