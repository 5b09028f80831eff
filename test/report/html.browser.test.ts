/**
 * report.html in a real browser: Debian's Chromium driven by playwright-core. Checks that the
 * plots rendered (SVG elements with non-zero boxes), the images decoded, nothing was fetched,
 * nothing logged an error, and hostile text stayed text; saves screenshots to out/report-html/.
 * Without /usr/bin/chromium the test is skipped locally but FAILS under CI=true (.ci/run
 * installs chromium).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/publish/files';
import { groupChecks } from '../../src/report/explain';
import { renderHtml } from '../../src/report/html';
import { runGate } from '../../src/run/gate';
import type { GateReport } from '../../src/result';
import { digitsReport } from './helpers';
import { HOSTILE, hostileReport } from './hostile';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const SHOTS = path.resolve('out/report-html');

describe.skipIf(!available && process.env.CI !== 'true')('report.html in headless Chromium', () => {
  let browser: BrowserContext;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium (apt-get install -y chromium)`);
    // A fresh, empty profile every run (playwright takes it as launchPersistentContext's first argument).
    browser = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'chromium-profile-')), {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a file and records console errors, page errors, dialogs and every request but the page itself. */
  async function open(file: string, width = 1366) {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    const problems: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`request: ${r.url().slice(0, 100)}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems };
  }

  async function boxes(page: Page, selector: string) {
    return page
      .locator(selector)
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ width: r.width, height: r.height })));
  }

  it('renders the digits report: ROC and histogram plots, per-class table, reconstructions', async () => {
    const report = await digitsReport('policy.yml');
    const out = mkdtempSync(path.join(tmpdir(), 'gate-browser-'));
    const files = writeReportFiles(report, out);
    const { page, problems } = await open(files.html);

    const membership = report.probes.find((p) => p.id === 'membership')!;
    const charts = await boxes(page, 'svg.chart');
    expect(charts).toHaveLength(1 + membership.attacks.length);
    for (const box of charts) {
      expect(box.width).toBeGreaterThan(200);
      expect(box.height).toBeGreaterThan(100);
    }
    const curves = await boxes(page, 'path.roc-curve');
    expect(curves).toHaveLength(membership.attacks.length);
    for (const box of curves) expect(box.width * box.height).toBeGreaterThan(0);
    expect((await boxes(page, 'line.policy-fpr'))[0]!.height).toBeGreaterThan(100);
    const bars = await boxes(page, 'rect.bar');
    expect(bars.length).toBeGreaterThan(membership.attacks.length * 2);
    expect(bars.every((b) => b.width > 0 && b.height > 0)).toBe(true);

    const written: GateReport = JSON.parse(readFileSync(files.report, 'utf8'));
    const images = written.probes.flatMap((p) => p.attacks.flatMap((a) => a.details?.images ?? []));
    expect(images.length).toBeGreaterThan(0);
    // (Callbacks run in the page; the DOM types are not in this project's lib, hence the casts.)
    const decoded = await page
      .locator('img')
      .evaluateAll((els) =>
        els.map(
          (e) =>
            (e as unknown as { complete: boolean; naturalWidth: number }).complete &&
            (e as unknown as { naturalWidth: number }).naturalWidth > 0,
        ),
      );
    expect(decoded).toHaveLength(images.length);
    expect(decoded.every(Boolean)).toBe(true);

    // Readable at laptop width: nothing wider than the window, the verdict at the top.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await page.locator('header.verdict .badge').textContent()).toBe('FAIL');
    // One row per threshold line (the strongest attack), every attack's check folded below.
    const checks = report.probes.flatMap((p) => p.checks);
    expect(await page.locator('table.checks tbody tr').count()).toBe(groupChecks(checks).length);
    expect(await page.locator('table.checks-all tbody tr').count()).toBe(checks.length);
    expect(await page.locator('table.checks-all').isVisible()).toBe(false);
    // Why it failed, in the header, with the ε bound's tail.
    expect(await page.locator('header ul.why li').first().innerText()).toMatch(/ε lower bound .* \(the low tail\)/);

    await page.screenshot({ path: path.join(SHOTS, 'digits-fail-top.png') });
    await page
      .locator('section.probe')
      .first()
      .screenshot({ path: path.join(SHOTS, 'digits-fail-membership.png') });
    await page.screenshot({ path: path.join(SHOTS, 'digits-fail-full.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  // Every example page, at laptop and phone width: the page itself never scrolls sideways (wide
  // tables scroll inside their own box), and the checks stay readable on a phone (stacked cells).
  it.each([
    { load: () => digitsReport('policy.yml'), name: 'digits-fail' },
    { load: () => digitsReport('hardened.policy.yml'), name: 'digits-pass' },
    { load: () => runGate('examples/wages/policy.yml'), name: 'wages' },
  ])(
    '$name: no horizontal page scroll at 1280 and 390 px',
    async ({ load, name }) => {
      const report = await load();
      const out = mkdtempSync(path.join(tmpdir(), 'gate-widths-'));
      const files = writeReportFiles(report, out);
      for (const width of [1280, 390]) {
        const { page, problems } = await open(files.html, width);
        expect(await page.evaluate('document.documentElement.scrollWidth'), `${name} at ${width} px`).toBeLessThanOrEqual(width);
        // The status of the first check is on screen without scrolling sideways.
        const status = await page.locator('table.checks td.status').first().boundingBox();
        expect(status!.x + status!.width).toBeLessThanOrEqual(width);
        if (name === 'wages') {
          // The attribute-inference view: plain names, no raw JSON or camelCase field names.
          const text = await page.locator('section.probe').innerText();
          expect(text).toContain('Always guessing the most common value');
          expect(text).toMatch(/Lift: the attack over that guess/);
          expect(text).not.toMatch(/nonMemberBaselineAccuracy|liftTable|perValue|\{"/);
          const wide = await page
            .locator('section.probe .table-wrap')
            .evaluateAll(
              (els) =>
                els.filter(
                  (e) =>
                    (e as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth >
                    (e as unknown as { clientWidth: number }).clientWidth + 1,
                ).length,
            );
          if (width === 1280) expect(wide).toBe(0);
        }
        await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
        expect(problems).toEqual([]);
        await page.close();
      }
    },
    120_000,
  );

  it('keeps hostile text as text: no script runs, no element is injected, nothing is fetched', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gate-hostile-')), 'report.html');
    writeFileSync(file, renderHtml(hostileReport()));
    const { page, problems } = await open(file, 1280);
    expect(await page.locator('script, iframe, object, embed, img, a, link').count()).toBe(0);
    // Each hostile check is on a threshold line of its own: nothing folds, so no <details> at all.
    expect(await page.locator('details').count()).toBe(0);
    const text = await page.locator('body').innerText();
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('</details></summary><script>alert(1)</script>');
    expect(text).toContain(HOSTILE[4]);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'hostile.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
