/** `npm run bench`: prints speed figures for every probe family. Figures, not pass/fail. */
import { bench as membership } from './membership';

const benches: Array<[string, () => Promise<void>]> = [['membership', membership]];

for (const [name, run] of benches) {
  console.log(`\n## ${name}`);
  await run();
}
