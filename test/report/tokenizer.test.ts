/**
 * The tokenizer of a sequence model in the Markdown and HTML reports: one "Tokenizer" line with
 * its files' digests and special ids, in place of the data rows of those files; paths escaped.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html';
import { codeSpan } from '../../src/report/escape';
import { renderMarkdown } from '../../src/report/markdown';
import type { GateReport } from '../../src/result';
import { check, reportWith } from './helpers';

const SEQUENCE_MODEL: NonNullable<GateReport['sequenceModel']> = {
  input: 'input_ids',
  output: 'logits',
  context: null,
  fixedContext: false,
  vocabSize: 357,
  scoreKind: 'logits',
  scoreKindReason: 'detected',
};

function sequenceReport(tokenizer: NonNullable<GateReport['sequenceModel']>['tokenizer'], files: Array<[string, string]>): GateReport {
  const report = reportWith([check()], { sequenceModel: { ...SEQUENCE_MODEL, ...(tokenizer ? { tokenizer } : {}) } });
  report.inputs.model = { path: 'lm/model.onnx', sha256: 'b'.repeat(64) };
  report.inputs.data = [
    ...files.map(([role, path]) => ({ role, path, sha256: 'c'.repeat(64), rows: 357, rowsInFile: 357 })),
    { role: 'members', path: 'members.txt', sha256: 'd'.repeat(64), rows: 10, rowsInFile: 10 },
  ];
  return report;
}

describe('the Tokenizer line', () => {
  it.each([
    {
      name: 'a tokenizer.json and its config',
      tokenizer: {
        kind: 'tokenizer.json' as const,
        source: 'lm/tokenizer.json',
        tokens: 50257,
        model: 'byte-level BPE',
        eosId: 50256,
        bosId: 1,
        padId: 0,
      },
      files: [
        ['tokenizer', 'lm/tokenizer.json'],
        ['tokenizer config', 'lm/tokenizer_config.json'],
      ] as Array<[string, string]>,
      markdown:
        '- **Tokenizer:** `lm/tokenizer.json` (sha256 `cccccccccccc`) and `lm/tokenizer_config.json` (sha256 `cccccccccccc`): byte-level BPE tokenizer.json, 50,257 tokens; special ids: end of text 50256, beginning of text 1, pad 0',
      html: '<dt>Tokenizer</dt><dd><code>lm/tokenizer.json</code> and <code>lm/tokenizer_config.json</code>: byte-level BPE tokenizer.json, 50,257 tokens; special ids: end of text 50256, beginning of text 1, pad 0</dd>',
    },
    {
      name: 'the character vocabulary',
      tokenizer: { kind: 'characters' as const, source: 'vocab.json', tokens: 80, padId: 0 },
      files: [['vocabulary', 'vocab.json']] as Array<[string, string]>,
      markdown: '- **Tokenizer:** `vocab.json` (sha256 `cccccccccccc`): character vocabulary, 80 tokens; special ids: pad 0',
      html: '<dt>Tokenizer</dt><dd><code>vocab.json</code>: character vocabulary, 80 tokens; special ids: pad 0</dd>',
    },
    {
      name: 'an inline vocabulary (no file)',
      tokenizer: { kind: 'characters' as const, source: 'model.tokenizer.vocab', tokens: 3 },
      files: [] as Array<[string, string]>,
      markdown: '- **Tokenizer:** `model.tokenizer.vocab`: character vocabulary, 3 tokens',
      html: '<dt>Tokenizer</dt><dd><code>model.tokenizer.vocab</code>: character vocabulary, 3 tokens</dd>',
    },
  ])('$name', ({ tokenizer, files, markdown, html }) => {
    const report = sequenceReport(tokenizer, files);
    const md = renderMarkdown(report);
    expect(md).toContain(markdown);
    // The tokenizer's files are not listed again as data.
    for (const [role] of files) expect(md).not.toContain(`- **${role}:**`);
    expect(md).toContain('- **members:** `members.txt`, 10 rows');
    const page = renderHtml(report);
    expect(page).toContain(html);
    for (const [role] of files) expect(page).not.toContain(`<dt>${role}</dt>`);
  });

  it('pre-tokenised data: no Tokenizer line', () => {
    const report = sequenceReport(undefined, []);
    expect(renderMarkdown(report)).not.toContain('**Tokenizer:**');
    expect(renderHtml(report)).not.toContain('<dt>Tokenizer</dt>');
  });

  it('a hostile path stays text', () => {
    const path = 'x`</code><script>alert(1)</script>[link](http://e.vil) @admin.json';
    const report = sequenceReport({ kind: 'tokenizer.json', source: path, tokens: 5, model: 'BPE' }, [['tokenizer', path]]);
    expect(renderHtml(report)).not.toContain('<script>');
    const md = renderMarkdown(report);
    const line = md.split('\n').find((l) => l.startsWith('- **Tokenizer:**'))!;
    // Inside a code span, as every path in the report: GitHub shows it as text.
    expect(line).toContain(`${codeSpan(path)} (sha256`);
    expect(line).toContain(': BPE tokenizer.json, 5 tokens');
  });
});
