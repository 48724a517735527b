/**
 * LSP work-done progress, one per analysis job, when the client supports server-initiated
 * progress (`window.workDoneProgress`).
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { Job } from '../../daemon/scheduler';

export interface ProgressReporter {
  started(job: Job): void;
  progress(job: Job, fraction: number, message?: string): void;
  ended(job: Job, outcome: 'done' | 'failed' | 'cancelled'): void;
}

export function progressReporter(connection: Connection, supported: () => boolean): ProgressReporter {
  const open = new Map<Job, Promise<WorkDoneProgressServerReporter | undefined>>();
  return {
    started(job) {
      if (!supported()) return;
      const p = connection.window.createWorkDoneProgress().then(
        (r) => {
          r.begin('Glassbox', 0, job.title, false);
          return r;
        },
        () => undefined,
      );
      open.set(job, p);
    },
    progress(job, fraction, message) {
      void open.get(job)?.then((r) => r?.report(Math.round(fraction * 100), message ? `${job.title}: ${message}` : job.title));
    },
    ended(job, outcome) {
      const p = open.get(job);
      open.delete(job);
      void p?.then((r) => {
        if (outcome !== 'done') r?.report(100, `${job.title}: ${outcome}`);
        r?.done();
      });
    },
  };
}
