/**
 * Images a probe hands to the publisher: the pixel values travel in the measurement's details
 * (the probe writes no files), but never into privacy-report.json. `toJSON` returning undefined
 * makes JSON.stringify drop the whole property, so no renderer can leak raw arrays into the
 * audit record by accident; the publisher writes the PNGs and references them instead.
 */
import type { ImageShape } from '../../optim/total-variation';

export interface Raster extends ImageShape {
  /** Class label as the model knows it. */
  label: string;
  classIndex: number;
  kind: 'reconstruction' | 'member-mean';
  caption: string;
  pixels: Float64Array;
  /** The data's value range, mapped to black…white. */
  range: { min: number; max: number };
}

export class Rasters {
  constructor(readonly items: Raster[]) {}

  /** The same images with their texts (labels, captions) transformed, e.g. secrets masked. */
  withText(transform: (text: string) => string): Rasters {
    return new Rasters(this.items.map((r) => ({ ...r, label: transform(r.label), caption: transform(r.caption) })));
  }

  toJSON(): undefined {
    return undefined;
  }
}

/** What the JSON report holds instead: paths relative to the output folder. */
export interface ImageReference {
  label: string;
  kind: Raster['kind'];
  path: string;
  caption: string;
}
