import { describe, it, expect } from 'vitest';
import { tf } from '../engine/tf';
import { checkOptions, createCheckContext } from './context';
import { explanationQuality } from './explanation-quality';
import { anchorProject } from '../../../test/helpers';

describe('explanation-quality check', () => {
  it('on the Adult MLP: signed saliency (the default) is hardly better than random orderings, IG and feature ablation are; configured IG passes', async () => {
    const project = await anchorProject();
    const checkpoint = project.latestCheckpoint();
    const model = await project.model(checkpoint);
    const ctx = await createCheckContext({ project, checkpoint, model, options: { ...checkOptions(project.config), methods: ['saliency', 'integrated-gradients', 'feature-ablation'] } });
    const before = tf.memory().numTensors;
    const out = await explanationQuality.run(ctx, undefined);
    expect(tf.memory().numTensors).toBe(before);
    const d = out.details as any;
    expect(d.configured).toBe('saliency');
    expect(d.methods.map((m: any) => m.method)).toEqual(['saliency', 'integrated-gradients', 'feature-ablation']);
    // Measured (seed 0, 64 rows): saliency z 1.14, IG z 10.2, feature ablation z 10.8.
    expect(out.status).toBe('fail');
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]!.subject).toBe('saliency');
    expect(out.findings[0]!.message).toMatch(/no more faithful than random .* trust '(integrated-gradients|feature-ablation)'/);
    const [sal, ig, fa] = d.methods;
    expect(sal.advantage.z).toBeLessThan(1.645);
    expect(ig.advantage.z).toBeGreaterThan(5);
    expect(fa.advantage.z).toBeGreaterThan(5);
    expect(ig.infidelity.relative).toBeLessThan(sal.infidelity.relative);
    for (const m of d.methods) {
      expect(m.deletion.curve).toHaveLength(15);
      // Every curve starts at f(x) (deletion) or at the background's value (insertion), shared by all orderings.
      expect(m.deletion.curve[0]).toBeCloseTo(d.methods[0].deletion.curve[0], 4);
      expect(m.insertion.curve[0]).toBeCloseTo(d.methods[0].insertion.curve[0], 4);
      expect(m.insertion.curve[14]).toBeCloseTo(m.deletion.curve[0], 4);
    }
    expect(d.agreement).toHaveLength(3);
    // The same model with Integrated Gradients configured as the method to read: no warning.
    const config = Object.assign(Object.create(Object.getPrototypeOf(project.config)), project.config, { raw: { ...project.config.raw, checks: { importanceMethod: 'integrated-gradients' } } });
    const igCtx = { ...ctx, config, options: { ...ctx.options, methods: ['integrated-gradients'] } };
    const ok = await explanationQuality.run(igCtx, undefined);
    expect(ok.status).toBe('pass');
    expect((ok.details as any).recommended).toBe('integrated-gradients');
    await project.dispose();
  }, 120_000);
});
