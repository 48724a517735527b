import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { initEngine } from '../../core/engine/backend';
import { ANCHORS } from '../../../test/helpers';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: ANCHORS, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  await initEngine();
});

describe('glassbox drift: multivariate drift, label-free performance and the verdict', () => {
  it('Adult train vs test (same distribution): no joint shift, CBPE within sampling error of the realised accuracy, stable', async () => {
    const r = await cli(['drift', '--json', '--importance-method', 'saliency', '--importance-rows', '200']);
    expect(r.stderr).toBe('');
    const j = r.json();
    expect(j.multivariate.drifted).toBe(false);
    expect(Math.abs(j.multivariate.auc - 0.5)).toBeLessThan(0.05);
    const est = j.estimatedPerformance.reference;
    // Realised test accuracy at epoch 5: 0.85732 (training.json); CBPE measured 0.8574 ± 0.0025.
    expect(est.realised.accuracy).toBeCloseTo(0.85732, 4);
    expect(Math.abs(est.expectedAccuracy - est.realised.accuracy)).toBeLessThan(3 * est.standardError);
    expect(est.calibration.recalibrated).toBe(false);
    expect(j.verdict).toEqual({ level: 'stable', reasons: [] });
    const text = await cli(['drift', '--importance-method', 'saliency', '--importance-rows', '200', '--no-multivariate']);
    expect(text.stdout).toMatch(/estimated performance without labels \(CBPE\): accuracy 0\.857/);
    expect(text.stdout).not.toMatch(/multivariate drift:/);
    expect(text.stdout).toMatch(/verdict: stable/);
  }, 120_000);
});
