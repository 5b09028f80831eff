import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors';
import { Rasters } from '../../src/result';
import { environmentSecrets, MASK, redactDeep, redactSecrets, refreshSecrets, registerSecret } from '../../src/util/secrets';
import { cutUserText, MAX_QUOTED, quoteUserText } from '../../src/util/user-text';

afterEach(() => {
  vi.unstubAllEnvs();
  refreshSecrets();
});

describe('environmentSecrets', () => {
  it.each([
    ['GITHUB_TOKEN', 'ghs_abcdef', true],
    ['INPUT_GITHUB-TOKEN', 'ghs_abcdef', true],
    ['aws_secret_access_key', 'wJalrXUtnFEMI', true],
    ['DB_Password', 'hunter22', true],
    ['SSH_KEY_PATH', '/home/me/.ssh/id', true],
    ['PATH', '/usr/bin:/bin', false],
    ['HOME', '/home/runner', false],
    // Three characters or fewer: masking "1" or "yes" everywhere would garble reports and hide nothing.
    ['USE_KEYRING', 'yes', false],
    ['MAX_TOKENS', '512', false],
  ])('%s=%s is a secret: %s', (name, value, secret) => {
    expect(environmentSecrets({ [name]: value }).includes(value)).toBe(secret);
  });
});

describe('redaction', () => {
  it('masks registered and environment secrets, the longest first', () => {
    vi.stubEnv('A_TOKEN', 'abcd');
    vi.stubEnv('B_TOKEN', 'abcdefgh');
    registerSecret('input-token-value');
    refreshSecrets();
    expect(redactSecrets('x abcdefgh y abcd z input-token-value')).toBe(`x ${MASK} y ${MASK} z ${MASK}`);
  });

  it('masks every string of a report, keys included, without touching other values', () => {
    vi.stubEnv('C_SECRET', 's3cr3t-value');
    refreshSecrets();
    const report = { name: 'n s3cr3t-value', n: 1, list: ['s3cr3t-value'], nested: { 's3cr3t-value': true } };
    expect(redactDeep(report)).toEqual({ name: `n ${MASK}`, n: 1, list: [MASK], nested: { [MASK]: true } });
  });

  it('masks the texts of class instances that offer withText (inversion images)', () => {
    vi.stubEnv('F_TOKEN', 'class-label-secret');
    refreshSecrets();
    const raster = {
      label: 'class-label-secret',
      caption: 'mean of class-label-secret',
      classIndex: 0,
      kind: 'member-mean' as const,
      pixels: new Float64Array(1),
      range: { min: 0, max: 1 },
      height: 1,
      width: 1,
      channels: 1,
      layout: 'hwc' as const,
    };
    const out = redactDeep({ details: { rasters: new Rasters([raster]) } });
    expect(out.details.rasters).toBeInstanceOf(Rasters);
    expect(out.details.rasters.items.map((r) => [r.label, r.caption])).toEqual([[MASK, `mean of ${MASK}`]]);
  });

  it('masks error messages and their field, whatever the caller quoted', () => {
    vi.stubEnv('D_PASSWORD', 'pa55word!');
    refreshSecrets();
    const error = new InputError('column "pa55word!" not found', { file: 'f.csv', field: 'pa55word!' });
    expect(error.describe()).toBe(`f.csv (${MASK}): column "${MASK}" not found`);
  });
});

describe('quoted user text', () => {
  it(`cuts at ${MAX_QUOTED} characters and says how much was left out`, () => {
    expect(cutUserText('x'.repeat(500))).toBe(`${'x'.repeat(200)}… (300 more characters)`);
    expect(quoteUserText('short')).toBe('"short"');
    expect(cutUserText('y'.repeat(200))).toBe('y'.repeat(200));
  });

  it('never splits a surrogate pair', () => {
    const cut = cutUserText('a' + '😀'.repeat(150));
    expect(cut.startsWith('a' + '😀'.repeat(99) + '…')).toBe(true);
  });

  it('masks before cutting, so no prefix of a secret survives the cut', () => {
    const secret = 'tok_' + 'q'.repeat(40);
    vi.stubEnv('E_TOKEN', secret);
    refreshSecrets();
    expect(cutUserText('p'.repeat(190) + secret)).toBe('p'.repeat(190) + MASK);
  });

  it('bounds a whole message', () => {
    expect(new InputError('m'.repeat(10_000)).message.length).toBeLessThan(4_100);
  });
});
