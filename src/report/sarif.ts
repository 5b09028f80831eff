/**
 * privacy-gate.sarif (SARIF 2.1.0, for GitHub code scanning): one rule per check kind
 * (probe/metric), one result per threshold line of the policy that a check does not pass (like
 * the annotations): it names the strongest attack and counts the others, located at that line. A gate that stopped on an error reports it as a tool execution notification. Pure.
 */
import type * as Sarif from 'sarif';
import { countsAs, rulesOf } from '../gate/verdict';
import type { Check, GateReport } from '../result';
import { escapeSarifText, plainText } from './escape';
import { formatEstimate, formatThreshold, metricLabel, statusExplanation } from './format';
import { groupChecks, othersSummary, type CheckGroup } from './explain';
import { locate, type LocateContext, type RepoLocation } from './locate';

export const SARIF_FILE = 'privacy-gate.sarif';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function renderSarif(report: GateReport, ctx: LocateContext): Sarif.Log {
  const checks = report.probes.flatMap((p) => p.checks);
  const ruleIds = [...new Set(checks.map(ruleId))].sort();
  const rules = ruleIds.map((id) =>
    rule(
      id,
      checks.find((c) => ruleId(c) === id)!,
      report,
    ),
  );
  // groupChecks sorts the lines most severe first, and each line's attacks strongest first.
  const results = groupChecks(checks)
    .filter((g) => g.lead.status !== 'pass')
    .map((g) => result(g, ruleIds.indexOf(ruleId(g.lead)), report, ctx));
  const invocation: Sarif.Invocation = { executionSuccessful: report.verdict !== 'error', exitCode: report.exitCode };
  if (report.error) {
    const file = report.error.file;
    const where = file ? locate({ ...report.error, file }, report, ctx) : undefined;
    invocation.toolExecutionNotifications = [
      {
        level: 'error',
        message: { text: escapeSarifText(report.error.message, 4000) },
        ...(where ? { locations: [physical(where)] } : {}),
      },
    ];
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Model Privacy Gate',
            version: plainText(report.tool.version, 50),
            ...(/^\d+\.\d+\.\d+$/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            rules,
          },
        },
        invocations: [invocation],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        results,
        properties: { verdict: report.verdict, policy: plainText(report.policy.name, 200) },
      },
    ],
  };
}

function ruleId(check: Check): string {
  return `${plainText(check.probe, 100)}/${plainText(check.metric, 100)}`;
}

function rule(id: string, example: Check, report: GateReport): Sarif.ReportingDescriptor {
  const probe = report.probes.find((p) => p.id === example.probe);
  const metric = escapeSarifText(metricLabel(example.metric), 100);
  const family = escapeSarifText(probe?.description ?? example.probe, 300);
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: `${metric} of the ${escapeSarifText(example.probe, 100)} probe is over the policy's threshold` },
    fullDescription: {
      text: `${family}. The check fails when the measured ${metric} is above the threshold the release policy sets; the result sits on that threshold's line.`,
    },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['privacy', 'machine-learning', plainText(example.probe, 100)] },
  };
}

function result(group: CheckGroup, ruleIndex: number, report: GateReport, ctx: LocateContext): Sarif.Result {
  const check = group.lead;
  const where = locate(check.source, report, ctx);
  const metric = escapeSarifText(metricLabel(check.metric), 100);
  const subject = `${escapeSarifText(check.probe, 100)}/${escapeSarifText(check.attack, 100)}`;
  const inherited = where?.inheritedFrom
    ? ` (threshold set in ${escapeSarifText(where.inheritedFrom.file)}, line ${where.inheritedFrom.line})`
    : '';
  const measured = `${subject}: ${metric} = ${formatEstimate(check)}`;
  const text =
    check.status === 'error'
      ? `${subject}: ${metric} could not be computed, so the gate cannot pass; policy: ${formatThreshold(check)}${inherited}.`
      : check.status === 'inconclusive' || check.status === 'insufficient'
        ? `${measured}, ${statusExplanation(check)}; policy: ${formatThreshold(check)}${inherited}.`
        : `${measured}, over the ${check.status} threshold; policy: ${formatThreshold(check)}${inherited}.`;
  const others = group.others.length > 0 ? ` The strongest of ${group.others.length + 1} attacks; ${othersSummary(group)}.` : '';
  // Inconclusive and insufficient checks take the level of what the run's policy counts them as.
  const counts = countsAs(check.status, rulesOf(report));
  return {
    ruleId: ruleId(check),
    ruleIndex,
    level: counts === 'warn' ? 'warning' : counts === 'pass' ? 'note' : 'error',
    message: { text: text + others },
    ...(where ? { locations: [physical(where)] } : {}),
    // Stable across runs so code scanning tracks one alert per threshold line, not one per run,
    // even when another attack becomes the strongest.
    partialFingerprints: { privacyGateCheck: `${ruleId(check)}@${where?.file ?? 'policy'}` },
    properties: {
      attack: plainText(check.attack, 100),
      attacks: group.others.length + 1,
      ...(group.others.length > 0 ? { others: othersSummary(group) } : {}),
      value: Number.isFinite(check.value) ? check.value : null,
      ci: check.ci.map((v) => (Number.isFinite(v) ? v : null)),
      ...(check.pointOnly ? { pointOnly: true } : {}),
      thresholds: check.thresholds,
    },
  };
}

function physical(where: RepoLocation): Sarif.Location {
  const region: Sarif.Region | undefined = where.line
    ? { startLine: where.line, ...(where.column ? { startColumn: where.column } : {}) }
    : undefined;
  return {
    physicalLocation: {
      artifactLocation: { uri: where.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
      ...(region ? { region } : {}),
    },
  };
}

export function renderSarifText(report: GateReport, ctx: LocateContext): string {
  return JSON.stringify(renderSarif(report, ctx), null, 2) + '\n';
}
