/**
 * On demand (`glassbox/exportReport`): the shareable report of `glassbox report` for the step's
 * checkpoint, compared with the previous ready checkpoint, as HTML or Markdown text
 * (`params.format`, default html). The same core (core/report) builds it, so the editor's and the
 * browser dashboard's export equal the CLI's file. No raw data values (core/report/data.ts).
 */
import { buildReport } from '../../core/report/data';
import { renderHtml } from '../../core/report/html';
import { renderMarkdown } from '../../core/report/markdown';
import type { AnalysisStep, StepOutput } from './types';

export interface ReportResult extends StepOutput {
  format: 'html' | 'md';
  text: string;
  checkpoint: string;
  previous: string | null;
}

export const reportStep = {
  id: 'report',
  title: 'Export report',
  priority: 0,
  invalidatedBy: ['data', 'config'],
  onDemand: true,
  async run({ project, checkpoint, signal, params }) {
    const format = params.format === 'md' ? 'md' : 'html';
    const data = await buildReport(project, { checkpoint, signal });
    return { format, text: format === 'md' ? renderMarkdown(data) : renderHtml(data), checkpoint: data.latest.name, previous: data.previous?.name ?? null };
  },
} satisfies AnalysisStep<ReportResult>;
