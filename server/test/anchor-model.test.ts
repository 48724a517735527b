import { describe, it, expect, afterAll } from 'vitest';
import { anchorProject, readAnchor, expectClose } from './helpers';
import { predict } from '../src/core/model/model';
import { saliency, type SaliencyParams } from '../src/core/methods/saliency';
import { resolveParams } from '../src/core/methods/params';
import type { Project } from '../src/core/project';

describe('reference Adult MLP (anchors)', () => {
  let project: Project;
  afterAll(() => project?.dispose());

  it('loads through the config, schema and loader and reproduces the stored logits', async () => {
    project = await anchorProject();
    const ckpt = project.latestCheckpoint();
    expect(ckpt.name).toBe('epoch-5');
    expect(ckpt.epoch).toBe(5);
    const model = await project.model(ckpt);
    expect(model.inputWidth).toBe(108);
    const test = await project.dataset('test');
    const ref = readAnchor('attr_gradients.json');
    const n = ref.X.length;
    // Our encoding of the raw CSV rows equals the reference encoding.
    expectClose(test.X.subarray(0, n * 108), ref.X.flat(), 1e-6, 1e-6);
    const p = predict(model, test.X.subarray(0, n * 108), n);
    expectClose(p.logits, ref.logits.flat(), 1e-5, 1e-5);
  });

  it('gradient saliency matches Captum Saliency(abs=False) on the class-1 logit', async () => {
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const ref = readAnchor('attr_gradients.json');
    const n = ref.X.length;
    const { encoding } = await project.schema();
    const result = await saliency.attribute(
      { model, encoding, X: test.X.subarray(0, n * 108), n, target: { kind: 'class', index: 1 } },
      resolveParams<SaliencyParams>('saliency', saliency.params),
    );
    expectClose(result.encoded, ref.saliency.values.flat(), 1e-4, 1e-6);
  });
});
