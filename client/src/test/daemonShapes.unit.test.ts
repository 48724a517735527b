import { describe, expect, it } from 'vitest';
import { Commands } from '../commandIds';
import { COMMAND_FACTORIES } from '../commands';
import { dashboardFromParts, toExplainState, type RowExplanationWire } from '../daemonShapes';
import { explain } from '../../../webviews/test/fixtures';
import { fakeDeps } from './fakes';

const wire: RowExplanationWire = {
  file: '/ws/data/adult_test.csv', line: 7, row: 5, method: 'saliency', classes: ['<=50K', '>50K'], predicted: 1, confidence: 0.8, label: 0,
  values: { age: 52, sex: 'Male' }, attributions: [{ feature: 'sex', value: -0.5 }, { feature: 'age', value: 0.25 }],
};

describe('daemon answers in their first shapes', () => {
  it('become the Explain panel state', () => {
    expect(toExplainState(wire)).toEqual({
      file: '/ws/data/adult_test.csv', line: 7, row: 5, checkpoint: 'newest analysed checkpoint', classes: ['<=50K', '>50K'],
      values: { age: 52, sex: 'Male' }, label: '<=50K', prediction: { class: '>50K', probability: 0.8 },
      methods: ['saliency'], method: 'saliency', attributions: { sex: -0.5, age: 0.25 },
    });
    expect(toExplainState({ ...wire, classes: null, confidence: null, label: null, predicted: 3.5 }).prediction).toEqual({ value: 3.5 });
    expect(toExplainState(explain)).toBe(explain);
  });

  it('become the side panel state, in series order', () => {
    const state = dashboardFromParts(
      [{ checkpoint: 'epoch-2', order: 1, metrics: { epoch: 2, loss: 0.3 }, importance: null }, { checkpoint: 'epoch-1', order: 0, metrics: { epoch: 1 }, importance: { age: 1 } }],
      { checkpoint: 'epoch-1', method: 'saliency', features: ['age', 'sex'], meanAbs: [0.4, 0.1], share: [0.8, 0.2] },
    );
    expect(state.checkpoints.map((c) => [c.name, c.epoch, c.analysis])).toEqual([['epoch-1', 1, 'done'], ['epoch-2', 2, 'pending']]);
    expect(state.importance?.features).toEqual([{ feature: 'age', importance: 0.4 }, { feature: 'sex', importance: 0.1 }]);
    expect(state.suspects).toBeUndefined();
  });

  it('fill the side panel when the daemon has no glassbox/dashboard yet', async () => {
    const { deps, rec } = fakeDeps({ responses: { 'glassbox/timeline': [{ checkpoint: 'a', order: 0, metrics: {}, importance: null }, { checkpoint: 'b', order: 1, metrics: {}, importance: null }], 'glassbox/importance': null }, picks: [0, 0] });
    await COMMAND_FACTORIES[Commands.compareCheckpoints](deps)();
    expect(rec.requests.map((r) => r.method)).toEqual(['glassbox/dashboard', 'glassbox/timeline', 'glassbox/importance']);
    expect(rec.compared).toEqual([{ a: 'a', b: 'b' }]);
  });
});
