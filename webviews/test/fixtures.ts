/** Panel states shaped like the daemon's answers on the demo workspace (Adult data). */
import type { CompareState, DashboardState, ExplainState } from '../../server/src/protocol/panels';

const TEST = '/ws/data/adult_test.csv';
const TRAIN = '/ws/data/adult_train.csv';

export const dashboard: DashboardState = {
  project: '/ws/glassbox.json',
  checkpoints: [
    { name: 'epoch-001', state: 'ready', epoch: 1, metrics: { loss: 0.52, val_accuracy: 0.78 }, analysis: 'done' },
    { name: 'epoch-002', state: 'ready', epoch: 2, metrics: { loss: 0.41, val_accuracy: 0.82 }, analysis: 'done' },
    { name: 'epoch-003', state: 'ready', epoch: 3, metrics: { loss: 0.37, val_accuracy: 0.84 }, analysis: 'running' },
    { name: 'epoch-004', state: 'incomplete', analysis: 'pending' },
  ],
  importance: {
    checkpoint: 'epoch-002', method: 'integratedGradients', classes: ['<=50K', '>50K'],
    features: [
      { feature: 'age', importance: 0.21, perClass: [0.2, 0.22] },
      { feature: 'capital_gain', importance: 0.55, perClass: [0.1, 0.9] },
      { feature: 'sex', importance: 0.08, perClass: [0.3, 0.01] },
    ],
  },
  drift: {
    checkpoint: 'epoch-002',
    features: [
      { feature: 'age', importance: 0.21, drift: 0.4, impact: 0.084 },
      { feature: 'capital_gain', importance: 0.55, drift: 0.05, impact: 0.0275 },
      { feature: 'sex', importance: 0.08, drift: 0.02, impact: 0.0016 },
    ],
  },
  suspects: [{ file: TRAIN, line: 42, row: 40, reason: 'possible mislabel', score: 0.93, label: '<=50K', predicted: '>50K' }],
  checks: [
    { id: 'irrelevant:fnlwgt', title: 'fnlwgt is irrelevant', status: 'pass', message: 'share 0.01 ≤ 0.05' },
    { id: 'monotonic:education_num', title: 'education_num increasing', status: 'fail', message: '12% of rows decrease', file: '/ws/glassbox.json', line: 21 },
  ],
};

/**
 * The analysed demo at full size (what made the old panel ~19,700 px tall): five checkpoints with
 * four metrics, the 14 Adult features, 100 suspect rows, 12 checks, importance of every checkpoint.
 * Numbers are made up but shaped like the daemon's (deterministic, no randomness).
 */
const ADULT = ['age', 'workclass', 'fnlwgt', 'education', 'education_num', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'capital_gain', 'capital_loss', 'hours_per_week', 'native_country'];
const importanceAt = (k: number) => ADULT.map((feature, i) => ({ feature, importance: +((((i * 7 + k * 3) % 14) + 1) / 100).toFixed(3) }));
export const dashboardFull: DashboardState = {
  project: 'test-workspace',
  checkpoints: [1, 2, 3, 4, 5].map((e) => ({
    name: `epoch-00${e}`, state: 'ready' as const, epoch: e,
    metrics: { loss: 0.6 / e, accuracy: 0.7 + e * 0.03, val_loss: 0.65 / e + 0.02, val_accuracy: 0.68 + e * 0.03 },
    analysis: e < 5 ? ('done' as const) : ('running' as const),
  })),
  importance: {
    checkpoint: 'epoch-004', method: 'kernel-shap', classes: ['<=50K', '>50K'],
    features: importanceAt(4).map((f, i) => ({ ...f, perClass: [f.importance * 0.8, f.importance * (1 + (i % 3) / 10)] })),
  },
  drift: {
    checkpoint: 'epoch-004',
    features: ADULT.map((feature, i) => {
      const importance = (i + 1) / 100;
      const drift = ((i * 5) % 14) / 20;
      return { feature, importance, drift, impact: importance * drift };
    }),
  },
  suspects: Array.from({ length: 100 }, (_, i) => ({
    file: TRAIN, line: 10 + i * 7, row: 8 + i * 7, reason: i % 3 ? 'possible mislabel' : 'high self-influence',
    score: +(5 - i * 0.04).toFixed(2), label: i % 2 ? '<=50K' : '>50K', predicted: i % 4 ? '<=50K' : '>50K',
  })),
  checks: Array.from({ length: 12 }, (_, i) => ({
    id: `check-${i}`, title: `check ${i}`, status: i === 3 ? ('fail' as const) : i === 7 ? ('warn' as const) : ('pass' as const),
    message: `measured ${i / 10} against limit 0.5`, ...(i === 3 ? { file: '/ws/glassbox.json', line: 30 } : {}),
  })),
};
Object.assign(dashboardFull, {
  run: 'r2',
  running: { checkpoint: 'epoch-005', step: 'influence', title: 'influence + suspects', fraction: 0.4 },
  importanceHistory: [1, 2, 3, 4].map((k) => ({ checkpoint: `epoch-00${k}`, features: importanceAt(k) })),
  suspectScore: 'self-influence',
});

/** The same project before any analysis finished. */
export const dashboardEarly: DashboardState = { project: '/ws/glassbox.json', checkpoints: [{ name: 'epoch-001', state: 'ready', epoch: 1, analysis: 'pending' }] };

export const explain: ExplainState = {
  file: TEST, line: 7, row: 5, checkpoint: 'epoch-005', classes: ['<=50K', '>50K'],
  values: { age: 52, education_num: 13, capital_gain: 15024, sex: 'Male', race: 'White' },
  label: '>50K',
  prediction: { class: '>50K', probability: 0.91 },
  methods: ['saliency', 'integratedGradients', 'shap'],
  method: 'integratedGradients',
  attributions: { age: 0.3, education_num: 0.5, capital_gain: 2.1, sex: -0.2, race: 0.01 },
  baseline: -1.2,
  influence: {
    proponents: [{ file: TRAIN, line: 120, row: 118, influence: 0.8, values: { age: 50, education_num: 13, capital_gain: 14084, sex: 'Male', race: 'White' }, label: '>50K' }],
    opponents: [],
  },
};

export const compare: CompareState = {
  a: 'epoch-001', b: 'epoch-005', checkpoints: ['epoch-001', 'epoch-002', 'epoch-005'],
  rankChanges: [
    { feature: 'age', rankA: 1, rankB: 3, importanceA: 0.4, importanceB: 0.2 },
    { feature: 'capital_gain', rankA: 2, rankB: 1, importanceA: 0.3, importanceB: 0.6 },
    { feature: 'sex', rankA: 3, rankB: 2, importanceA: 0.1, importanceB: 0.25 },
  ],
  flipped: [{ file: TEST, line: 9, row: 7, before: '<=50K', after: '>50K', label: '>50K' }],
};
