/**
 * The webview side of the message bridge: typed `post`, a listener hook, and persisted UI state
 * (VS Code's getState/setState) so a panel looks the same after being hidden and shown. Outside VS
 * Code, on the daemon's dashboard page, browser-bridge.ts stands in for VS Code's API.
 */
import { useEffect, useRef, useState } from 'react';
import { createBrowserApi, dashboardSocketUrl, type WebviewApi as VsCodeApi } from './browser-bridge';
import { isState, isToWebview, type FromWebview, type ToWebview } from '../../server/src/protocol/webview';
import { themeChanged } from './theme';

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

/** Outside VS Code and the dashboard page (component tests) messages are recorded here instead of posted. */
export const posted: FromWebview[] = [];
let memoryState: unknown;

let api: VsCodeApi | undefined;
function vscodeApi(): VsCodeApi {
  if (!api) {
    const socketUrl = typeof acquireVsCodeApi === 'function' ? undefined : dashboardSocketUrl();
    if (typeof acquireVsCodeApi === 'function') api = acquireVsCodeApi();
    else if (socketUrl) api = createBrowserApi({ socketUrl }); // the daemon's dashboard page
    else api = { postMessage: (m) => posted.push(m as FromWebview), getState: () => memoryState, setState: (s) => { memoryState = s; } };
  }
  return api;
}

export function post(message: FromWebview): void {
  vscodeApi().postMessage(message);
}

export function getPersisted<T extends object>(): Partial<T> {
  return (vscodeApi().getState() as Partial<T> | undefined) ?? {};
}

export function persist<T extends object>(patch: Partial<T>): void {
  vscodeApi().setState({ ...getPersisted<T>(), ...patch });
}

/** Test helper: forget recorded messages and persisted state. */
export function resetBridge(): void {
  posted.length = 0;
  memoryState = undefined;
  api = undefined;
}

/** The last message from the extension (restored from persisted state on a re-shown panel). */
export function useExtensionMessages(): ToWebview | undefined {
  const [last, setLast] = useState<ToWebview | undefined>(() => getPersisted<{ last: ToWebview }>().last);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      if (!isToWebview(e.data)) return;
      if (e.data.type === 'theme') return themeChanged(); // same state, new colours
      setLast(e.data);
      if (isState(e.data)) persist({ last: e.data });
    };
    window.addEventListener('message', onMessage);
    post({ type: 'ready' });
    return () => window.removeEventListener('message', onMessage);
  }, []);
  return last;
}

/**
 * Calls `onMessage` with every message from the extension (answers that arrive one after another,
 * such as what-if results, each reach the panel, not only the last one rendered).
 */
export function useExtensionListener(onMessage: (m: ToWebview) => void): void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    const listener = (e: MessageEvent) => {
      if (isToWebview(e.data)) handler.current(e.data);
    };
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }, []);
}

/** React state that is also persisted in the webview's state under `key`. */
export function usePersistentState<T>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => (getPersisted<Record<string, T>>()[key] ?? initial));
  return [value, (v: T) => { setValue(v); persist({ [key]: v }); }];
}
