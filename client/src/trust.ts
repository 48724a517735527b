/**
 * Workspace trust: the daemon loads model files (TensorFlow.js manifests and weights, ONNX) from
 * the workspace, so it never starts in Restricted Mode. The manifest declares
 * `capabilities.untrustedWorkspaces.supported: "limited"`: the extension activates, its commands
 * and panels say why nothing runs, and the daemon starts once the user grants trust.
 */

/** The part of `vscode.workspace` this needs (unit tests pass a fake). */
export interface TrustSource {
  readonly isTrusted: boolean;
  onDidGrantWorkspaceTrust(listener: () => unknown): { dispose(): unknown };
}

export const RESTRICTED_MESSAGE = 'Glassbox does not run in Restricted Mode: its daemon loads model files from the workspace. Trust this workspace to start it.';

/**
 * Runs `start` now when the workspace is trusted, otherwise once trust is granted (at most once).
 * The returned disposable stops waiting.
 */
export function startWhenTrusted(trust: TrustSource, start: () => Promise<void>): { dispose(): void } {
  if (trust.isTrusted) {
    void start();
    return { dispose() {} };
  }
  let started = false;
  const subscription = trust.onDidGrantWorkspaceTrust(() => {
    if (started) return;
    started = true;
    subscription.dispose();
    void start();
  });
  return { dispose: () => void subscription.dispose() };
}
