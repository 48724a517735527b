/**
 * Conformance suite: every method in the registry, on the reference Adult MLP with a few rows,
 * honours the shared contract. A method added to METHODS is covered without editing this file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { tf } from '../engine/tf';
import { GlassboxError } from '../errors';
import { featureNames, type Encoding } from '../data/encoding';
import { METHODS, getMethod, methodIds } from './registry';
import { resolveParams } from './params';
import type { AttributionInput, AttributionMethod, AttributionResult, ParamSpec } from './types';
import { anchorProject, expectClose } from '../../../test/helpers';
import type { Project } from '../project';
import type { ModelHandle, ModelKind } from '../model/model';
import { linearTestModel, treeTestModel } from '../../../test/models';

const N = 8;
const BACKGROUND = 48;

describe('every registered attribution method', () => {
  let project: Project;
  let encoding: Encoding;
  let input: AttributionInput;
  /** A model of each kind over the same encoding: structural methods run on their own kind. */
  const models = new Map<ModelKind, ModelHandle>();

  beforeAll(async () => {
    project = await anchorProject();
    const model = await project.model(project.latestCheckpoint());
    encoding = (await project.schema()).encoding;
    models.set('neural', model);
    models.set('linear', await linearTestModel(encoding, 'binary', 3));
    models.set('trees', await treeTestModel(encoding, 'binary', 5));
    const test = await project.dataset('test');
    const w = encoding.width;
    // Explain test rows 0..7; rows 100.. stand in for training rows as background.
    input = {
      model,
      encoding,
      X: test.X.slice(0, N * w),
      n: N,
      labels: test.y!.slice(0, N),
      target: { kind: 'predicted' },
      background: test.X.slice(100 * w, (100 + BACKGROUND) * w),
      backgroundN: BACKGROUND,
    };
  });
  afterAll(async () => {
    for (const [kind, m] of models) if (kind !== 'neural') m.dispose();
    await project?.dispose();
  });

  const run = (method: AttributionMethod<Record<string, unknown>>, extra: Partial<AttributionInput> = {}): Promise<AttributionResult> => {
    const kind = method.capabilities.models?.[0] ?? 'neural';
    const model = models.get(kind);
    if (!model) throw new Error(`no ${kind} model in the conformance suite for ${method.id}`);
    const given: AttributionInput = { ...input, model, ...extra };
    if (!method.capabilities.background) {
      delete given.background;
      delete given.backgroundN;
    }
    return method.attribute(given, resolveParams(method.id, method.params));
  };

  it('lists methods whose ids, params and descriptions are well formed', () => {
    expect(methodIds().length).toBeGreaterThan(0);
    for (const [id, m] of Object.entries(METHODS)) {
      expect(m.id, id).toBe(id);
      expect(getMethod(id).id).toBe(m.id);
      expect(m.name.length, id).toBeGreaterThan(0);
      expect(m.summary.length, id).toBeGreaterThan(0);
      for (const [key, spec] of Object.entries(m.params)) {
        expect(spec.description.length, `${id}.${key}`).toBeGreaterThan(0);
        if (spec.choices) expect(spec.choices, `${id}.${key}`).toContain(spec.default);
      }
      // Defaults are valid values of their own specs.
      expect(() => resolveParams(id, m.params as Record<string, ParamSpec>, {})).not.toThrow();
    }
  });

  for (const id of methodIds()) {
    describe(id, () => {
      const method = getMethod(id);

      it('returns n x width encoded, n x features grouped and n target classes, all finite, without leaking tensors', async () => {
        const before = tf.memory().numTensors;
        const r = await run(method, { seed: 7 });
        expect(tf.memory().numTensors).toBe(before);
        const F = featureNames(encoding).length;
        expect(r.method).toBe(id);
        expect([r.n, r.width]).toEqual([N, encoding.width]);
        expect(r.encoded).toBeInstanceOf(Float32Array);
        expect(r.encoded.length).toBe(N * encoding.width);
        expect(r.grouped.length).toBe(N * F);
        expect(r.targetClass.length).toBe(N);
        expect(r.encoded.every(Number.isFinite) && r.grouped.every(Number.isFinite)).toBe(true);
        expect(r.encoded.some((v) => v !== 0)).toBe(true);
        expect(() => JSON.stringify(r.extras)).not.toThrow();
      });

      it('is deterministic for a fixed seed (and ignores the seed when not stochastic)', async () => {
        const a = await run(method, { seed: 7 });
        const b = await run(method, { seed: 7 });
        expect(Array.from(b.encoded)).toEqual(Array.from(a.encoded));
        expect(Array.from(b.grouped)).toEqual(Array.from(a.grouped));
        if (!method.capabilities.stochastic) {
          const c = await run(method, { seed: 8 });
          expect(Array.from(c.encoded)).toEqual(Array.from(a.encoded));
        }
      });

      it('reports per raw feature consistently with its encoded values and its stated grouping', async () => {
        const r = await run(method, { seed: 7, target: { kind: 'class', index: 1 } });
        // A method scoring a label metric reports the rows' true classes instead of the asked target.
        const expectedClasses = r.extras.targetFromLabels ? Array.from(input.labels!) : new Array(N).fill(1);
        expect(Array.from(r.targetClass)).toEqual(expectedClasses);
        const grouping = r.extras.grouping;
        expect(['sum', 'active-column', 'feature']).toContain(grouping);
        const F = encoding.features.length;
        const w = encoding.width;
        const expected = new Float64Array(N * F);
        for (let i = 0; i < N; i++) {
          encoding.features.forEach((f, k) => {
            const [s, e] = f.columns;
            let v = 0;
            for (let c = s; c < e; c++) {
              // 'sum' and 'feature': the group's columns add up; 'active-column': the row's own category.
              if (grouping !== 'active-column' || f.type === 'numeric' || input.X[i * w + c] === 1) v += r.encoded[i * w + c]!;
            }
            expected[i * F + k] = v;
          });
        }
        expectClose(r.grouped, expected, 1e-5, 1e-6);
      });

      it('stops with a cancelled GlassboxError on an aborted signal, leaking no tensors', async () => {
        const controller = new AbortController();
        controller.abort();
        const before = tf.memory().numTensors;
        const err = await run(method, { seed: 7, signal: controller.signal }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GlassboxError);
        expect((err as GlassboxError).code).toBe('cancelled');
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  }
});
