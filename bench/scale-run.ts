/** The child process of bench/scale.ts: one gate run, then its figures and peak RSS as one JSON line. */
import { runGate } from '../src/run/gate';

const [policy, dir] = process.argv.slice(2);
const report = await runGate(policy!, { roots: [dir!, process.cwd()] });
if (report.verdict === 'error') throw new Error(report.error?.message ?? 'the run failed');
console.log(
  JSON.stringify({
    verdict: report.verdict,
    timings: report.timings,
    probeSeconds: report.probes[0]!.seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
