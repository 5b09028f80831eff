/** The inversion probe end to end on plain JS models behind the real output surface. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { centredCosine, overallMean } from '../../src/metrics/inversion';
import { inversionProbe } from '../../src/probes/inversion/family';
import { Rasters } from '../../src/result';
import { CLASSES, constantModel, context, D, settings, template, templateModel } from './inversion-helpers';

const rows = (m: Awaited<ReturnType<typeof inversionProbe.run>>) => m.attacks[0]!.details!.reconstructions!;

describe('inversion probe', () => {
  it('reconstructs every class of a template-matching model: identified, large similarity gain', async () => {
    const ctx = context(templateModel());
    const result = await inversionProbe.run(ctx, settings());
    const m = result.attacks[0]!.metrics;
    expect(m['identification-rate']).toMatchObject({ value: 1, identified: 3, classes: 3 });
    expect(m['similarity-gain']!.value).toBeGreaterThan(0.8);
    expect(m['non-member-identification-rate']!.value).toBe(1);
    expect(rows(result).map((r) => r.nearestMemberClass)).toEqual(['left', 'top', 'diagonal']);
    // The reconstruction of each class looks like its bar (checked against the noiseless picture).
    const rasters = result.attacks[0]!.details!.rasters!.items;
    const centre = overallMean(ctx.nonMembers.x, ctx.nonMembers.rows, D);
    for (let c = 0; c < CLASSES; c++) {
      const recon = rasters.find((r) => r.classIndex === c && r.kind === 'reconstruction')!;
      expect(centredCosine(recon.pixels, template(c), centre)).toBeGreaterThan(0.8);
    }
  });

  it('learns nothing from a model that ignores its input: gain 0, no class identified, a note says why', async () => {
    const result = await inversionProbe.run(context(constantModel()), settings());
    const m = result.attacks[0]!.metrics;
    expect(m['similarity-gain']!.value).toBe(0);
    expect(m['identification-rate']!.value).toBe(0);
    expect(rows(result).every((r) => r.stop === 'flat' && r.steps === 1)).toBe(true);
    expect(result.notes.join('\n')).toMatch(/3 of 3 classes stopped where the estimated gradient was exactly zero/);
  });

  it('keeps each class within its query budget and counts every query', async () => {
    const ctx = context(templateModel(0.001)); // nearly flat scores: no class reaches its target early
    const s = settings({ maxQueries: 500, patience: 1000 });
    const result = await inversionProbe.run(ctx, s);
    const perStep = 1 + 2 * D;
    for (const r of rows(result)) {
      expect(r.stop).toBe('budget');
      expect(r.queries).toBe(Math.floor(500 / perStep) * perStep);
    }
    expect(ctx.model.queries).toBe(rows(result).reduce((a, r) => a + r.queries, 0));
    expect(ctx.model.queries).toBeLessThanOrEqual(CLASSES * 500);
  });

  it('says so when the budget does not allow a single step, and reports the start', async () => {
    const ctx = context(templateModel());
    const result = await inversionProbe.run(ctx, settings({ maxQueries: 20 }));
    expect(ctx.model.queries).toBe(0);
    expect(result.notes.join('\n')).toMatch(/max-queries \(20\) is below the cost of one step \(33 queries\), so no class was attacked/);
    expect(rows(result).every((r) => r.stop === 'budget' && r.startConfidence === null)).toBe(true);
    expect(result.attacks[0]!.metrics['similarity-gain']!.value).toBe(0);
  });

  it('uses NES when asked, seeded: the same seed gives the same report', async () => {
    const run = async () => JSON.stringify(await inversionProbe.run(context(templateModel()), settings({ gradient: 'nes', samples: 8 })));
    const a = await run();
    expect(a).toBe(await run());
    expect(JSON.parse(a).attacks[0].details.gradient).toBe('nes');
    expect(JSON.parse(a).attacks[0].details.queriesPerStep).toBe(17);
  });

  it('keeps the pixels out of JSON but hands them to the publisher', async () => {
    const result = await inversionProbe.run(context(templateModel()), settings());
    const details = result.attacks[0]!.details!;
    expect(details.rasters).toBeInstanceOf(Rasters);
    expect(details.rasters!.items.map((r) => `${r.label}:${r.kind}`)).toEqual([
      'left:reconstruction',
      'left:member-mean',
      'top:reconstruction',
      'top:member-mean',
      'diagonal:reconstruction',
      'diagonal:member-mean',
    ]);
    const json = JSON.parse(JSON.stringify(result));
    expect(json.attacks[0].details).not.toHaveProperty('rasters');
    expect(JSON.stringify(result).length).toBeLessThan(10_000);
  });

  it('writes no images for a tabular input', async () => {
    const result = await inversionProbe.run(context(templateModel()), settings({ image: undefined }));
    expect(result.attacks[0]!.details).not.toHaveProperty('rasters');
    expect(result.attacks[0]!.metrics['identification-rate']!.value).toBe(1);
  });

  it('says where the image shape is wrong', async () => {
    const bad = settings({ image: { ...settings().image!, height: 5 } });
    const error = await inversionProbe.run(context(templateModel()), bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).describe()).toBe(
      "policy.yml:30:5 (probes.inversion.image): image is 5×4×1 = 20 values, but the model takes 16 features; give the shape of the model's input",
    );
  });

  it('skips classes without member records, with a note', async () => {
    const result = await inversionProbe.run(context(templateModel(), undefined, 2), settings());
    expect(rows(result).map((r) => r.class)).toEqual(['left', 'top']);
    expect(result.notes[0]).toBe('1 of 3 classes have no member records to compare a reconstruction with, and were not attacked.');
  });

  it('scores the zeros start against the class means, and starts the auxiliary-mean start at similarity 0', async () => {
    const zeros = await inversionProbe.run(context(templateModel()), settings({ start: 'zeros' }));
    const mean = await inversionProbe.run(context(templateModel()), settings({ start: 'auxiliary-mean' }));
    for (const r of rows(mean)) expect(r.similarityGain).toBe(r.memberSimilarity);
    expect(rows(zeros).some((r) => r.similarityGain !== r.memberSimilarity)).toBe(true);
    expect(zeros.attacks[0]!.metrics['identification-rate']!.value).toBe(1);
  });

  it('smooths image reconstructions with the total-variation prior', async () => {
    const tv = await inversionProbe.run(context(templateModel()), settings({ smoothness: 0.5 }));
    expect(tv.attacks[0]!.description).toMatch(/\+ λ·TV/);
    expect(tv.attacks[0]!.metrics['identification-rate']!.value).toBe(1);
  });
});

describe('inversion probe under restricted surfaces', () => {
  it('label only: does not crash, says the attack is practically impossible, and finds nothing', async () => {
    const ctx = context(templateModel(), { scores: 'label', topK: 0 });
    const result = await inversionProbe.run(ctx, settings());
    expect(result.notes[0]).toMatch(
      /^The surface reveals only the label, so p_c reads 1 or 0: .* \(\d of 3 classes stayed at the start\)\. Class reconstruction through this surface is practically impossible/,
    );
    expect(result.attacks[0]!.metrics['similarity-gain']!.value).toBeLessThan(0.3);
    expect(ctx.model.queries).toBeLessThanOrEqual(3 * 3000);
  });

  it('top-1: notes the hidden scores, and the attack still runs on the attacker’s reading of them', async () => {
    const result = await inversionProbe.run(context(templateModel(), { scores: 'top-k', topK: 1 }), settings());
    expect(result.notes.join('\n')).toMatch(
      /reveals only the top 1 scores: where class c is not among them, p_c is read as the hidden mass/,
    );
    expect(result.attacks[0]!.metrics['identification-rate']!.value).not.toBeNull();
  });

  it('rounded scores: small difference steps see flat regions, large ones cross the rounding boundaries', async () => {
    const surface = { scores: 'full', topK: 0, decimals: 2 } as const;
    // Nearly flat scores (0.33 ± a little): a 1% step rarely changes the second decimal.
    const small = await inversionProbe.run(context(templateModel(0.001), surface), settings({ differenceStep: 0.01 }));
    expect(small.notes.join('\n')).toMatch(
      /Scores are rounded to 2 decimals, so the revealed score is flat between rounding boundaries: gradients were estimated over differences of 0\.01 of each feature's range/,
    );
    expect(rows(small).every((r) => r.stop === 'flat' && r.steps < 5)).toBe(true);
    expect(small.attacks[0]!.metrics['identification-rate']!.value).toBeLessThan(1);
    const large = await inversionProbe.run(context(templateModel(0.001), surface), settings({ differenceStep: 0.2 }));
    expect(large.attacks[0]!.metrics['identification-rate']!.value).toBe(1);
  });
});
