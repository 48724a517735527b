/**
 * Reads an ONNX file into a graph Glassbox can run: opset range, initialisers, inputs and outputs,
 * and a clear error for what it cannot run.
 */
import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';
import { GlassboxError } from '../../errors';
import { readAttributes } from './attributes';
import { OnnxGraph, type GraphSpec, type PreparedNode } from './graph';
import { OPERATORS, SUPPORTED_OPERATORS } from './ops/registry';
import { decodeTensor, elemTypeName, tfDtypeOf, toNumber } from './tensor';

/** Default-domain opsets whose operator semantics the implementations follow (7 = first with
 * numpy broadcasting everywhere; 21 = the newest in onnx 1.16, which adds no semantic change to
 * the supported operators over 18). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

/** Reads `file` (synchronously) and rebuilds its graph as TF.js ops. Throws `GlassboxError`s
 * (code 'model') naming the file for anything Glassbox cannot run. */
export function loadOnnxGraph(file: string): OnnxGraph {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new GlassboxError('model', `cannot read the ONNX model: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  return new OnnxGraph(prepareOnnxGraph(bytes, file));
}

/** Decodes and checks a model; everything `OnnxGraph` needs, with no tensors made yet. */
export function prepareOnnxGraph(bytes: Uint8Array, file: string): GraphSpec {
  const fail = (message: string): never => {
    throw new GlassboxError('model', message, { file });
  };
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(`not a readable ONNX model (${(e as Error).message}); the file is truncated or not ONNX`);
  }
  const graph = model.graph;
  if (!graph || toNumber(model.irVersion ?? 0) <= 0 || (graph.node?.length ?? 0) === 0 || (graph.output?.length ?? 0) === 0) {
    return fail('not a readable ONNX model (no graph with nodes and an output); the file is truncated or not ONNX');
  }

  const opsets = model.opsetImport ?? [];
  const defaultOpset = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opsetVersion = defaultOpset ? toNumber(defaultOpset.version ?? 0) : 0;
  if (opsetVersion > MAX_OPSET) {
    fail(`opset ${opsetVersion} is newer than Glassbox supports (ONNX opsets ${MIN_OPSET}-${MAX_OPSET}); export with opset_version=${MAX_OPSET} or lower`);
  }
  if (opsetVersion < MIN_OPSET) {
    fail(`opset ${opsetVersion} is older than Glassbox supports (ONNX opsets ${MIN_OPSET}-${MAX_OPSET}); export with opset_version=13 or newer`);
  }

  // Initializers: external data is refused before anything else is decoded.
  const constants: GraphSpec['constants'] = new Map();
  const parameterNames: string[] = [];
  for (const init of graph.initializer ?? []) {
    const name = init.name ?? '';
    const t = decodeTensor(init, file, `initializer '${name}'`);
    constants.set(name, t);
    if (t.dtype === 'float32') parameterNames.push(name);
  }

  // Exactly one real input (older IRs also list initializers as inputs), float, [batch, d].
  const inputs = (graph.input ?? []).filter((i) => !constants.has(i.name ?? ''));
  if (inputs.length !== 1) {
    fail(`the graph has ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ')}); Glassbox explains models with one input of shape [batch, features]`);
  }
  const input = inputs[0]!;
  const inputType = input.type?.tensorType;
  const elemType = inputType?.elemType ?? 0;
  if (tfDtypeOf(elemType) !== 'float32') {
    fail(`input '${input.name}' is ${elemTypeName(elemType)}; Glassbox feeds encoded rows as floats, so export the model with a float input (encode strings before the model)`);
  }
  const dims = inputType?.shape?.dim ?? [];
  if (dims.length !== 2) {
    fail(`input '${input.name}' has ${dims.length} dimensions; Glassbox needs a 2-D input [batch, features]`);
  }
  const width = dims[1]?.dimValue == null ? 0 : toNumber(dims[1].dimValue);
  if (!(width > 0)) fail(`input '${input.name}' has no fixed feature width (dimension 1 is '${dims[1]?.dimParam ?? '?'}'); export with a fixed number of features`);

  // Nodes: Constants fold into constants; every other operator must be supported.
  const unsupported: string[] = [];
  const bad: string[] = [];
  const nodes: PreparedNode[] = [];
  const operators = new Set<string>();
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const domain = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.` : '';
    operators.add(domain + op);
    const def = domain ? undefined : OPERATORS.get(op);
    if (!def) {
      unsupported.push(`node '${node.name || node.output?.[0]}' uses operator '${domain}${op}'`);
      continue;
    }
    const attrs = readAttributes(node, file);
    const problem = def.check?.(attrs, opsetVersion);
    if (problem) {
      bad.push(`node '${node.name || node.output?.[0]}' (${op}) has ${problem}`);
      continue;
    }
    if (op === 'Constant' && attrs.tensor('value') && node.output?.[0]) {
      constants.set(node.output[0], attrs.tensor('value')!);
      continue;
    }
    nodes.push({ node, def, attrs });
  }
  if (unsupported.length > 0) {
    fail(`${unsupported.join('; ')}, which Glassbox cannot run as TF.js ops (supported: ${SUPPORTED_OPERATORS.join(', ')})`);
  }
  if (bad.length > 0) fail(bad.join('; '));

  const statistics = new Set<string>();
  for (const { node } of nodes) {
    if (node.opType === 'BatchNormalization') for (const i of [3, 4]) if (node.input?.[i]) statistics.add(node.input[i]);
  }

  const outputName = graph.output![0]!.name ?? '';
  const outDims = graph.output![0]!.type?.tensorType?.shape?.dim;
  const outWidth = outDims?.length === 1 ? 1 : outDims?.length === 2 && outDims[1]?.dimValue != null ? toNumber(outDims[1].dimValue) : undefined;

  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';

  return {
    info: {
      file,
      inputName: input.name ?? '',
      inputWidth: width,
      outputName,
      opsetVersion,
      producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
      metadata,
      operators: [...operators].sort(),
    },
    nodes: topologicalOrder(nodes, new Set([input.name ?? '', ...constants.keys()]), outputName, fail),
    parameterNames,
    statistics,
    constants,
    outputWidth: outWidth && outWidth > 0 ? outWidth : undefined,
  };
}

/** The spec requires nodes in topological order; files that break it are reordered (Kahn), and a
 * value nothing produces, or a cycle, is an error naming the node. */
function topologicalOrder(nodes: PreparedNode[], available: Set<string>, outputName: string, fail: (m: string) => never): PreparedNode[] {
  const ready = new Set(available);
  const sorted: PreparedNode[] = [];
  let pending = nodes;
  while (pending.length > 0) {
    const next: PreparedNode[] = [];
    for (const p of pending) {
      if ((p.node.input ?? []).every((i) => !i || ready.has(i))) {
        sorted.push(p);
        for (const o of p.node.output ?? []) if (o) ready.add(o);
      } else {
        next.push(p);
      }
    }
    if (next.length === pending.length) {
      const p = next[0]!;
      const missing = (p.node.input ?? []).find((i) => i && !ready.has(i));
      fail(`node '${p.node.name || p.node.output?.[0]}' reads '${missing}', which no node, initializer or input provides (or the graph has a cycle)`);
    }
    pending = next;
  }
  if (!ready.has(outputName)) fail(`the graph output '${outputName}' is produced by no node`);
  return sorted;
}
