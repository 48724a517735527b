/**
 * Training metrics over the checkpoints: every metric recorded with a checkpoint (loss, accuracy,
 * validation and test metrics), as curves. Losses and errors (lower is better, unbounded) and scores
 * (higher is better, usually 0..1) get separate charts so neither flattens the other.
 */
import type { CheckpointSummary } from '../../../server/src/protocol/panels';
import { ChartCanvas } from '../../common/Chart';
import { Definition, ExportMenu, fmt, Section } from '../../common/components';

const LOWER_IS_BETTER = /loss|error|rmse|mae|mse|brier|perplexity/i;

/** Every metric name, in order of first appearance, split into losses and scores. */
export function metricGroups(cks: CheckpointSummary[]): { losses: string[]; scores: string[] } {
  const names = [...new Set(cks.flatMap((c) => Object.keys(c.metrics ?? {})))];
  return { losses: names.filter((n) => LOWER_IS_BETTER.test(n)), scores: names.filter((n) => !LOWER_IS_BETTER.test(n)) };
}

export interface MetricLine {
  metric: string;
  /** undefined = the current run */
  run?: string;
  /** One value per x position (null = not recorded there). */
  values: (number | null)[];
}

/**
 * The curves of a group of metrics: the current run's, and the previous run's (dashed) aligned by
 * position in training order (1st checkpoint with 1st checkpoint), so the two runs read side by side.
 */
export function metricLines(group: string[], cks: CheckpointSummary[], previous?: { run: string; checkpoints: CheckpointSummary[] }): MetricLine[] {
  const n = Math.max(cks.length, previous?.checkpoints.length ?? 0);
  const at = (list: CheckpointSummary[], m: string) => Array.from({ length: n }, (_, i) => list[i]?.metrics?.[m] ?? null);
  const lines: MetricLine[] = group.map((m) => ({ metric: m, values: at(cks, m) }));
  if (previous) {
    for (const m of group) {
      const values = at(previous.checkpoints, m);
      if (values.some((v) => v !== null)) lines.push({ metric: m, run: previous.run, values });
    }
  }
  return lines;
}

export function Metrics({ checkpoints, picked, run, previous }: { checkpoints: CheckpointSummary[]; picked: string | undefined; run?: string; previous?: { run: string; checkpoints: CheckpointSummary[] } }) {
  const withMetrics = checkpoints.filter((c) => c.metrics && Object.keys(c.metrics).length);
  return (
    <Section title="Metrics" data={withMetrics} source={run ? `run ${run}` : undefined}
      empty="No metrics recorded with the checkpoints (write them in the checkpoint metadata, or stream them: docs/protocol.md).">
      {(cks) => {
        const { losses, scores } = metricGroups(cks);
        const names = [...losses, ...scores];
        const prevCks = previous?.checkpoints.filter((c) => c.metrics && Object.keys(c.metrics).length);
        const prev = prevCks?.length ? { run: previous!.run, checkpoints: prevCks } : undefined;
        const labels = Array.from({ length: Math.max(cks.length, prev?.checkpoints.length ?? 0) }, (_, i) => cks[i]?.name ?? `#${i + 1}`);
        // `axis` stays a word or two: the rotated y title gets only the plot's height (~60 px at the
        // side panel's usual width, legend below); what "better" means is in the caption `title`.
        const chart = (group: string[], title: string, axis: string) => group.length > 0 && (
          <>
          <h3 className="sub">{title}</h3>
          <ChartCanvas label={title} height={150} deps={[cks, prev, group.join(','), picked]}
            build={(c) => ({
              type: 'line',
              data: {
                labels,
                datasets: metricLines(group, cks, prev).map((l) => {
                  const colour = c.series[group.indexOf(l.metric) % c.series.length];
                  return {
                    label: l.run ? `${l.metric} (run ${l.run})` : l.metric, data: l.values, spanGaps: true,
                    borderColor: colour, backgroundColor: colour, ...(l.run ? { borderDash: [4, 3], pointRadius: 0 } : { pointRadius: labels.map((k) => (k === picked ? 5 : 2)) }),
                  };
                }),
              },
              // The previous run's dashed curves share their metric's colour and stay out of the
              // legend (the caption says what dashed means), so the legend keeps to one line or two.
              // The x ticks are the checkpoints' names (no title needed), kept flat: rotated names
              // would take the little height the plot has at 300 px.
              options: { plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, filter: (item, data) => !(data.datasets[item.datasetIndex ?? 0] as { borderDash?: unknown }).borderDash } } }, scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { title: { display: true, text: axis } } } },
            })} />
          </>
        );
        return (
          <>
            <div className="toolbar">
              <Definition>Values recorded with each checkpoint by the training script (its own definitions and data split){picked ? `; ${picked} is marked` : ''}{prev ? `; dashed: the previous run ${prev.run}, checkpoint by checkpoint` : ''}.</Definition>
              <ExportMenu table={{ title: 'metrics', columns: ['checkpoint', 'epoch', ...names], rows: cks.map((c) => [c.name, c.epoch, ...names.map((m) => c.metrics?.[m])]) }} />
            </div>
            {chart(losses, 'Losses and errors (lower = better)', losses.every((m) => /loss/i.test(m)) ? 'loss' : 'value')}
            {chart(scores, 'Scores (higher = better)', 'score')}
            <details className="more">
              <summary>Table ({cks.length} checkpoints × {names.length} metrics)</summary>
              <table aria-label="Metrics">
                <thead><tr><th>checkpoint</th>{names.map((m) => <th key={m} className="num">{m}</th>)}</tr></thead>
                <tbody>{cks.map((c) => <tr key={c.name} className={c.name === picked ? 'picked' : undefined}><td>{c.name}</td>{names.map((m) => <td key={m} className="num">{fmt(c.metrics?.[m])}</td>)}</tr>)}</tbody>
              </table>
            </details>
          </>
        );
      }}
    </Section>
  );
}
