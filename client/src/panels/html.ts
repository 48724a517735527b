/**
 * The HTML shell of every webview: a strict Content-Security-Policy (no inline code, scripts only
 * with this load's nonce, resources only from the extension's built webview folder).
 */
import { randomBytes } from 'node:crypto';

export interface WebviewAssets {
  /** `webview.cspSource` */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  nonce: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function webviewHtml(a: WebviewAssets): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(a.cspSource, a.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escape(a.styleUri)}">
<title>${escape(a.title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${a.nonce}" src="${escape(a.scriptUri)}"></script>
</body>
</html>`;
}
