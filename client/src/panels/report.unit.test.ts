import { describe, expect, it } from 'vitest';
import { exportReport, reportTarget } from './report';
import { fakeDeps } from '../test/fakes';
import { COMMAND_FACTORIES } from '../commands';
import { Commands } from '../commandIds';

const HTML = '<!DOCTYPE html><html><body><h1>Glassbox report</h1></body></html>';

function setUp(pick: string | undefined, infoAnswer?: string) {
  const { deps, rec } = fakeDeps({
    infoAnswer,
    responses: { 'glassbox/exportReport': { format: 'html', text: HTML, checkpoint: 'epoch-005', previous: 'epoch-004' } },
  });
  const asked: { suggested: string; format: string }[] = [];
  const report = { daemon: deps.daemon, host: deps.host, pickTarget: async (suggested: string, format: 'html' | 'md') => (asked.push({ suggested, format }), pick) };
  return { deps, rec, report, asked };
}

describe('Export Report', () => {
  it('takes the format from the chosen file name, adding the asked one when it has none', () => {
    expect(reportTarget('/ws/r.md', 'html')).toEqual({ path: '/ws/r.md', format: 'md' });
    expect(reportTarget('/ws/r.MARKDOWN', 'html')).toEqual({ path: '/ws/r.MARKDOWN', format: 'md' });
    expect(reportTarget('/ws/r.htm', 'md')).toEqual({ path: '/ws/r.htm', format: 'html' });
    expect(reportTarget('/ws/report', 'md')).toEqual({ path: '/ws/report.md', format: 'md' });
    expect(reportTarget('/ws/report.txt', 'html')).toEqual({ path: '/ws/report.txt.html', format: 'html' });
  });

  it('asks where first, then the daemon for the report in that format, writes it and offers to open it', async () => {
    const { rec, report, asked } = setUp('/ws/out/weekly.html', 'Open');
    expect(await exportReport(report, 'html', '/ws/glassbox.json')).toBe('/ws/out/weekly.html');
    expect(asked).toEqual([{ suggested: 'glassbox-report.html', format: 'html' }]);
    expect(rec.requests.map((r) => [r.method, r.params])).toEqual([['glassbox/exportReport', { format: 'html', project: '/ws/glassbox.json' }]]);
    expect(rec.requests[0]!.signal).toBeInstanceOf(AbortSignal); // cancellable from its notification
    expect(rec.progress).toEqual(['Building the Glassbox report (HTML)…']);
    expect(rec.written).toEqual({ '/ws/out/weekly.html': HTML });
    expect(rec.infos).toEqual(['Glassbox report of epoch-005 (compared with epoch-004) saved to weekly.html.']);
    expect(rec.opened).toEqual([{ file: '/ws/out/weekly.html' }]);
  });

  it('asks for Markdown when a .md name is chosen from the HTML dialog', async () => {
    const { rec, report } = setUp('/ws/summary.md');
    await exportReport(report);
    expect(rec.requests.map((r) => r.params)).toEqual([{ format: 'md' }]);
    expect(Object.keys(rec.written)).toEqual(['/ws/summary.md']);
    expect(rec.opened).toEqual([]);
  });

  it('costs nothing when the dialog is cancelled', async () => {
    const { rec, report } = setUp(undefined);
    expect(await exportReport(report, 'md')).toBeUndefined();
    expect([rec.requests, rec.written, rec.infos]).toEqual([[], {}, []]);
  });

  it('is a command that passes the side panel\'s format and project, and says when the daemon is down', async () => {
    const { deps, rec } = fakeDeps();
    await COMMAND_FACTORIES[Commands.exportReport](deps)('md', '/ws/glassbox.json');
    await COMMAND_FACTORIES[Commands.exportReport](deps)();
    expect(rec.executed).toEqual([['exportReport', 'md', '/ws/glassbox.json'], ['exportReport', 'html', undefined]]);
    const down = fakeDeps({ running: false });
    await COMMAND_FACTORIES[Commands.exportReport](down.deps)();
    expect(down.rec.infos).toEqual(['The Glassbox daemon is not running.']);
    expect(down.rec.executed).toEqual([]);
  });
});
