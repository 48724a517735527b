/** Wires one webview (panel or view) to a React app in dist/webviews and to typed messages. */
import * as vscode from 'vscode';
import { isFromWebview } from '../../../webviews/common/guards';
import type { FromWebview, ToWebview } from '../../../webviews/common/messages';
import { makeNonce, webviewHtml } from './html';

export type WebviewApp = 'sidebar' | 'explain' | 'compare';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')] };
}

/**
 * Renders `app` into `webview` and routes its messages to `onMessage`. The last state sent is kept
 * and re-sent when the app asks (`ready`), e.g. after VS Code recreated a hidden view.
 */
export class WebviewConnection implements vscode.Disposable {
  private last: ToWebview | undefined;
  /** The React app has mounted and said `ready` (its script ran under the CSP). */
  appReady = false;
  private readonly listener: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, extensionUri: vscode.Uri, app: WebviewApp, title: string, onMessage: (m: FromWebview) => unknown) {
    webview.options = webviewOptions(extensionUri);
    const asset = (ext: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webviews', `${app}.${ext}`)).toString();
    webview.html = webviewHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: asset('js'), styleUri: asset('css'), title });
    this.listener = webview.onDidReceiveMessage((m: unknown) => {
      if (!isFromWebview(m)) return;
      if (m.type === 'ready') {
        this.appReady = true;
        if (this.last) void this.webview.postMessage(this.last);
      }
      void onMessage(m);
    });
  }

  post(message: ToWebview): void {
    if (message.type !== 'loading') this.last = message;
    void this.webview.postMessage(message);
  }

  get lastMessage(): ToWebview | undefined {
    return this.last;
  }

  dispose(): void {
    this.listener.dispose();
  }
}
