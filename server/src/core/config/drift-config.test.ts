import { describe, it, expect } from 'vitest';
import { parseConfig } from './config';
import { GlassboxError } from '../errors';

const withDrift = (drift: string) => `{
  "data": { "train": "train.csv", "reference": "prod.csv" },
  "label": "income",
  "checkpoints": { "path": "ckpt" },
  "drift": ${drift}
}`;

function error(text: string): GlassboxError {
  try {
    parseConfig(text, '/p/glassbox.json');
  } catch (e) {
    return e as GlassboxError;
  }
  throw new Error('expected an error');
}

describe('glassbox.json drift block', () => {
  it('reads thresholds, bins, timestamp and chunk size', () => {
    const c = parseConfig(withDrift('{ "metric": "js", "bins": 20, "thresholds": { "drift": 0.05, "importance": 0.1 }, "timestamp": "ts", "chunkSize": 500 }'), '/p/glassbox.json');
    expect(c.raw.drift).toEqual({ metric: 'js', bins: 20, thresholds: { drift: 0.05, importance: 0.1 }, timestamp: 'ts', chunkSize: 500 });
  });

  it('names the key and its line for a misspelt key or a bad value', () => {
    const e = error(withDrift('{ "tresholds": { "drift": 0.1 } }'));
    expect(e.message).toMatch(/unknown key 'tresholds' in 'drift' \(did you mean 'thresholds'\?\)/);
    expect(e.location?.line).toBe(5);
    const m = error(withDrift('{\n    "metric": "kl"\n  }'));
    expect(m.message).toMatch(/'drift.metric' must be one of "psi", "js", "ks", "wasserstein"/);
    expect(m.location?.line).toBe(6);
    const b = error(withDrift('{ "bins": 1 }'));
    expect(b.message).toMatch(/'drift.bins' must be >= 2/);
  });
});
