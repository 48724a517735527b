/**
 * The one interface every model check implements, and the plain-data findings it returns.
 *
 * A check declares what it needs (a model, training rows, reference rows, the checkpoint series,
 * importance shares, an expectation from glassbox.json); the runner (registry.ts) builds one
 * `CheckContext` per run, skips checks whose needs are not met, applies the configured severity and
 * collects findings. Findings are plain JSON (numbers, strings, source locations): the CLI prints
 * them and the daemon can turn them into diagnostics without knowing any check.
 */
import type { SourceLocation } from '../errors';
import type { CheckContext } from './context';

/** How a failing check is reported: `error` fails `glassbox check` (exit 1), `warning` does not. */
export type Severity = 'error' | 'warning';
/** Configured severity: `off` disables the check. */
export type SeveritySetting = Severity | 'off';

export type CheckNeed = 'model' | 'dense-stack' | 'train' | 'reference' | 'labels' | 'series' | 'importance' | 'expectation';

/** A data row that shows the problem, with the file line it starts on. */
export interface EvidenceRow {
  file: string;
  /** 0-based row index in the file (header excluded). */
  row: number;
  /** 1-based line the row starts on. */
  line: number;
  /** What this row shows, in one sentence. */
  detail: string;
  /** Numbers behind the detail (check-specific). */
  values?: Record<string, number | string>;
}

export interface Finding {
  /** One sentence naming the problem and the evidence. */
  message: string;
  /** What the check measured (the number compared with `limit`). */
  measured: number;
  /** The allowed value that `measured` broke. */
  limit: number;
  /** What `measured` is, e.g. 'importance share', 'violation rate'. */
  metric: string;
  /** The feature, layer, method or checkpoint the finding is about. */
  subject?: string;
  /** Where the expectation or setting is written (glassbox.json line), or the checkpoint file. */
  location?: SourceLocation;
  /** Example rows (worst first). */
  evidence: EvidenceRow[];
  /** Further check-specific numbers (plain JSON). */
  details?: Record<string, unknown>;
  /**
   * Milder than the check when the evidence is weaker (a likely leak with no labelled data to
   * confirm it): when every finding of a failing check says 'warning' and glassbox.json does not
   * set the check's severity, the result is a warning.
   */
  severity?: Severity;
}

export interface CheckOutcome {
  status: 'pass' | 'fail' | 'skip';
  /** One line: what was checked and the headline number, or why it was skipped. */
  summary: string;
  findings: Finding[];
  /** Check-specific measurements for reports (plain JSON). */
  details?: Record<string, unknown>;
}

export interface Check {
  id: string;
  title: string;
  /** One line: what the check detects. */
  description: string;
  /** The paper or method it follows, when there is one. */
  reference?: string;
  needs: CheckNeed[];
  defaultSeverity: Severity;
  /** Slow checks run only when asked for (`--only` or a configured severity). */
  optIn?: boolean;
  run(ctx: CheckContext, signal?: AbortSignal): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  severity: SeveritySetting;
  /** Where the severity was set in glassbox.json, when it was. */
  severityLocation?: SourceLocation;
  ms: number;
}

export interface CheckReport {
  checkpoint: { name: string; dir: string; hash?: string };
  importance: { provider: string; rows: number; file: string } | null;
  results: CheckResult[];
  /** Counts of results by outcome; `failed` counts only error-severity failures. */
  summary: { passed: number; failed: number; warnings: number; skipped: number };
  /** True when no check with severity `error` failed. */
  ok: boolean;
}

export const pass = (summary: string, details?: Record<string, unknown>): CheckOutcome => ({ status: 'pass', summary, findings: [], ...(details ? { details } : {}) });
export const skip = (summary: string): CheckOutcome => ({ status: 'skip', summary, findings: [] });
export const outcome = (findings: Finding[], passSummary: string, failSummary: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: findings.length ? 'fail' : 'pass',
  summary: findings.length ? failSummary : passSummary,
  findings,
  ...(details ? { details } : {}),
});
