/**
 * An ONNX graph prepared for TensorFlow.js: nodes resolved to operator implementations at load,
 * then run in topological order (forward, and differentiably for gradient methods).
 */
import type { onnx } from 'onnx-proto';
import { tf } from '../../engine/tf';
import { GlassboxError } from '../../errors';
import type { Attributes, OpContext, OpDef } from './ops/types';
import { registerZeroGradients } from './ops/zero-gradients';

/** A node ready to run: its implementation and attributes resolved at load. */
export interface PreparedNode {
  node: onnx.INodeProto;
  def: OpDef;
  attrs: Attributes;
}

export interface OnnxParameter {
  name: string;
  shape: number[];
  values: Float32Array;
  /** 'statistic' for BatchNormalization's running mean and variance (not trained by gradient;
   * randomising them can make a variance negative), 'weight' otherwise. */
  role: 'weight' | 'statistic';
}

/** What `loadOnnxGraph` reads besides the computation. */
export interface OnnxGraphInfo {
  file: string;
  inputName: string;
  inputWidth: number;
  outputName: string;
  opsetVersion: number;
  producer: { name: string; version: string };
  metadata: Record<string, string>;
  /** Operators used, sorted, each once. */
  operators: string[];
}

/** A loaded graph's computation: nodes in topological order and its constants. */
export interface GraphSpec {
  info: OnnxGraphInfo;
  nodes: PreparedNode[];
  /** Float initializers in file order (the weights). */
  parameterNames: string[];
  statistics: Set<string>;
  /** Initializers and folded Constant outputs. */
  constants: Map<string, { data: Float32Array | Int32Array | Uint8Array; shape: number[]; dtype: 'float32' | 'int32' | 'bool'; ints?: number[] }>;
  /** Known output width, when the file states it; otherwise measured by one forward pass. */
  outputWidth?: number;
}

/**
 * An ONNX graph rebuilt as TF.js ops. `forward` is pure tfjs, so `tf.grad` differentiates through
 * it exactly. The constants are tensors made once (kept until `dispose`).
 */
export class OnnxGraph {
  readonly inputName: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly opsetVersion: number;
  readonly producer: { name: string; version: string };
  readonly metadata: Record<string, string>;
  readonly operators: string[];
  private readonly tensors = new Map<string, tf.Tensor>();
  private readonly hostInts = new Map<string, number[]>();
  /** Transposed copies of the initializers Gemm reads with transA/transB (torch's Linear weights). */
  private readonly transposedConstants = new Map<string, tf.Tensor>();
  private disposed = false;

  constructor(private readonly spec: GraphSpec) {
    registerZeroGradients();
    const { info } = spec;
    this.inputName = info.inputName;
    this.inputWidth = info.inputWidth;
    this.opsetVersion = info.opsetVersion;
    this.producer = info.producer;
    this.metadata = info.metadata;
    this.operators = info.operators;
    for (const [name, c] of spec.constants) {
      this.tensors.set(name, tf.tensor(c.data, c.shape, c.dtype));
      if (c.ints) this.hostInts.set(name, c.ints);
    }
    for (const { node, attrs } of spec.nodes) {
      if (node.opType !== 'Gemm') continue;
      for (const [i, flag] of [[0, 'transA'], [1, 'transB']] as const) {
        const name = node.input?.[i] ?? '';
        const t = this.tensors.get(name);
        if (attrs.int(flag, 0) && t?.rank === 2 && !this.transposedConstants.has(name)) this.transposedConstants.set(name, tf.transpose(t));
      }
    }
    // Two rows, not one: a graph that squeezes unit dims would drop a batch of one.
    this.outputWidth = spec.outputWidth ?? tf.tidy(() => this.forward(tf.zeros([2, this.inputWidth])).shape[1]);
  }

  /** The float initializers (weights and BatchNorm statistics), copied out. */
  parameters(): OnnxParameter[] {
    return this.spec.parameterNames.map((name) => {
      const c = this.spec.constants.get(name)!;
      return { name, shape: [...c.shape], values: Float32Array.from(c.data), role: this.spec.statistics.has(name) ? 'statistic' : 'weight' };
    });
  }

  /** A new graph whose named float initializers hold the given values (same sizes); the rest is
   * shared in content, not in tensors, so each graph disposes independently. */
  withParameters(replacements: ReadonlyMap<string, Float32Array>): OnnxGraph {
    const constants = new Map(this.spec.constants);
    for (const [name, values] of replacements) {
      const c = constants.get(name);
      if (!c || c.dtype !== 'float32' || !this.spec.parameterNames.includes(name)) {
        throw new Error(`withParameters: '${name}' is not a float initializer of ${this.spec.info.file}`);
      }
      if (values.length !== c.data.length) {
        throw new Error(`withParameters: '${name}' has ${c.data.length} values, got ${values.length}`);
      }
      constants.set(name, { ...c, data: Float32Array.from(values) });
    }
    return new OnnxGraph({ ...this.spec, constants, outputWidth: this.outputWidth });
  }

  /**
   * n x outputWidth outputs for n x inputWidth inputs. `parameters` may stand in for named
   * initializers (e.g. tensors to differentiate with respect to). Safe inside `tf.tidy` and
   * `tf.grad`; intermediate tensors are freed before it returns.
   */
  forward(x: tf.Tensor2D, parameters?: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D {
    if (this.disposed) throw new Error(`forward: the graph of ${this.spec.info.file} was disposed`);
    if (x.rank !== 2 || x.shape[1] !== this.inputWidth) {
      throw new Error(`forward: x must be n x ${this.inputWidth}, got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const env = new Map<string, tf.Tensor>();
      const known = new Map<tf.Tensor, number[]>();
      env.set(this.inputName, x.dtype === 'float32' ? x : tf.cast(x, 'float32'));
      const lookup = (name: string): tf.Tensor | undefined => {
        if (!name) return undefined;
        const t = env.get(name) ?? parameters?.get(name) ?? this.tensors.get(name);
        if (!t) throw new Error(`value '${name}' is not computed before it is used`);
        return t;
      };
      for (const { node, def, attrs } of this.spec.nodes) {
        const names = node.input ?? [];
        const inputs = names.map(lookup);
        const intsOf = (i: number, read: boolean): number[] | undefined => {
          const t = inputs[i];
          if (!t) return undefined;
          const cached = known.get(t) ?? (parameters?.has(names[i]!) ? undefined : this.hostInts.get(names[i]!));
          if (cached || !read) return cached;
          const values = Array.from(t.dataSync());
          known.set(t, values);
          return values;
        };
        const ctx: OpContext = {
          node,
          opset: this.opsetVersion,
          attrs,
          inputs,
          ints: (i) => intsOf(i, true),
          knownInts: (i) => intsOf(i, false),
          transposed: (i) => {
            const overridden = parameters?.has(names[i]!) ?? false;
            return (!overridden && this.transposedConstants.get(names[i]!)) || tf.transpose(inputs[i]!);
          },
          known: (t, ints) => {
            known.set(t, ints);
            return t;
          },
        };
        let result: ReturnType<OpDef['run']>;
        try {
          result = def.run(ctx);
        } catch (e) {
          // Shapes the file's graph cannot take (a Reshape that does not fit, ...) name the node.
          const why = (e as Error).message?.split('\n')[0] ?? String(e);
          throw new GlassboxError('model', `node '${node.name || node.output?.[0]}' (${node.opType}) failed: ${why}`, { file: this.spec.info.file });
        }
        const outputs = Array.isArray(result) ? result : [result];
        (node.output ?? []).forEach((name, i) => {
          if (name && outputs[i]) env.set(name, outputs[i]!);
        });
      }
      const y = lookup(this.spec.info.outputName)!;
      const y2 = y.rank === 1 ? tf.reshape(y, [-1, 1]) : y.rank === 2 ? y : tf.reshape(y, [y.shape[0]!, -1]);
      return (y2.dtype === 'float32' ? y2 : tf.cast(y2, 'float32')) as tf.Tensor2D;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [...this.tensors.values(), ...this.transposedConstants.values()]) t.dispose();
    this.tensors.clear();
    this.transposedConstants.clear();
  }
}
