/** Checks a message from a webview before the extension acts on it (a webview is untrusted input). */
import type { FromWebview } from '../../server/src/protocol/webview';

const str = (v: unknown): v is string => typeof v === 'string';
const line = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

/** Most features a what-if edit may carry, and the longest value typed into one. */
export const MAX_WHAT_IF_FEATURES = 2000;
export const MAX_WHAT_IF_CHARS = 1000;

function whatIfValues(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const entries = Object.entries(v);
  return entries.length <= MAX_WHAT_IF_FEATURES && entries.every(([, x]) => x === null || (typeof x === 'number' && Number.isFinite(x)) || (str(x) && x.length <= MAX_WHAT_IF_CHARS));
}

/** Largest export accepted (a PNG of a tall chart, a table of every suspect row). */
export const MAX_EXPORT_CHARS = 32 * 1024 * 1024;

/** A suggested file name: one path segment of ordinary characters with the format's extension. */
function exportFilename(v: unknown, format: string): boolean {
  return str(v) && v.length <= 120 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) && v.endsWith(`.${format}`);
}

function exportContent(v: unknown, format: unknown): boolean {
  if (!str(v) || v.length > MAX_EXPORT_CHARS) return false;
  return format === 'png' ? /^data:image\/png;base64,[A-Za-z0-9+/]*={0,2}$/.test(v) : true;
}

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
    case 'explainMethods':
      return Array.isArray(o.methods) && o.methods.length >= 1 && o.methods.length <= 8 && o.methods.every(str);
    case 'compare':
      return str(o.a) && str(o.b);
    case 'pin':
      return typeof o.pinned === 'boolean';
    case 'selectCheckpoint':
      return o.checkpoint === null || (str(o.checkpoint) && o.checkpoint.length > 0 && o.checkpoint.length <= 512);
    case 'selectProject':
      return str(o.project) && o.project.length > 0 && o.project.length <= 4096;
    case 'exportReport':
      return o.format === 'html' || o.format === 'md';
    case 'whatIf':
      return Number.isSafeInteger(o.id) && (o.id as number) >= 0 && whatIfValues(o.values);
    case 'counterfactuals':
      return (o.target === undefined || (str(o.target) && o.target.length <= 512)) && (o.maxChanges === undefined || (Number.isInteger(o.maxChanges) && (o.maxChanges as number) >= 1 && (o.maxChanges as number) <= 100));
    case 'export':
      return (o.action === 'copy' || o.action === 'save') && (o.format === 'csv' || o.format === 'json' || o.format === 'png')
        && !(o.format === 'png' && o.action === 'copy') && exportFilename(o.filename, o.format) && exportContent(o.content, o.format);
    default:
      return false;
  }
}
