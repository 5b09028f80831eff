/** The `extends:` line that annotations and SARIF point at for a threshold inherited from a preset. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extendsLineOf } from '../../src/policy/extends-line';

describe('extendsLineOf', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'extends-line-'));

  it.each([
    { name: 'a top-level extends key', text: 'name: x\nextends: standard\nseed: 1\n', line: 2 },
    { name: 'Windows line ends', text: 'name: x\r\n\r\nextends : strict\r\n', line: 3 },
    { name: 'no extends key', text: 'name: x\nseed: 1\n', line: undefined },
    { name: 'an indented (nested) extends key', text: 'probes:\n  extends: standard\n', line: undefined },
    { name: 'extends in a comment', text: '# extends: standard\nname: x\n', line: undefined },
  ])('$name → line $line', ({ name, text, line }) => {
    const file = path.join(folder, `${name.replace(/\W+/g, '-')}.yml`);
    writeFileSync(file, text);
    expect(extendsLineOf(file)).toBe(line);
  });

  it('a missing file has no line', () => {
    expect(extendsLineOf(path.join(folder, 'missing.yml'))).toBeUndefined();
  });
});
