import { describe, expect, it } from 'vitest';
import { RUNNERS, getRunner } from './registry';
import { STEP_CATALOG, scheduledSteps, stepInfo } from './catalog';

describe('step catalog and runners', () => {
  it('every catalog entry has a runner with the same metadata, and no runner is missing from the catalog', () => {
    expect(Object.keys(RUNNERS).sort()).toEqual(Object.keys(STEP_CATALOG).sort());
    for (const [id, info] of Object.entries(STEP_CATALOG)) {
      const r = getRunner(id);
      expect({ id: r.id, title: r.title, priority: r.priority, invalidatedBy: r.invalidatedBy, onDemand: r.onDemand ?? false }).toEqual({ ...info, onDemand: info.onDemand ?? false });
    }
  });

  it('schedules the non-on-demand steps in priority order and refuses unknown ids', () => {
    expect(scheduledSteps().map((s) => s.id)).toEqual(['predictions', 'importance', 'drift', 'influence', 'checks']);
    expect(() => stepInfo('nope')).toThrow(/unknown analysis step 'nope'/);
    expect(() => getRunner('nope')).toThrow(/unknown analysis step 'nope'/);
  });
});
