/** Wires one webview (panel or view) to a React app in dist/webviews and to typed messages. */
import * as vscode from 'vscode';
import { isFromWebview } from '../../../webviews/common/guards';
import type { FromWebview, ToWebview } from '../../../server/src/protocol/webview';
import { runExport } from './export';
import { makeNonce, webviewHtml } from './html';
import { Replay, themeMessage } from './panelMessages';


export type WebviewApp = 'sidebar' | 'explain' | 'compare';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')] };
}

/**
 * Renders `app` into `webview` and routes its messages to `onMessage`. The last state sent (and the
 * counterfactuals about its row) is kept and re-sent when the app asks (`ready`), e.g. after VS
 * Code recreated a hidden view. Exports are carried out here for every panel; a theme change is
 * forwarded so charts take the new colours.
 */
export class WebviewConnection implements vscode.Disposable {
  private readonly replay = new Replay();
  /** The React app has mounted and said `ready` (its script ran under the CSP). */
  appReady = false;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly webview: vscode.Webview, extensionUri: vscode.Uri, app: WebviewApp, title: string, onMessage: (m: FromWebview) => unknown) {
    webview.options = webviewOptions(extensionUri);
    const asset = (ext: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webviews', `${app}.${ext}`)).toString();
    webview.html = webviewHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: asset('js'), styleUri: asset('css'), title });
    this.listeners = [
      webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromWebview(m)) return;
        if (m.type === 'ready') {
          this.appReady = true;
          for (const again of this.replay.messages()) void this.webview.postMessage(again);
        }
        if (m.type === 'export') {
          runExport(m).catch((e: unknown) => void vscode.window.showErrorMessage(`Glassbox: could not export ${m.filename}: ${e instanceof Error ? e.message : String(e)}`));
          return;
        }
        void onMessage(m);
      }),
      vscode.window.onDidChangeActiveColorTheme((t) => void this.webview.postMessage(themeMessage(t.kind))),
    ];
  }

  post(message: ToWebview): void {
    this.replay.remember(message);
    void this.webview.postMessage(message);
  }

  get lastMessage(): ToWebview | undefined {
    return this.replay.lastState;
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
  }
}
