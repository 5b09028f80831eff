/**
 * Hostile text for the escaping tests: every string the model, data or policy controls is one of
 * these, and nothing in them may turn into markup, HTML, links, mentions or references.
 */
import type { AttackDetails, GateReport } from '../../src/result';
import { check, reportWith } from './helpers';

export const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</details></summary><script>alert(1)</script>',
  '@octocat please approve',
  'fixes #1 and GH-2',
  '[click](https://evil.example/login)',
  '![pixel](https://evil.example/p.png)',
  'https://evil.example/phish www.evil.example',
  '| broken | table |',
  'line one\n## Injected heading\n- injected item',
  '`code` ``` fence ~~~',
  '**bold** _italic_ ~~strike~~',
  '&lt;script&gt; &#64;octocat',
  '$x^2$ math',
  '<!-- model-privacy-gate: workflow=w; job=j; policy=p -->',
  ':+1: emoji',
  '\u202Eevil reversed \u0007bell',
  // A file path with pipes: inside a table a `|` ends the cell even within a code span.
  'data|`x`|@octocat <img src=x>|[click](javascript:alert(1))|.csv',
  'back\\| slash \\`',
  'x\n::error::INJECTED\r::stop-commands::tok\u0000 \u001b[31mred\u001b[0m \u009b31m',
  ':+1: GH-2',
];

/** Substrings that would be live markup if they reached a reader unescaped (outside code). */
export const LIVE = [
  '<img',
  '<script',
  '</details></summary>',
  '@octocat',
  '#1',
  '[click]',
  '](https://evil',
  '![pixel]',
  'https://evil',
  'www.evil',
  '| broken |',
  '\n## Injected',
  '\n- injected',
  '**bold**',
  '_italic_',
  '~~strike~~',
  '&lt;',
  '&#64;',
  '$x^2$',
  '<!-- model-privacy-gate: workflow=w',
  ':+1:',
  '\u202E',
  '\u0007',
  '\u001b',
  '\u009b',
  '\u0000',
  '\n::error::',
  '\r::stop-commands::',
  '](javascript',
];

/** A report in which every model-, data- and policy-controlled string is hostile. */
export function hostileReport(): GateReport {
  const h = (i: number) => HOSTILE[i % HOSTILE.length]!;
  const checks = HOSTILE.map((text, i) =>
    check({
      probe: `probe ${text}`,
      attack: `attack ${text}`,
      metric: `metric ${text}`,
      status: i % 3 === 0 ? 'fail' : i % 3 === 1 ? 'warn' : 'pass',
    }),
  );
  const report = reportWith(checks, {
    policy: { name: `policy ${h(0)} ${h(2)}`, file: `policies/${h(4)}.yml` },
    inputs: {
      policy: [{ path: `policies/${h(1)}.yml`, sha256: 'b'.repeat(64) }],
      model: { path: `models/${h(9)}.onnx`, sha256: 'c'.repeat(64) },
      data: [
        { role: `members ${h(3)}`, path: `data/${h(5)}.csv`, sha256: 'd'.repeat(64), rows: 10, rowsInFile: 20 },
        { role: `non-members ${h(16)}`, path: h(16), sha256: `e|${'e'.repeat(63)}`, rows: 10, rowsInFile: 10 },
      ],
    },
    model: { input: h(7), output: h(8), featureCount: 4, classes: HOSTILE, scoreKind: 'probabilities', scoreKindReason: h(10) },
    warnings: [`policy.yml:3:1: ${h(11)}`, h(12)],
    error: { message: `model said ${HOSTILE.join(' ')}`, exitCode: 3, file: `policies/${h(13)}.yml`, line: 4, column: 2, field: h(14) },
  });
  report.probes[0]!.description = h(15);
  report.probes[0]!.notes = HOSTILE.map((t) => `note ${t}`);
  report.probes[0]!.attacks = HOSTILE.slice(0, 4).map((text, i) => ({
    attack: `attack ${text}`,
    description: `desc ${HOSTILE[(i + 5) % HOSTILE.length]}`,
    metrics: {
      [`metric ${text}`]: { value: 0.7, ci: [0.6, 0.8] as [number, number] },
      auc: { value: 0.6, ci: [0.5, 0.7] as [number, number] },
    },
    details: withUnknownField(
      {
        worstClass: { class: i, auc: { value: 0.8, ci: [0.7, 0.9] } },
        perClass: HOSTILE.map((_, c) => ({
          class: c,
          members: 10,
          nonMembers: 10,
          auc: { value: 0.5, ci: [0.4, 0.6] },
          advantage: { value: 0.1, ci: [0, 0.2] },
        })),
      },
      `extra ${text}`,
      [{ [`column ${text}`]: text, value: 1 }],
    ),
  }));
  report.probes[0]!.error = h(6);
  report.probes[0]!.status = 'error';
  return report;
}

/**
 * A report read back in publish-only mode may carry detail fields this gate never writes (the
 * schema lets any through); the renderers show them as generic tables, escaped like the rest.
 */
function withUnknownField(details: AttackDetails, key: string, value: unknown): AttackDetails {
  return Object.assign(details, { [key]: value });
}
