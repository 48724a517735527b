/**
 * The model checks of glassbox.json (`runChecks`, as `glassbox check` runs them) on the analysed
 * checkpoint. Every failed check's findings become diagnostics at the config line of the
 * expectation or setting (else the check's severity setting, else the config file), with the
 * measured value and the limit in the message, related information pointing at the evidence rows,
 * and, when the finding is about a feature, wherever that feature is a string literal.
 */
import { runChecks } from '../../core/checks/registry';
import { checkOptions, createCheckContext } from '../../core/checks/context';
import { num } from '../../core/checks/evidence';
import { featureNames } from '../../core/data/encoding';
import type { AnalysisStep, Finding, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

/** Counts and ranks as integers, other numbers as the CLI prints them. */
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : num(x));

export interface CheckSummary {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  severity: 'error' | 'warning' | 'off';
  summary: string;
  findings: Array<{ message: string; metric: string; measured: number; limit: number; subject?: string; file?: string; line?: number; evidence: Array<{ file: string; line: number; row: number; detail: string }> }>;
}

export interface ChecksResult extends StepOutput {
  checkpoint: string;
  ok: boolean;
  results: CheckSummary[];
}

export const checksStep = {
  ...STEP_CATALOG.checks,
  async run({ project, checkpoint, signal, progress }) {
    const model = await project.model(checkpoint, { allowNonFinite: true });
    const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
    const report = await runChecks(ctx, { signal, onProgress: (check, i, total) => progress(i / total, check.title) });
    const names = new Set(featureNames(ctx.encoding));
    const results: CheckSummary[] = report.results.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      severity: r.severity,
      summary: r.summary,
      findings: r.findings.map((f) => {
        const where = f.location ?? r.severityLocation;
        return {
          message: f.message,
          metric: f.metric,
          measured: f.measured,
          limit: f.limit,
          ...(f.subject ? { subject: f.subject } : {}),
          ...(where ? { file: where.file, ...(where.line !== undefined ? { line: where.line } : {}) } : {}),
          evidence: f.evidence.map((e) => ({ file: e.file, line: e.line, row: e.row, detail: e.detail })),
        };
      }),
    }));
    const findings: Finding[] = [];
    for (const r of results) {
      if (r.status !== 'fail' || r.severity === 'off') continue;
      for (const f of r.findings) {
        findings.push({
          severity: r.severity,
          code: `check:${r.id}`,
          message: `${r.title}: ${f.message} (${f.metric} measured ${fmt(f.measured)}, limit ${fmt(f.limit)}; checkpoint ${checkpoint.name})`,
          file: f.file ?? project.config.file,
          ...(f.line !== undefined ? { line: f.line } : {}),
          ...(f.subject && names.has(f.subject) ? { feature: f.subject } : {}),
          related: f.evidence.map((e) => ({ file: e.file, line: e.line, message: `row ${e.row}: ${e.detail}` })),
        });
      }
    }
    progress(1);
    return { checkpoint: checkpoint.name, ok: report.ok, results, findings };
  },
} satisfies AnalysisStep<ChecksResult>;
