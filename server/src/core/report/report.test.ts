/**
 * The shareable report on the Adult demo (the XGBoost project: real framework checkpoints, the
 * full UCI Adult test file): size, redaction, Markdown, errors, and a headless Chromium that
 * blocks every request and must still show every section.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../engine/backend';
import { Project } from '../project';
import { buildReport, type ReportData } from './data';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { runCli } from '../../cli/main';
import { DATA, REPO, tmpDir } from '../../../test/helpers';

const SOURCE = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The XGBoost project with its test data cut to `rows` rows (all when undefined). */
function project(rows?: number): string {
  const dir = tmpDir('report');
  let test = path.join(DATA, 'adult_test.csv');
  if (rows !== undefined) {
    const lines = fs.readFileSync(test, 'utf8').split('\n');
    test = path.join(dir, 'adult_test.csv');
    fs.writeFileSync(test, lines.slice(0, rows + 1).join('\n') + '\n');
  }
  const config = {
    task: 'binary',
    data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test },
    label: 'income',
    classNames: ['<=50K', '>50K'],
    encoding: path.join(SOURCE, 'encoding.json'),
    checkpoints: { path: path.join(SOURCE, 'checkpoints') },
  };
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify(config, null, 2));
  return dir;
}

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

let full: string;
let data: ReportData;
let html: string;
let md: string;

beforeAll(async () => {
  await initEngine();
  full = project();
  const p = Project.open(path.join(full, 'glassbox.json'));
  data = await buildReport(p);
  await p.dispose();
  html = renderHtml(data);
  md = renderMarkdown(data);
});

describe('glassbox report', () => {
  it('is under 2 MB on the Adult demo and its size does not grow with the rows', async () => {
    const small = project(2000);
    const a = await cli(['report', '--out', 'a.html'], full);
    const b = await cli(['report', '--out', 'b.html'], small);
    expect(a.stderr + b.stderr).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const sizeFull = fs.statSync(path.join(full, 'a.html')).size;
    const sizeSmall = fs.statSync(path.join(small, 'b.html')).size;
    // 16,281 vs 2,000 test rows: the same sections, lists capped.
    expect(sizeFull).toBeLessThan(2 * 1024 * 1024);
    expect(Math.abs(sizeFull - sizeSmall) / sizeFull).toBeLessThan(0.05);
    expect(fs.readFileSync(path.join(full, 'a.html'), 'utf8')).toContain('16,281 rows');
    expect(fs.readFileSync(path.join(small, 'b.html'), 'utf8')).toContain('2,000 rows');
  });

  it('opens with a summary of reliance, changes and checks, then the details', () => {
    expect(data.previous?.name).toBe('round-20');
    const summary = html.slice(html.indexOf('id="summary"'), html.indexOf('</section>'));
    expect(summary).toMatch(/Checkpoint round-30 relies most on relationship \(17\.7%\)/);
    expect(summary).toMatch(/Since round-20: test accuracy 86\.0% -&gt; 86\.6%/);
    const s = data.checks!.summary;
    expect(summary).toContain(s.failed + s.warnings === 0 ? `All ${s.passed} checks that ran passed (${s.skipped} skipped` : 'Warning: ');
    for (const id of ['metrics', 'importance', 'changes', 'checks', 'drift', 'timeline']) expect(html).toContain(`id="${id}"`);
    expect(md).toMatch(/^## Glassbox report/);
    expect(md).toContain('| relationship | 19.5% | 17.7% | 1 | = |');
  });

  it('names rows by line and index only: none of their raw values appear', async () => {
    const test = await Project.open(path.join(full, 'glassbox.json')).dataset('test', { keepRaw: true });
    const mentioned = new Set<number>(data.comparison!.flipped.listed.map((r) => r.row));
    for (const r of data.checks!.results) for (const f of r.findings) for (const e of f.rows) if (e.file === 'adult_test.csv') mentioned.add(e.row);
    expect(mentioned.size).toBeGreaterThan(5);
    const label = test.header.indexOf('income');
    const valuesOf = (row: number) => test.raw![row]!.filter((v, c) => c !== label && v.length >= 3 && !/^[0.]+$/.test(v));
    const found = (text: string, v: string) => new RegExp(`(?<![\\w.,-])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.,-])`).test(text);
    let checked = 0;
    for (const row of mentioned) {
      expect(html).toContain(`<td>${test.lines[row]}</td>`);
      for (const v of valuesOf(row)) {
        checked++;
        expect(found(html, v), `value '${v}' of row ${row} in the HTML`).toBe(false);
        expect(found(md, v), `value '${v}' of row ${row} in the Markdown`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(mentioned.size * 5);
    // The same search finds them where values are shown: `glassbox explain --json` of those rows.
    const rows = [...mentioned].slice(0, 5);
    const e = await cli(['explain', '--json', '--row', rows.join(',')], full);
    for (const row of rows) expect(valuesOf(row).some((v) => found(e.stdout, v))).toBe(true);
  });

  it('with --dp-epsilon, releases noisy aggregates and withholds row-level results; bad input is one line, exit 2', async () => {
    const dp = await cli(['report', '--out', 'dp.md', '--format', 'md', '--dp-epsilon', '2', '--no-drift', '--no-checks'], full);
    expect(dp.stderr).toBe('');
    const text = fs.readFileSync(path.join(full, 'dp.md'), 'utf8');
    expect(text).toMatch(/Differential privacy\.\*\* Aggregates carry Laplace noise: total epsilon 2 over \d+ released quantities/);
    expect(text).not.toContain('changed predicted class');
    for (const [args, message] of [
      [['--dp-epsilon', '0'], /epsilon must be a number > 0, got 0/],
      [['--dp-epsilon=-1'], /epsilon must be a number > 0, got -1/],
      [['--dp-epsilon', '1', '--dp-mechanism', 'gaussian', '--dp-delta', '2'], /delta must be in \(0, 1\)/],
      [['--out', path.join(full, 'no/such/dir/r.html')], /r\.html: cannot write the report: folder .* does not exist/],
      [['--out', full], /cannot write the report: it is a directory/],
      [['--format', 'pdf'], /--format must be html or md/],
    ] as const) {
      const r = await cli(['report', ...args], full);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it.skipIf(!fs.existsSync(CHROMIUM))(`shows every section in headless Chromium with every request blocked (${CHROMIUM})`, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const requests: string[] = [];
      const file = path.join(full, 'shown.html');
      fs.writeFileSync(file, html);
      // The page itself (a file) is let through; anything it would fetch is aborted and recorded.
      await page.route((url) => url.protocol !== 'file:', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await page.goto(`file://${file}`);
      for (const id of ['summary', 'metrics', 'importance', 'changes', 'checks', 'drift', 'timeline']) {
        const box = await page.locator(`#${id}`).boundingBox();
        expect(box, `#${id} rendered`).not.toBeNull();
        expect(box!.height).toBeGreaterThan(10);
      }
      const charts = await page.locator('svg').evaluateAll((svgs) => svgs.map((s) => ({ w: s.getBoundingClientRect().width, bars: s.querySelectorAll('rect, polyline').length })));
      expect(charts.length).toBeGreaterThanOrEqual(3);
      for (const c of charts) expect(c.w > 100 && c.bars > 2).toBe(true);
      expect(await page.locator('#summary li').count()).toBeGreaterThanOrEqual(4);
      expect(requests).toEqual([]);
      // Nothing to fetch in the first place: the only URL is the SVG namespace.
      expect(html.match(/\b(?:https?:|\/\/)[^\s"')]*/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
