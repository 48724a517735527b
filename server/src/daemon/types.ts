/** Plain data the daemon hands to its front end (the LSP layer converts it; tests read it). */

export type Severity = 'error' | 'warning' | 'info';

export interface PlainDiagnostic {
  file: string;
  /** 0-based line and character range. */
  line: number;
  start: number;
  end: number;
  severity: Severity;
  message: string;
  code?: string;
  related?: Array<{ file: string; line: number; message: string }>;
}

/** A place from a 1-based `SourceLocation`, spanning the rest of the line. */
export function diagnosticAt(location: { file: string; line?: number; column?: number }, severity: Severity, message: string, code?: string): PlainDiagnostic {
  const line = Math.max(0, (location.line ?? 1) - 1);
  const start = Math.max(0, (location.column ?? 1) - 1);
  return { file: location.file, line, start, end: start + 1000, severity, message, ...(code ? { code } : {}) };
}
