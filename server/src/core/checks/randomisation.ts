/**
 * Model parameter randomisation test (Adebayo et al. 2018, "Sanity Checks for Saliency Maps",
 * arXiv:1810.03292): the layers with weights are re-initialised cascading from the top (the output
 * layer first, then the one below it too, ...), every attribution method is recomputed on the same
 * rows after each step, and its attributions are compared with the original ones by Spearman rank
 * correlation of |attribution| per raw feature, per row, averaged over rows. A method whose
 * attributions stay similar even after every layer is re-initialised does not depend on what the
 * model learnt, so it cannot explain (or expose a bug in) this model: it is flagged as insensitive.
 *
 * Re-initialisation: kernels Glorot-uniform, biases zero, seeded. Defaults: 64 rows, every
 * registered gradient method (perturbation methods such as KernelSHAP or LIME are slow over a
 * cascade; name them in `checks.methods` to include them).
 *
 * Flagged as insensitive when the final similarity (every layer re-initialised) is at least
 * `WEIGHT_INDEPENDENT_SIMILARITY` (0.8). Chosen from the bug zoo (`npm run bench -- checks`, 21
 * healthy networks, docs/cli.md): the registered gradient methods end at -0.22..0.58 (Integrated
 * Gradients and input x gradient highest, since |x| ranks features under any weights), a method
 * planted to ignore the weights (input x gradient or IG of a fixed random network) ends at 1.00
 * on every model; 0.8 leaves 0.22 above the healthy maximum. The null, two independent full
 * re-initialisations compared with each other (seeds s and s + 1), is reported beside it: it sits
 * at the final similarity for every method, weight-dependent or not (healthy final − null
 * -0.30..+0.17), so it tells how much of the similarity the inputs alone explain, not whether the
 * method ignores the weights. A method half made of a weight-independent part (planted 50%) ends
 * at 0.23..0.58, inside the healthy range: this test cannot see it, as Adebayo et al. note for
 * input-multiplied methods.
 * Similarity with sign is reported beside it, as the paper does (Spearman of the signed
 * attributions, `signedRankSimilarity`), with its own null from the same two full
 * re-initialisations: a method can keep its ranking of |attribution| while its signs turn (the
 * paper's "absolute value" caveat), which only the signed similarity shows. The verdict stays on
 * the absolute similarity, the one measured on the zoo.
 * Attributions that are NaN, infinite or the same for every feature on every row (a BatchNorm
 * model exported with bad statistics, a dead network) fail the check loudly, naming the stage.
 * Image-shaped inputs would add a structural similarity (SSIM); tabular rows use ranks only.
 */
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted, type SourceLocation } from '../errors';
import { takeRows } from '../data/dataset';
import type { Encoding } from '../data/encoding';
import type { ModelExpectations, ModelHandle } from '../model/model';
import { getMethod, METHODS } from '../methods/registry';
import { resolveParams } from '../methods/params';
import type { AttributionInput, AttributionMethod } from '../methods/types';
import { spearman } from '../util/stats';
import { num } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';
import type { CheckContext } from './context';

export const RANDOMISATION_ROWS = 64;
/** Similarity the data-randomisation test (opt-in, not yet measured on the zoo) reads as insensitive. */
export const INSENSITIVE_SIMILARITY = 0.5;
/** Final similarity from which a method is read as ignoring the weights (bug zoo, see above). */
export const WEIGHT_INDEPENDENT_SIMILARITY = 0.8;

export interface CascadeStage {
  /** The layers re-initialised at this stage (top first). */
  layers: string[];
  /** Mean Spearman similarity to the original attributions, per method id. */
  similarity: Record<string, number>;
  /** The same on signed attributions. */
  signedSimilarity: Record<string, number>;
}

export interface RandomisationResult {
  rows: number;
  stages: CascadeStage[];
  methods: Array<{
    method: string;
    similarities: number[];
    final: number;
    /** Similarity of two independent full re-initialisations' attributions. */
    nullSimilarity: number;
    /** Signed similarity down the cascade, its final value and its null (Adebayo et al.'s "with sign"). */
    signedSimilarities: number[];
    signedFinal: number;
    signedNullSimilarity: number;
    insensitive: boolean;
    /** Where attributions were NaN/infinite or constant on every row: 'trained' or a stage's top layer. */
    degenerateAt?: string;
    /** NaN/Inf (a finding) or the same value for every feature (the method cannot be judged here). */
    degenerateKind?: 'non-finite' | 'constant';
  }>;
}

export interface RandomisationInput {
  model: ModelHandle;
  expect: ModelExpectations;
  encoding: Encoding;
  X: Float32Array;
  n: number;
  methods: AttributionMethod[];
  background?: { X: Float32Array; n: number };
  seed?: number;
  threshold?: number;
  signal?: AbortSignal;
}

/** Mean over rows of the Spearman correlation of |a| and |b| (rows x F); constant and non-finite rows are skipped. */
export function rankSimilarity(a: ArrayLike<number>, b: ArrayLike<number>, n: number, F: number): number {
  return meanRowSpearman(a, b, n, F, Math.abs);
}

/** Mean over rows of the Spearman correlation of the signed values a and b; constant rows are skipped. */
export function signedRankSimilarity(a: ArrayLike<number>, b: ArrayLike<number>, n: number, F: number): number {
  return meanRowSpearman(a, b, n, F, (v) => v);
}

function meanRowSpearman(a: ArrayLike<number>, b: ArrayLike<number>, n: number, F: number, map: (v: number) => number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const ra = Array.from({ length: F }, (_, f) => map(a[i * F + f]!));
    const rb = Array.from({ length: F }, (_, f) => map(b[i * F + f]!));
    // A row with NaN/Inf has no ranking (sorting NaN would invent one).
    if (!ra.every(Number.isFinite) || !rb.every(Number.isFinite)) continue;
    const s = spearman(ra, rb);
    if (Number.isNaN(s)) continue;
    sum += s;
    count++;
  }
  return count ? sum / count : NaN;
}

export async function attribute(method: AttributionMethod, model: ModelHandle, input: Omit<RandomisationInput, 'methods' | 'model' | 'expect'>): Promise<Float64Array> {
  const req: AttributionInput = { model, encoding: input.encoding, X: input.X, n: input.n, target: { kind: 'predicted' }, seed: input.seed ?? 0 };
  if (input.signal) req.signal = input.signal;
  if (method.capabilities.background && input.background) {
    req.background = input.background.X;
    req.backgroundN = input.background.n;
  }
  return (await method.attribute(req, resolveParams(method.id, method.params, {}))).grouped;
}

/** A copy of `model` with the weighted layers named in `reinit` re-initialised (seeded). */
/**
 * A copy of `model` with the weight groups (layers, graph nodes) named in `reinit` re-initialised,
 * seeded: matrices Glorot-uniform, vectors (biases, normalisation offsets) zero, normalisation
 * scales one, running statistics kept. Models without
 * parameter access (tree ensembles) are refused by the callers' skips before this point.
 */
export async function reinitialised(model: ModelHandle, _expect: ModelExpectations, reinit: Set<string>, seed: number): Promise<ModelHandle> {
  if (!model.parameters || !model.withParameters) throw new GlassboxError('model', `re-initialising weights needs a differentiable model; ${model.file} is a ${model.kind} model`, { file: model.file });
  const replace = new Map<string, Float32Array>();
  const groups = weightedGroups(model);
  for (const p of model.parameters()) {
    if (!reinit.has(p.group)) continue;
    const gi = groups.indexOf(p.group);
    const wi = replace.size;
    const size = p.values.length;
    if (p.shape.length < 2) {
      // Normalisation statistics are not learnt weights: keep them. A normalisation scale starts
      // at 1, not 0 (a zero scale makes every later output constant and the cascade meaningless).
      if (/running_(mean|var)$|moving_(mean|variance)$/i.test(p.name)) continue;
      const scale = /(^|[._/])(weight|scale|gamma)$/i.test(p.name);
      replace.set(p.name, new Float32Array(size).fill(scale ? 1 : 0));
      continue;
    }
    const fanOut = p.shape[p.shape.length - 1]!;
    const limit = Math.sqrt(6 / (size / fanOut + fanOut));
    const fresh = tf.tidy(() => tf.randomUniform([size], -limit, limit, 'float32', seed * 1009 + gi * 31 + wi).dataSync() as Float32Array);
    replace.set(p.name, Float32Array.from(fresh));
  }
  return model.withParameters(replace);
}

/** Names of the layers or nodes that hold weights, input side first. */
export function weightedGroups(model: ModelHandle): string[] {
  return [...new Set((model.parameters?.() ?? []).map((p) => p.group))];
}

/**
 * Whether attributions carry no ranking to compare: every row non-finite somewhere
 * (`'non-finite'`: a broken model or normalisation statistics) or the same for every feature
 * (`'constant'`: e.g. VarGrad on a linear model, whose gradient does not vary); else undefined.
 */
export function degenerate(a: ArrayLike<number>, n: number, F: number): 'non-finite' | 'constant' | undefined {
  let nonFinite = false;
  for (let i = 0; i < n; i++) {
    let finite = true;
    let varied = false;
    for (let f = 0; f < F; f++) {
      const v = a[i * F + f]!;
      if (!Number.isFinite(v)) finite = false;
      if (Math.abs(v) !== Math.abs(a[i * F]!)) varied = true;
    }
    if (finite && varied) return undefined;
    if (!finite) nonFinite = true;
  }
  return nonFinite ? 'non-finite' : 'constant';
}

export async function parameterRandomisation(input: RandomisationInput): Promise<RandomisationResult> {
  const { model, expect, encoding, n, methods } = input;
  const F = encoding.features.length;
  const threshold = input.threshold ?? WEIGHT_INDEPENDENT_SIMILARITY;
  const weighted = weightedGroups(model);
  const original = new Map<string, Float64Array>();
  const degenerateAt = new Map<string, string>();
  const degenerateKind = new Map<string, 'non-finite' | 'constant'>();
  const note = (id: string, at: string, kind: 'non-finite' | 'constant' | undefined) => {
    if (!kind || degenerateAt.has(id)) return;
    degenerateAt.set(id, at);
    degenerateKind.set(id, kind);
  };
  for (const m of methods) {
    const a = await attribute(m, model, input);
    original.set(m.id, a);
    note(m.id, 'trained', degenerate(a, n, F));
  }
  const stages: CascadeStage[] = [];
  const fullyRandom = new Map<string, Float64Array>();
  for (let k = weighted.length - 1; k >= 0; k--) {
    throwIfAborted(input.signal);
    const layers = weighted.slice(k).reverse();
    const randomised = await reinitialised(model, expect, new Set(layers), input.seed ?? 0);
    try {
      const similarity: Record<string, number> = {};
      const signedSimilarity: Record<string, number> = {};
      for (const m of methods) {
        const a = await attribute(m, randomised, input);
        note(m.id, layers[layers.length - 1]!, degenerate(a, n, F));
        similarity[m.id] = rankSimilarity(original.get(m.id)!, a, n, F);
        signedSimilarity[m.id] = signedRankSimilarity(original.get(m.id)!, a, n, F);
        if (k === 0) fullyRandom.set(m.id, a);
      }
      stages.push({ layers, similarity, signedSimilarity });
    } finally {
      randomised.dispose();
    }
  }
  // The null: a second full re-initialisation with another seed, compared with the first.
  const nullSimilarity = new Map<string, number>();
  const signedNull = new Map<string, number>();
  if (weighted.length) {
    const other = await reinitialised(model, expect, new Set(weighted), (input.seed ?? 0) + 1);
    try {
      for (const m of methods) {
        const a = await attribute(m, other, input);
        nullSimilarity.set(m.id, rankSimilarity(fullyRandom.get(m.id)!, a, n, F));
        signedNull.set(m.id, signedRankSimilarity(fullyRandom.get(m.id)!, a, n, F));
      }
    } finally {
      other.dispose();
    }
  }
  return {
    rows: n,
    stages,
    methods: methods.map((m) => {
      const similarities = stages.map((s) => s.similarity[m.id]!);
      const final = similarities[similarities.length - 1] ?? NaN;
      const nullS = nullSimilarity.get(m.id) ?? NaN;
      const bad = degenerateAt.get(m.id);
      // Degenerate attributions are judged by their own finding, never as insensitive.
      const insensitive = final >= threshold && !bad;
      const signedSimilarities = stages.map((s) => s.signedSimilarity[m.id]!);
      const signed = {
        signedSimilarities,
        signedFinal: signedSimilarities[signedSimilarities.length - 1] ?? NaN,
        signedNullSimilarity: signedNull.get(m.id) ?? NaN,
      };
      return { method: m.id, similarities, final, nullSimilarity: nullS, ...signed, insensitive, ...(bad ? { degenerateAt: bad, degenerateKind: degenerateKind.get(m.id)! } : {}) };
    }),
  };
}

/** The check's rows and settings: 64 evaluation rows, 100 training rows as background, the seed. */
export async function randomisationInput(ctx: CheckContext, methods: AttributionMethod[], signal?: AbortSignal): Promise<RandomisationInput> {
  const data = await ctx.evaluation();
  const rows = ctx.sample(data, RANDOMISATION_ROWS, 5);
  const train = await ctx.train();
  const bg = ctx.sample(train, 100, 2);
  const output = ctx.config.raw.model?.output;
  return {
    model: ctx.model,
    expect: { encoding: ctx.encoding, task: ctx.task, ...(output ? { output } : {}) },
    encoding: ctx.encoding,
    X: takeRows(data, rows),
    n: rows.length,
    methods,
    background: { X: takeRows(train, bg), n: bg.length },
    seed: ctx.options.seed,
    ...(signal ? { signal } : {}),
  };
}

/** The methods a run covers: the configured ids, else every registered gradient method. */
export function randomisationMethods(ids: string[] | undefined, location?: SourceLocation): AttributionMethod[] {
  if (!ids) return Object.values(METHODS as Record<string, AttributionMethod>).filter((m) => m.capabilities.gradients);
  return ids.map((id) => {
    try {
      return getMethod(id);
    } catch (e) {
      throw new GlassboxError('config', `checks.methods: ${(e as Error).message}`, location);
    }
  });
}

/**
 * The check's findings from a run: NaN/infinite attributions (naming the trained model or the layer
 * whose re-initialisation produced them) and methods insensitive to the weights.
 */
export function randomisationFindings(result: RandomisationResult, checkpointName: string, location?: SourceLocation): Finding[] {
  // Constant attributions (e.g. VarGrad on a linear model) are a property of the method on this
  // model, not a bug: they are left out of the verdict and said in the summary. NaN/Inf fail.
  const findings: Finding[] = result.methods
    .filter((m) => m.degenerateKind === 'non-finite')
    .map((m) => ({
      message:
        m.degenerateAt === 'trained'
          ? `attribution method '${m.method}' gives NaN or infinite attributions on every sampled row of ${checkpointName}: it explains nothing here (check the model's outputs and normalisation statistics)`
          : `attribution method '${m.method}' gives NaN or infinite attributions once layer '${m.degenerateAt}' is re-initialised: the randomisation test cannot judge it`,
      measured: NaN,
      limit: WEIGHT_INDEPENDENT_SIMILARITY,
      metric: 'rank similarity after full randomisation',
      subject: m.degenerateAt === 'trained' ? m.method : `${m.method} @ ${m.degenerateAt}`,
      ...(location ? { location } : {}),
      evidence: [],
      details: { similarities: m.similarities, layers: result.stages.map((s) => s.layers) },
    }));
  findings.push(...result.methods
    .filter((m) => m.insensitive && !m.degenerateAt)
    .map((m) => ({
      message: `attribution method '${m.method}' is insensitive to the model's weights: with every layer re-initialised its attributions still rank features like the trained model's (Spearman ${num(m.final, 2)}, with sign ${num(m.signedFinal, 2)}; two random models ${num(m.nullSimilarity, 2)}; cascade ${m.similarities.map((s) => num(s, 2)).join(' -> ')})`,
      measured: m.final,
      limit: WEIGHT_INDEPENDENT_SIMILARITY,
      metric: 'rank similarity after full randomisation',
      subject: m.method,
      ...(location ? { location } : {}),
      evidence: [],
      details: { similarities: m.similarities, nullSimilarity: m.nullSimilarity, signedSimilarities: m.signedSimilarities, signedNullSimilarity: m.signedNullSimilarity, layers: result.stages.map((s) => s.layers) },
    })));
  return findings;
}

export const randomisation = {
  id: 'randomisation',
  title: 'Model parameter randomisation test',
  description: 'every attribution method changes when the model weights are re-initialised from the top layer down',
  reference: 'Adebayo et al. 2018, arXiv:1810.03292',
  needs: ['model'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    const methods = randomisationMethods(ctx.options.methods, ctx.options.methodsLocation);
    if (methods.length === 0) return skip('no attribution methods to test');
    if (!ctx.model.differentiable || !ctx.model.withParameters) return skip(`re-initialising weights applies to networks; ${ctx.checkpoint.name} is a ${ctx.model.kind} model (${ctx.model.format})`);
    const result = await parameterRandomisation(await randomisationInput(ctx, methods, signal));
    const findings = randomisationFindings(result, ctx.checkpoint.name, ctx.options.methodsLocation);
    const text = result.methods
      .map((m) => (m.degenerateKind === 'constant' ? `${m.method} constant (not judged)` : `${m.method} ${m.similarities.map((s) => num(s, 2)).join(' -> ')} (signed ${num(m.signedFinal, 2)}, random pair ${num(m.signedNullSimilarity, 2)})`))
      .join('; ');
    return outcome(findings, `every method depends on the weights (similarity down the cascade: ${text})`, `insensitive: ${findings.map((f) => f.subject).join(', ')} (${text})`, { ...result });
  },
} satisfies Check;
