/**
 * One method's view of the row: a waterfall from the base value to the model's output for an
 * additive method with a base value; signed bars otherwise (a gradient is a slope at the row, not a
 * share of the output). The table beside the chart holds the same numbers.
 */
import type { ExplainState, RawValue } from '../../server/src/protocol/panels';
import { ChartCanvas } from '../common/Chart';
import { Definition, ExportMenu, fmt, pct } from '../common/components';
import { methodKind, valueName } from './methods';

/**
 * Waterfall steps: features by decreasing |attribution|, each bar spanning from the running total
 * before it to the total after it, starting at the base value.
 */
export function waterfall(attributions: Record<string, number>, baseline = 0) {
  let total = baseline;
  return Object.entries(attributions)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(([feature, value]) => {
      const start = total;
      total += value;
      return { feature, value, start, end: total };
    });
}

export type ExplainView = ExplainState & {
  /** `additive` | `gradient` | `score`, when the daemon says (else inferred from the method id). */
  methodKind?: string;
  /** The explained output at the row (same units as `baseline`), when the daemon sends it. */
  output?: number;
  /** What the output is ("log-odds of >50K", "predicted income"), when the daemon sends it. */
  outputName?: string;
};

export function show(v: RawValue | undefined): string {
  return v === null || v === undefined ? '(missing)' : String(v);
}

/**
 * What the explained output is, exactly (the daemon's `outputKind`): one class's logit of a K-output
 * head, the log-odds of a one-output binary head, or the regression value. Short: it is also the
 * chart's axis title.
 */
export function outputName(state: ExplainView): string {
  if (state.outputName) return state.outputName;
  if (!('class' in state.prediction) || state.outputKind === 'value') return 'predicted value';
  const c = state.prediction.class;
  return state.outputKind === 'log-odds' ? `log-odds of ${c}` : state.outputKind === 'logit' ? `logit of ${c}` : `output for ${c}`;
}

/**
 * How the shown probability relates to the explained output: a logit is one of K softmax inputs, so
 * p does not follow from it alone; log-odds give p = sigmoid(output). Empty for regression.
 */
export function probabilityNote(state: ExplainView): string {
  if (!('class' in state.prediction)) return '';
  const p = `p = ${pct(state.prediction.probability)} for ${state.prediction.class}`;
  if (state.outputKind === 'logit') return `; the probability ${p} is the softmax over all ${state.classes.length} classes' logits, so it does not follow from this logit alone`;
  if (state.outputKind === 'log-odds') return `; the probability ${p} is the sigmoid of the log-odds`;
  return `; the model's probability: ${p} (the output is the class's logit, or its log-odds for a one-output model)`;
}

/** `name`: what the chart and table are called (default: the method's attributions), when a panel shows several. */
export function Attributions({ state, compact = false, name: caption }: { state: ExplainView; compact?: boolean; name?: string }) {
  const kind = methodKind(state.method, state.methodKind);
  const isWaterfall = kind === 'additive' && state.baseline !== undefined;
  const steps = waterfall(state.attributions, isWaterfall ? state.baseline : 0);
  const output = isWaterfall ? (steps.at(-1)?.end ?? state.baseline!) : undefined;
  const name = valueName(kind);
  // The output bar is named by the axis title (what the output is); p is in the text above.
  const labels = isWaterfall ? ['base value', ...steps.map((s) => s.feature), 'output'] : steps.map((s) => s.feature);
  const title = `${caption ? `${caption}: ` : ''}${isWaterfall ? `Waterfall: ${state.method} contributions from the base value to the output` : `${state.method}: ${name} per feature`}`;
  return (
    <div>
      {isWaterfall ? (
        <Definition>
          Each bar is the feature's {state.method} contribution to the {outputName(state)}; they add up from the base value {fmt(state.baseline)} (the output on the background rows) to {fmt(output)}
          {state.output !== undefined && Math.abs(state.output - output!) > 1e-6 * Math.max(1, Math.abs(state.output)) ? ` (the model's output is ${fmt(state.output)}: the method's approximation leaves ${fmt(state.output - output!)})` : ''}
          {probabilityNote(state)}.
        </Definition>
      ) : kind === 'gradient' ? (
        <Definition>{state.method} is a gradient: the signed slope of the {outputName(state)} with respect to each feature at this row. It has no base value and does not add up to the output; the sign says which way a small increase would move it.</Definition>
      ) : kind === 'additive' ? (
        <Definition>{state.method} contributions to the {outputName(state)}; the daemon sent no base value, so no waterfall is drawn.</Definition>
      ) : (
        <Definition>{state.method} scores per feature (larger |score| = more important); not contributions that add up to the output.</Definition>
      )}
      {isWaterfall && !compact && (
        <div className="legend" aria-label="Waterfall legend">
          <span><span className="swatch pos" /> raises the output</span>
          <span><span className="swatch neg" /> lowers the output</span>
          <span><span className="swatch total" /> base value and output</span>
        </div>
      )}
      <ChartCanvas label={title} height={Math.max(compact ? 120 : 140, labels.length * (compact ? 14 : 20) + 50)} deps={[state]}
        build={(c) => ({
          type: 'bar',
          data: {
            labels,
            datasets: [{
              label: name,
              data: isWaterfall
                ? [[0, state.baseline!] as [number, number], ...steps.map((s) => [s.start, s.end] as [number, number]), [0, output!] as [number, number]]
                : steps.map((s) => s.value),
              backgroundColor: isWaterfall
                ? [c.total, ...steps.map((s) => (s.value >= 0 ? c.positive : c.negative)), c.total]
                : steps.map((s) => (s.value >= 0 ? c.positive : c.negative)),
            }],
          },
          options: {
            indexAxis: 'y',
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: (item) => (isWaterfall && (item.dataIndex === 0 || item.dataIndex === labels.length - 1) ? `${labels[item.dataIndex]}: ${fmt(item.dataIndex === 0 ? state.baseline : output)}` : `${steps[isWaterfall ? item.dataIndex - 1 : item.dataIndex]!.feature}: ${fmt(steps[isWaterfall ? item.dataIndex - 1 : item.dataIndex]!.value)}`) } },
            },
            scales: {
              x: { title: { display: true, text: isWaterfall || kind === 'additive' ? outputName(state) : name } },
              y: { title: { display: !compact, text: 'feature (by |value|)' }, ticks: { autoSkip: false } },
            },
          },
        })} />
      <table aria-label={caption ?? (compact ? `${state.method} attributions` : 'Attributions')}>
        <thead><tr><th>feature</th>{!compact && <th>value</th>}<th className="num">{name}</th>{isWaterfall && !compact && <th className="num">running total</th>}</tr></thead>
        <tbody>
          {isWaterfall && !compact && <tr className="total"><td>base value</td><td /><td className="num" /><td className="num">{fmt(state.baseline)}</td></tr>}
          {steps.map((s) => <tr key={s.feature}><td>{s.feature}</td>{!compact && <td>{show(state.values[s.feature])}</td>}<td className="num">{fmt(s.value)}</td>{isWaterfall && !compact && <td className="num">{fmt(s.end)}</td>}</tr>)}
          {isWaterfall && !compact && <tr className="total"><td>output</td><td /><td className="num" /><td className="num">{fmt(output)}</td></tr>}
        </tbody>
      </table>
      {!compact && <ExportMenu table={{ title: `attributions ${state.method} line ${state.line}`, columns: ['feature', 'value', state.method], rows: steps.map((s) => [s.feature, show(state.values[s.feature]), s.value]) }} />}
    </div>
  );
}
