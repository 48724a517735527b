/** Checks a message from a webview before the extension acts on it (a webview is untrusted input). */
import type { FromWebview } from './messages';

const str = (v: unknown): v is string => typeof v === 'string';
const line = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

export function isFromWebview(m: unknown): m is FromWebview {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'refresh':
    case 'runChecks':
      return true;
    case 'openLocation':
    case 'explainRow':
      return str(o.file) && line(o.line);
    case 'selectMethod':
      return str(o.method);
    case 'compare':
      return str(o.a) && str(o.b);
    default:
      return false;
  }
}
