/**
 * Everything Glassbox shows about a query row's training data, as plain data for the CLI and the
 * daemon: top proponents and opponents (ranked by the chosen score, with all three scores beside
 * each other), nearest training rows in input and last-hidden space, the nearest row of another
 * class, and the fairness lens over the protected attributes.
 */
import type { Dataset } from '../data/dataset';
import type { ModelHandle } from '../model/model';
import { predict } from '../model/model';
import { INFLUENCE_METHODS, topK, type InfluenceIndex, type InfluenceMethod } from './index';
import { hiddenActivations, nearest, type Neighbour } from './nearest';
import { protectedShares, type ProtectedShare } from './fairness';

export interface TrainingRowRef {
  index: number;
  line: number;
  label: number;
  values?: Record<string, string | undefined>;
}

export interface InfluentialRow extends TrainingRowRef {
  score: number;
  scores: Record<InfluenceMethod, number>;
}

export interface NearRow extends TrainingRowRef {
  distance: number;
}

export interface QueryReport {
  /** Label used for the query's loss gradient: the true label, else the predicted class. */
  label: number;
  labelSource: 'given' | 'predicted';
  proponents: InfluentialRow[];
  opponents: InfluentialRow[];
  nearestInput: NearRow[];
  nearestHidden: NearRow[];
  nearestOtherClass?: NearRow;
  fairness: ProtectedShare[];
}

export interface ReportInput {
  index: InfluenceIndex;
  train: Dataset;
  /** Latest checkpoint's model (predictions, hidden layer). */
  model: ModelHandle;
  X: Float32Array;
  n: number;
  labels?: Float32Array;
  /** Raw values of each query row by column name. */
  values?: Array<Record<string, string | undefined>>;
  top: number;
  method: InfluenceMethod;
  protectedAttributes: string[];
  featureColumns: string[];
}

export function influenceReport(input: ReportInput): QueryReport[] {
  const { index, train, model, X, n, top, method } = input;
  const pred = predict(model, X, n);
  const labelOf = (q: number) => {
    const y = input.labels?.[q];
    return y !== undefined && Number.isInteger(y) && y >= 0 ? { label: y, labelSource: 'given' as const } : { label: pred.predicted?.[q] ?? 0, labelSource: 'predicted' as const };
  };
  const qLabels = Array.from({ length: n }, (_, q) => labelOf(q));
  const all = index.allScores(X, qLabels.map((l) => l.label), n, INFLUENCE_METHODS);
  const N = index.n;
  const ref = (i: number): TrainingRowRef => {
    const r: TrainingRowRef = { index: i, line: train.lines[i]!, label: train.y![i]! };
    if (train.raw) r.values = Object.fromEntries(input.featureColumns.map((c) => [c, train.raw![i]![train.header.indexOf(c)]]));
    return r;
  };
  const influential = (q: number, picks: Array<{ index: number; score: number }>): InfluentialRow[] =>
    picks.map((p) => ({ ...ref(p.index), score: p.score, scores: Object.fromEntries(INFLUENCE_METHODS.map((m) => [m, all[m]![q * N + p.index]!])) as Record<InfluenceMethod, number> }));
  const near = (list: Neighbour[]): NearRow[] => list.map((nb) => ({ ...ref(nb.index), distance: nb.distance }));

  const w = train.width;
  const nearIn = nearest(train.X, train.n, w, X, n, top);
  const other = nearest(train.X, train.n, w, X, n, 1, (i, q) => train.y![i] !== qLabels[q]!.label);
  const hTrain = hiddenActivations(model, train.X, train.n);
  const hQuery = hTrain ? hiddenActivations(model, X, n) : undefined;
  const nearHid = hTrain && hQuery ? nearest(hTrain.H, train.n, hTrain.width, hQuery.H, n, top) : undefined;

  return Array.from({ length: n }, (_, q) => {
    const s = all[method]!.subarray(q * N, (q + 1) * N);
    const proponents = influential(q, topK(s, top, 1));
    const report: QueryReport = {
      ...qLabels[q]!,
      proponents,
      opponents: influential(q, topK(s, top, -1)),
      nearestInput: near(nearIn[q]!),
      nearestHidden: nearHid ? near(nearHid[q]!) : [],
      fairness: train.raw && input.values?.[q] ? protectedShares(input.protectedAttributes, train.header, train.raw, input.values[q]!, proponents.map((p) => p.index)) : [],
    };
    if (other[q]![0]) report.nearestOtherClass = near(other[q]!)[0]!;
    return report;
  });
}
