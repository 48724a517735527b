/**
 * Every command id in one place. Titles, categories and `when` clauses are in package.json
 * (`contributes.commands` and `menus.commandPalette`); keep the two in step (a unit test checks).
 */
export const Commands = {
  explainRow: 'glassbox.explainRow',
  counterfactualRow: 'glassbox.counterfactualRow',
  showInfluentialRows: 'glassbox.showInfluentialRows',
  compareCheckpoints: 'glassbox.compareCheckpoints',
  runChecks: 'glassbox.runChecks',
  exportReport: 'glassbox.exportReport',
  openDashboard: 'glassbox.openDashboard',
  showSuspectRows: 'glassbox.showSuspectRows',
  restartDaemon: 'glassbox.restartDaemon',
  createConfig: 'glassbox.createConfig',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** The side panel (a webview view); VS Code derives the `<id>.focus` command from it. */
export const DASHBOARD_VIEW = 'glassbox.dashboard';
export const VIEW_CONTAINER = 'glassbox';
/** The first-run view: what Glassbox needs and the next step (package.json `viewsWelcome`). */
export const WELCOME_VIEW = 'glassbox.welcome';

/**
 * The daemon's `workspace/executeCommand` ids minus the extension's own: vscode-languageclient
 * registers each daemon id as a VS Code command, and an id the extension already registered would
 * make that throw ("command already exists") and the daemon fail to start in the editor.
 */
export function daemonCommandsToRegister(daemonIds: readonly string[]): string[] {
  const own = new Set<string>(Object.values(Commands));
  return daemonIds.filter((id) => !own.has(id));
}
