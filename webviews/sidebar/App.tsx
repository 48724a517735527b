/** The side panel: the project at a glance, updated live as checkpoints are analysed. */
import type { DashboardState } from '../../server/src/protocol/panels';
import { post, useExtensionMessages } from '../common/bridge';
import { Banner } from '../common/components';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { Checks } from './components/Checks';
import { Drift } from './components/Drift';
import { Importance } from './components/Importance';
import { Suspects } from './components/Suspects';
import { Timeline } from './components/Timeline';

export function App() {
  const message = useExtensionMessages();
  const state = message?.type === 'dashboard' ? message.state : undefined;
  return (
    <main>
      <div className="toolbar">
        <button onClick={() => post({ type: 'refresh' })}>Refresh</button>
        <button className="secondary" onClick={() => post({ type: 'runChecks' })}>Run Checks</button>
      </div>
      {message?.type === 'loading' && <Banner kind="loading" message={message.message} />}
      {message?.type === 'error' && <Banner kind="error" message={message.message} />}
      {!message && <Banner kind="loading" message="Waiting for the Glassbox daemon…" />}
      {state && <Dashboard state={state} />}
    </main>
  );
}

export function Dashboard({ state }: { state: DashboardState }) {
  return (
    <>
      <ErrorBoundary what="The checkpoints"><Timeline checkpoints={state.checkpoints} /></ErrorBoundary>
      <ErrorBoundary what="Global importance"><Importance importance={state.importance} /></ErrorBoundary>
      <ErrorBoundary what="Drift-weighted importance"><Drift drift={state.drift} /></ErrorBoundary>
      <ErrorBoundary what="Suspect rows"><Suspects suspects={state.suspects} /></ErrorBoundary>
      <ErrorBoundary what="Checks"><Checks checks={state.checks} /></ErrorBoundary>
    </>
  );
}
