/** Publishes the daemon's diagnostics, clearing files that no longer have any. */
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { PlainDiagnostic } from '../../daemon/types';
import { toUri } from '../uri';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(d: PlainDiagnostic): Diagnostic {
  return {
    range: { start: { line: d.line, character: d.start }, end: { line: d.line, character: d.end } },
    severity: SEVERITY[d.severity],
    source: 'glassbox',
    message: d.message,
    ...(d.code ? { code: d.code } : {}),
    ...(d.related?.length
      ? { relatedInformation: d.related.map((r) => ({ location: { uri: toUri(r.file), range: { start: { line: r.line, character: 0 }, end: { line: r.line, character: 1000 } } }, message: r.message })) }
      : {}),
  };
}

export function diagnosticsPublisher(connection: Connection): (byFile: Map<string, PlainDiagnostic[]>) => void {
  let published = new Set<string>();
  return (byFile) => {
    for (const file of published) if (!byFile.has(file)) void connection.sendDiagnostics({ uri: toUri(file), diagnostics: [] });
    for (const [file, list] of byFile) void connection.sendDiagnostics({ uri: toUri(file), diagnostics: list.map(toDiagnostic) });
    published = new Set(byFile.keys());
  };
}
