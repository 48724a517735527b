/**
 * Every model check, by id, and the runner behind `glassbox check`. Adding a check: write
 * `checks/<id>.ts` exporting an object that `satisfies Check`, add it to CHECKS, document it in
 * docs/cli.md. Severities come from `checks.severity` in glassbox.json (`error`, `warning`, `off`),
 * else the check's default.
 */
import { GlassboxError, throwIfAborted, type SourceLocation } from '../errors';
import { suggest } from '../data/schema';
import type { CheckContext } from './context';
import { randomisation } from './randomisation';
import { dataRandomisationCheck } from './data-randomisation';
import { checkpointReset } from './checkpoint-reset';
import { leakage } from './leakage';
import { irrelevant } from './irrelevant';
import { protectedAttributes } from './protected';
import { monotonic } from './monotonic';
import { expectedTop } from './expected-top';
import { labelSuspects } from './label-suspects';
import { oodReference } from './ood-reference';
import { protectedInfluence } from './protected-influence';
import { generalisationGap } from './generalisation-gap';
import { calibration } from './calibration';
import { explanationQuality } from './explanation-quality';
import type { Check, CheckReport, CheckResult, SeveritySetting } from './types';

export const CHECKS: Check[] = [
  checkpointReset,
  leakage,
  labelSuspects,
  generalisationGap,
  calibration,
  oodReference,
  irrelevant,
  protectedAttributes,
  protectedInfluence,
  monotonic,
  expectedTop,
  randomisation,
  dataRandomisationCheck,
  explanationQuality,
];

export function checkIds(): string[] {
  return CHECKS.map((c) => c.id);
}

export function getCheck(id: string): Check {
  const c = CHECKS.find((k) => k.id === id);
  if (!c) throw new GlassboxError('usage', `unknown check '${id}'${suggest(id, checkIds())} (checks: ${checkIds().join(', ')})`);
  return c;
}

export interface RunOptions {
  /** Run only these check ids (in registry order). */
  only?: string[];
  /** Use these checks instead of the registry (tests, embedders). */
  checks?: Check[];
  signal?: AbortSignal;
  onProgress?: (check: Check, index: number, total: number) => void;
}

/** The severity of each check: configured, else its default; unknown ids are config errors. */
export function severities(ctx: Pick<CheckContext, 'config'>, checks: Check[]): Map<string, { severity: SeveritySetting; location?: SourceLocation }> {
  const configured = ctx.config.raw.checks?.severity ?? {};
  const ids = checks.map((c) => c.id);
  for (const id of Object.keys(configured)) {
    if (!ids.includes(id)) throw new GlassboxError('config', `unknown check '${id}' in checks.severity${suggest(id, ids)} (checks: ${ids.join(', ')})`, ctx.config.locate(['checks', 'severity', id]));
  }
  return new Map(
    checks.map((c) => {
      const set = configured[c.id];
      return [c.id, set ? { severity: set, location: ctx.config.locate(['checks', 'severity', c.id]) } : { severity: c.defaultSeverity }];
    }),
  );
}

export async function runChecks(ctx: CheckContext, options: RunOptions = {}): Promise<CheckReport> {
  const all = options.checks ?? CHECKS;
  const ids = all.map((c) => c.id);
  const only = options.only?.map((id) => {
    if (!ids.includes(id)) throw new GlassboxError('usage', `unknown check '${id}'${suggest(id, ids)} (checks: ${ids.join(', ')})`);
    return id;
  });
  const sev = severities(ctx, all);
  // Opt-in checks run when named, or when glassbox.json gives them a severity.
  const chosen = all.filter((c) => (only ? only.includes(c.id) : !c.optIn || sev.get(c.id)!.location !== undefined));
  const results: CheckResult[] = [];
  try {
    await runEach(ctx, chosen, sev, results, options);
  } finally {
    await ctx.release();
  }
  const failed = results.filter((r) => r.status === 'fail');
  const summary = {
    passed: results.filter((r) => r.status === 'pass').length,
    failed: failed.filter((r) => r.severity === 'error').length,
    warnings: failed.filter((r) => r.severity === 'warning').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  };
  let importance: CheckReport['importance'] = null;
  if (results.some((r) => chosen.find((c) => c.id === r.id)?.needs.includes('importance') && r.status !== 'skip')) {
    const s = await ctx.importance(options.signal);
    importance = { provider: s.provider, rows: s.rows.length, file: s.dataset.file };
  }
  return {
    checkpoint: { name: ctx.checkpoint.name, dir: ctx.checkpoint.dir, ...(ctx.checkpoint.hash ? { hash: ctx.checkpoint.hash } : {}) },
    importance,
    results,
    summary,
    ok: summary.failed === 0,
  };
}

async function runEach(ctx: CheckContext, chosen: Check[], sev: ReturnType<typeof severities>, results: CheckResult[], options: RunOptions): Promise<void> {
  for (const [i, check] of chosen.entries()) {
    throwIfAborted(options.signal);
    options.onProgress?.(check, i, chosen.length);
    const { severity, location } = sev.get(check.id)!;
    const base = { id: check.id, title: check.title, severity, ...(location ? { severityLocation: location } : {}) };
    if (severity === 'off') {
      results.push({ ...base, status: 'skip', summary: 'off in glassbox.json (checks.severity)', findings: [], ms: 0 });
      continue;
    }
    const started = performance.now();
    const outcome = await check.run(ctx, options.signal);
    const milder = !location && outcome.status === 'fail' && outcome.findings.length > 0 && outcome.findings.every((f) => f.severity === 'warning');
    results.push({ ...base, ...(milder ? { severity: 'warning' as const } : {}), ...outcome, ms: Math.round(performance.now() - started) });
  }
}
