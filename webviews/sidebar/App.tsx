/**
 * The side panel: the project at a glance, updated live as checkpoints are analysed. Order: status
 * and checks (the CI gate), the checkpoint picker, importance and its trend, metrics, drift impact,
 * suspects. The picker drives every section: each shows the picked checkpoint's numbers or says
 * they were not computed for it. Long content (tables, the suspect list) is folded so the panel
 * stays short.
 */
import { useEffect } from 'react';
import type { DashboardState } from '../../server/src/protocol/panels';
import { persist, post, usePersistentState, useExtensionMessages } from '../common/bridge';
import { Banner } from '../common/components';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { hasResults, projectName, type DashboardView } from '../common/state';
import { Drift } from './components/Drift';
import { Importance } from './components/Importance';
import { Metrics } from './components/Metrics';
import { Status } from './components/Status';
import { Suspects } from './components/Suspects';
import { CheckpointPicker, Timeline } from './components/Timeline';

export function App() {
  const message = useExtensionMessages();
  const state = message?.type === 'dashboard' ? message.state : undefined;
  return (
    <main>
      <div className="toolbar">
        <button onClick={() => post({ type: 'refresh' })}>Refresh</button>
        <ReportMenu />
      </div>
      {message?.type === 'loading' && <Banner kind="loading" message={message.message} />}
      {message?.type === 'error' && <Banner kind="error" message={message.message} />}
      {!message && <Banner kind="loading" message="Waiting for the Glassbox daemon…" />}
      {state && <ProjectPicker state={state} />}
      {state && <Dashboard key={state.project ?? ''} state={state} />}
    </main>
  );
}

export function Dashboard({ state }: { state: DashboardState }) {
  const view = state as DashboardView;
  const [picked, setPicked] = usePersistentState<string | undefined>('checkpoint', undefined);
  const listed = picked !== undefined && view.checkpoints.some((c) => c.name === picked);
  const pick = (c: string | undefined) => {
    setPicked(c);
    post({ type: 'selectCheckpoint', checkpoint: c ?? null });
  };
  // The host asks the daemon for the picked checkpoint's state; a pick restored with the panel is
  // told again. A picked checkpoint that is gone (new run, folder recreated) falls back to the newest.
  useEffect(() => {
    if (picked !== undefined) pick(listed ? picked : undefined);
  }, [listed]);
  const checkpoint = listed ? picked : undefined;
  return (
    <>
      <ErrorBoundary what="The status"><Status state={view} /></ErrorBoundary>
      <CheckpointPicker checkpoints={view.checkpoints.filter((c) => hasResults(view, c) || c.name === checkpoint)} value={checkpoint} onChange={pick} />
      <ErrorBoundary what="The checkpoints"><Timeline checkpoints={view.checkpoints} /></ErrorBoundary>
      <ErrorBoundary what="Global importance"><Importance state={view} checkpoint={checkpoint} /></ErrorBoundary>
      <ErrorBoundary what="Metrics"><Metrics checkpoints={view.checkpoints} picked={checkpoint ?? view.importance?.checkpoint} run={view.run} previous={view.previousRun} /></ErrorBoundary>
      <ErrorBoundary what="Drift impact"><Drift state={view} checkpoint={checkpoint} /></ErrorBoundary>
      <ErrorBoundary what="Suspect rows"><Suspects state={view} checkpoint={checkpoint} /></ErrorBoundary>
    </>
  );
}

/** With several projects in the workspace: which one the panel shows (their folder names). */
export function ProjectPicker({ state }: { state: DashboardState }) {
  const projects = state.projects ?? [];
  if (projects.length < 2 || !state.project) return null;
  return (
    <div className="toolbar">
      <label htmlFor="project">Project</label>
      <select id="project" value={state.project} onChange={(e) => {
        persist({ checkpoint: undefined }); // a picked checkpoint belongs to its project
        post({ type: 'selectProject', project: e.target.value });
      }}>
        {projects.map((p) => <option key={p} value={p} title={p}>{projectName(p)}</option>)}
      </select>
    </div>
  );
}

/** The shareable report (`glassbox report`): saved through the editor, or downloaded on the browser dashboard. */
function ReportMenu() {
  return (
    <details className="export">
      <summary aria-label="Export report" title="The newest checkpoint's report, to share with people who do not open the editor">Export report</summary>
      <div className="export-actions">
        <button className="link" onClick={() => post({ type: 'exportReport', format: 'html' })}>HTML (one self-contained file)…</button>
        <button className="link" onClick={() => post({ type: 'exportReport', format: 'md' })}>Markdown (pull request, CI summary)…</button>
      </div>
    </details>
  );
}
