/**
 * The images a probe hands to the publisher are part of the result contract (src/result.ts),
 * which the publisher reads without importing from probes.
 */
export { Rasters, type ImageReference, type Raster } from '../result';
