/**
 * Every custom message between the extension, the daemon and other LSP clients. Each is typed
 * here once and documented in docs/protocol.md; a new message means editing both together.
 * Messages carry plain JSON only.
 */
import { NotificationType } from 'vscode-languageserver-protocol';

export type Health = 'ok' | 'warning' | 'error';

export interface ServerStatusParams {
  health: Health;
  /** True while an analysis is running. */
  busy: boolean;
  /** One line for the status bar / language status item. */
  message: string;
  /** Tensor backend in use (`wasm`, `tensorflow`, ...). */
  backend?: string;
  /** Why faster backends were skipped, one line each. */
  backendNotes?: string[];
  /** Name of the newest analysed checkpoint. */
  checkpoint?: string;
}

/** daemon -> client: the daemon's health, whenever it changes. */
export namespace ServerStatusNotification {
  export const method = 'glassbox/serverStatus';
  export const type = new NotificationType<ServerStatusParams>(method);
}
