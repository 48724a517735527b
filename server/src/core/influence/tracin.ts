/**
 * Exact TracIn for dense stacks by factorisation (Pruthi et al., "Estimating Training Data
 * Influence by Tracing Gradient Descent", NeurIPS 2020).
 *
 * TracInCP(z, z') = Σ_checkpoints η_c ∇L(z; θ_c) · ∇L(z'; θ_c). For a dense layer the per-example
 * gradient is (a ⊗ δ, δ), so one layer's contribution to the dot product is
 * (a·a' + 1)·(δ·δ') (the +1 is the bias; drop it for layers without one). Summed over layers this
 * is the exact full-parameter dot product without ever forming a gradient. The last-layer variant
 * (TracInCPFast) keeps only the final kernel: (a_L·a_L')(δ_L·δ_L').
 *
 * A training row's packed factors: the input activations of layers 1..L−1 (layer 0's input is the
 * encoded row itself, taken from the data set so it is not stored twice), then every layer's δ.
 */
import type { GradientFactors, LayerShape } from './gradients';

/** Which parameters the dot products run over. */
export interface ParamScope {
  /** 'all' layers, or only the 'last' one (TracInCPFast). Default 'all'. */
  layers?: 'all' | 'last';
  /** Include bias gradients (default true; the last-layer variant of Captum drops them). */
  bias?: boolean;
}

export interface FactorLayout {
  shapes: LayerShape[];
  /** Offset of layer l's input activation in a packed row; −1 for layer 0 (read from X). */
  actOffset: number[];
  deltaOffset: number[];
  rowWidth: number;
  inputWidth: number;
}

/**
 * Where each layer's factors sit in a packed row. The first layer's input activations are the
 * encoded inputs themselves and are read from the data, not stored, unless `inputStored` (a dense
 * tail after other layers, whose input is a hidden representation that changes per checkpoint).
 */
export function factorLayout(shapes: LayerShape[], inputStored = false): FactorLayout {
  let w = 0;
  const actOffset = shapes.map((s, l) => {
    if (l === 0 && !inputStored) return -1;
    const o = w;
    w += s.in;
    return o;
  });
  const deltaOffset = shapes.map((s) => {
    const o = w;
    w += s.out;
    return o;
  });
  return { shapes, actOffset, deltaOffset, rowWidth: w, inputWidth: shapes[0]!.in };
}

/** Packs a batch's factors into rows of `layout.rowWidth` floats. */
export function packFactors(layout: FactorLayout, f: GradientFactors): Float32Array {
  const out = new Float32Array(f.m * layout.rowWidth);
  layout.shapes.forEach((s, l) => {
    for (let i = 0; i < f.m; i++) {
      const base = i * layout.rowWidth;
      if (layout.actOffset[l]! >= 0) out.set(f.acts[l]!.subarray(i * s.in, (i + 1) * s.in), base + layout.actOffset[l]!);
      out.set(f.deltas[l]!.subarray(i * s.out, (i + 1) * s.out), base + layout.deltaOffset[l]!);
    }
  });
  return out;
}

/** Indices of the layers in scope. */
export function layersInScope(layout: FactorLayout, scope: ParamScope = {}): number[] {
  const L = layout.shapes.length;
  return scope.layers === 'last' ? [L - 1] : Array.from({ length: L }, (_, l) => l);
}

/**
 * Squared gradient norm of each of m packed rows (the rows' self-influence at one checkpoint,
 * before the learning-rate weight). `X` holds the same rows' encoded inputs.
 */
export function squaredNorms(layout: FactorLayout, rows: Float32Array, X: Float32Array, m: number, scope: ParamScope = {}): Float64Array {
  const out = new Float64Array(m);
  const ls = layersInScope(layout, scope);
  const bias = scope.bias !== false;
  const W = layout.rowWidth;
  const d = layout.inputWidth;
  for (let i = 0; i < m; i++) {
    let total = 0;
    for (const l of ls) {
      const s = layout.shapes[l]!;
      const fromData = l === 0 && layout.actOffset[0]! < 0;
      const src = fromData ? X : rows;
      const ao = fromData ? i * d : i * W + layout.actOffset[l]!;
      let aa = bias && s.bias ? 1 : 0;
      for (let j = 0; j < s.in; j++) aa += src[ao + j]! * src[ao + j]!;
      const dOff = i * W + layout.deltaOffset[l]!;
      let dd = 0;
      for (let k = 0; k < s.out; k++) dd += rows[dOff + k]! * rows[dOff + k]!;
      total += aa * dd;
    }
    out[i] = total;
  }
  return out;
}

/**
 * The same squared gradient norms from the per-layer factor norms (GradientFactors.norms, m × 2L):
 * Σ_l (|a_l|² + [bias]) |δ_l|², 2L reads a row instead of the whole packed row.
 */
export function squaredNormsFromFactorNorms(layout: FactorLayout, norms: Float32Array, m: number, scope: ParamScope = {}, out = new Float64Array(m)): Float64Array {
  const L = layout.shapes.length;
  const bias = scope.bias !== false;
  for (const l of layersInScope(layout, scope)) {
    const one = bias && layout.shapes[l]!.bias ? 1 : 0;
    for (let i = 0, o = 2 * l; i < m; i++, o += 2 * L) out[i] += (norms[o]! + one) * norms[o + 1]!;
  }
  return out;
}

/**
 * Query rows prepared for fast scoring: per layer, the query's activation as a sparse list (ReLU
 * activations and one-hot inputs are mostly zeros) and its delta.
 */
export interface PreparedQuery {
  nq: number;
  /** [q][l] nonzero indices and values of the activation. */
  actIdx: Int32Array[][];
  actVal: Float32Array[][];
  /** [q][l] delta. */
  delta: Float32Array[][];
  /** [q] squared gradient norm in scope. */
  sqnorm: Float64Array;
}

export function prepareQuery(layout: FactorLayout, f: GradientFactors, scope: ParamScope = {}): PreparedQuery {
  const ls = layersInScope(layout, scope);
  const bias = scope.bias !== false;
  const actIdx: Int32Array[][] = [];
  const actVal: Float32Array[][] = [];
  const delta: Float32Array[][] = [];
  const sqnorm = new Float64Array(f.m);
  for (let q = 0; q < f.m; q++) {
    const ai: Int32Array[] = [];
    const av: Float32Array[] = [];
    const dl: Float32Array[] = [];
    layout.shapes.forEach((s, l) => {
      const a = f.acts[l]!.subarray(q * s.in, (q + 1) * s.in);
      const idx: number[] = [];
      for (let j = 0; j < s.in; j++) if (a[j] !== 0) idx.push(j);
      ai.push(Int32Array.from(idx));
      av.push(Float32Array.from(idx, (j) => a[j]!));
      dl.push(f.deltas[l]!.slice(q * s.out, (q + 1) * s.out));
    });
    let total = 0;
    for (const l of ls) {
      let aa = bias && layout.shapes[l]!.bias ? 1 : 0;
      for (const v of av[l]!) aa += v * v;
      let dd = 0;
      for (const v of dl[l]!) dd += v * v;
      total += aa * dd;
    }
    sqnorm[q] = total;
    actIdx.push(ai);
    actVal.push(av);
    delta.push(dl);
  }
  return { nq: f.m, actIdx, actVal, delta, sqnorm };
}

/**
 * Gradient dot products of m packed training rows with every query row at one checkpoint:
 * out[i * nq + q] = ∇L(train_i) · ∇L(query_q), exact over the parameters in scope.
 */
export function dotProducts(layout: FactorLayout, rows: Float32Array, X: Float32Array, m: number, query: PreparedQuery, scope: ParamScope = {}): Float64Array {
  const { nq } = query;
  const out = new Float64Array(m * nq);
  const bias = scope.bias !== false;
  const W = layout.rowWidth;
  const d = layout.inputWidth;
  // Layer outermost and rows innermost, with every array hoisted: this loop is the query's hot path.
  for (const l of layersInScope(layout, scope)) {
    const s = layout.shapes[l]!;
    const fromData = l === 0 && layout.actOffset[0]! < 0;
    const src = fromData ? X : rows;
    const stride = fromData ? d : W;
    const aBase = fromData ? 0 : layout.actOffset[l]!;
    const dBase = layout.deltaOffset[l]!;
    const one = bias && s.bias ? 1 : 0;
    const outW = s.out;
    for (let q = 0; q < nq; q++) {
      const idx = query.actIdx[q]![l]!;
      const val = query.actVal[q]![l]!;
      const dq = query.delta[q]![l]!;
      const nz = idx.length;
      for (let i = 0; i < m; i++) {
        const ao = i * stride + aBase;
        let aa = one;
        for (let t = 0; t < nz; t++) aa += src[ao + idx[t]!]! * val[t]!;
        if (aa === 0) continue;
        const dOff = i * W + dBase;
        let dd = 0;
        for (let k = 0; k < outW; k++) dd += rows[dOff + k]! * dq[k]!;
        out[i * nq + q] += aa * dd;
      }
    }
  }
  return out;
}
