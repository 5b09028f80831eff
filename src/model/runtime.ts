/**
 * Loads onnxruntime-node on first use, not at import, so `--help` and a `validate` that stops at
 * the policy start fast, and a runner without the bundled native build gets an explanation
 * instead of a stack trace.
 */
import { RuntimeFailure } from '../errors';

export type OrtModule = typeof import('onnxruntime-node');

/** The platforms whose native onnxruntime build ships in dist/ (see scripts/bundle.mjs). */
export const BUNDLED_PLATFORMS = ['linux-x64'];

let loaded: OrtModule | undefined;

export async function loadOnnxRuntime(): Promise<OrtModule> {
  if (loaded) return loaded;
  try {
    const module = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
    loaded = module.InferenceSession ? module : module.default!;
    return loaded;
  } catch (error) {
    const platform = `${process.platform}-${process.arch}`;
    const hint = BUNDLED_PLATFORMS.includes(platform)
      ? 'the native library could not be loaded (glibc 2.28 or newer is required)'
      : `the action bundles onnxruntime only for ${BUNDLED_PLATFORMS.join(', ')}; run it on an ubuntu-* runner, or install onnxruntime-node and run the CLI with npx`;
    throw new RuntimeFailure(`cannot load onnxruntime-node on ${platform}: ${hint} (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
}
