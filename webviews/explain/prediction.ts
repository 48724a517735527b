/** How a prediction reads in the Explain panel ("class (p = 91.0%)" or the regression value). */
import type { RowPrediction } from '../../server/src/protocol/counterfactual';
import type { ExplainState } from '../../server/src/protocol/panels';
import { fmt, pct } from '../common/components';

export function predictionText(p: ExplainState['prediction'] | RowPrediction): string {
  if ('kind' in p) return p.kind === 'classification' ? `${p.class} (p = ${pct(p.probability)})` : fmt(p.value);
  return 'class' in p ? `${p.class} (p = ${pct(p.probability)})` : fmt(p.value);
}
