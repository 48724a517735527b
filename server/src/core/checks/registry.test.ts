import { describe, it, expect } from 'vitest';
import { CHECKS, checkIds, getCheck, severities } from './registry';
import { parseConfig } from '../config/config';

describe('check registry', () => {
  it('has unique ids, a title, a description and a default severity per check', () => {
    expect(new Set(checkIds()).size).toBe(CHECKS.length);
    for (const c of CHECKS) {
      expect(c.id).toMatch(/^[a-z][a-z-]*$/);
      expect(c.title.length).toBeGreaterThan(3);
      expect(c.description.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(c.defaultSeverity);
    }
    expect(() => getCheck('monotone')).toThrow(/unknown check 'monotone' \(did you mean 'monotonic'\?\)/);
  });

  it('registers the influence and OOD checks as warnings (leads, not proof)', () => {
    for (const id of ['label-suspects', 'ood-reference', 'protected-influence']) {
      expect(getCheck(id).defaultSeverity).toBe('warning');
      expect(getCheck(id).optIn).toBeFalsy();
    }
  });

  it('reads severities from glassbox.json with their lines, defaults otherwise', () => {
    const text = '{\n  "data": { "train": "t.csv" }, "label": "y", "checkpoints": { "path": "c" },\n  "checks": {\n    "severity": { "randomisation": "error", "monotonic": "off" }\n  }\n}\n';
    const config = parseConfig(text, '/p/glassbox.json');
    const sev = severities({ config }, CHECKS);
    expect(sev.get('randomisation')).toEqual({ severity: 'error', location: { file: '/p/glassbox.json', line: 4, column: 19 } });
    expect(sev.get('monotonic')!.severity).toBe('off');
    expect(sev.get('protected')).toEqual({ severity: 'error' });
    expect(sev.get('expected-top')).toEqual({ severity: 'warning' });
  });
});
