/** What the status item shows, from the daemon's `glassbox/serverStatus` and the findings count. */
import type { ServerStatusParams } from '../../server/src/protocol';

export interface StatusView {
  text: string;
  tooltip: string;
  severity: 'info' | 'warning' | 'error';
}

export function statusView(s: ServerStatusParams | undefined, findings: number, running: boolean): StatusView {
  if (!running) return { text: '$(circle-slash) Glassbox', tooltip: 'The Glassbox daemon is not running. Run "Glassbox: Restart Daemon".', severity: 'error' };
  if (!s) return { text: '$(loading~spin) Glassbox', tooltip: 'Starting the Glassbox daemon…', severity: 'info' };
  const icon = s.busy ? '$(sync~spin)' : s.health === 'error' ? '$(error)' : s.health === 'warning' ? '$(warning)' : '$(pass)';
  // While busy, the daemon's message names the running checkpoint and step with its progress and
  // what of it is ready ("Glassbox: analysing epoch-3: influence (40%) — importance, drift ready · 4 queued").
  const activity = s.busy ? s.message.replace(/^Glassbox: /, '') : undefined;
  const parts = [s.backend, activity ?? s.checkpoint, findings > 0 ? `${findings} finding${findings === 1 ? '' : 's'}` : undefined].filter(Boolean);
  const lines = [
    s.message,
    `Backend: ${s.backend ?? 'not chosen yet'}`,
    `Checkpoint: ${s.checkpoint ?? (s.busy ? 'the first is being analysed' : 'none analysed yet')}`,
    s.busy ? `Now: ${activity}` : 'Idle',
    `Findings: ${findings}`,
    ...(s.backendNotes ?? []),
  ];
  return {
    text: `${icon} Glassbox${parts.length ? ` (${parts.join(' · ')})` : ''}`,
    tooltip: lines.join('\n'),
    severity: s.health === 'error' ? 'error' : s.health === 'warning' ? 'warning' : 'info',
  };
}
