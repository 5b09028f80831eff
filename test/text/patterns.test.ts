import { describe, expect, it } from 'vitest';
import { BUILTIN_PATTERNS, builtinPattern, compileUserRegex, scanText } from '../../src/text/patterns';

const builtin = (name: keyof typeof BUILTIN_PATTERNS) => [builtinPattern(name)];

describe('built-in secret patterns', () => {
  it.each([
    { pattern: 'email' as const, text: 'write to ishmael.q@pequod-ship.com now', found: ['ishmael.q@pequod-ship.com'] },
    { pattern: 'email' as const, text: 'an @ sign alone, or a@b', found: [] },
    { pattern: 'id-number' as const, text: 'pin 281943 and 12345 and x1234567 and 9876543.', found: ['281943', '9876543'] },
    { pattern: 'phone' as const, text: 'call +1 (555) 010-4477 or 555.010.4477, not 1851', found: ['+1 (555) 010-4477', '555.010.4477'] },
    { pattern: 'phone' as const, text: 'local 555-0104; a pin 281943 is not a phone number', found: ['555-0104'] },
  ])('$pattern in "$text"', ({ pattern, text, found }) => {
    expect(scanText(text, builtin(pattern)).map((m) => m.text)).toEqual(found);
  });

  it('only matches that reach into the generated part (after the prompt) count', () => {
    const text = 'my pin is 123456, again 654321';
    expect(scanText(text, builtin('id-number'), 'my pin is 123456'.length).map((m) => m.text)).toEqual(['654321']);
    // A match that starts in the prompt but ends in the generation counts.
    expect(scanText('my pin is 12' + '3456', builtin('id-number'), 'my pin is 12'.length).map((m) => m.text)).toEqual(['123456']);
  });
});

describe('user regexes', () => {
  it('compile with the global and unicode flags', () => {
    const regex = compileUserRegex('EMP-\\d{5}');
    expect(regex).toBeInstanceOf(RegExp);
    expect(scanText('id EMP-00042 and EMP-7', [{ name: 'regex 1', regex: regex as RegExp }]).map((m) => m.text)).toEqual(['EMP-00042']);
  });

  it.each([
    { source: 'EMP-(\\d', error: /Unterminated group|Invalid regular expression/ },
    { source: 'a*', error: /matches the empty string/ },
  ])('rejects $source', ({ source, error }) => {
    const regex = compileUserRegex(source);
    expect('error' in regex && regex.error).toMatch(error);
  });
});
