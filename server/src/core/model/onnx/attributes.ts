/**
 * ONNX node attributes decoded into plain values, with errors naming the node and the file.
 */
import { onnx } from 'onnx-proto';
import { decodeTensor, toNumber, type HostTensor } from './tensor';
import type { Attributes } from './ops/types';

/** Reads a node's attributes; tensor attributes are decoded once, on first use. */
export function readAttributes(node: onnx.INodeProto, file: string): Attributes {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const tensors = new Map<string, HostTensor>();
  return {
    has: (name) => byName.has(name),
    int: (name, fallback) => {
      const a = byName.get(name);
      return a?.i == null ? fallback : toNumber(a.i);
    },
    float: (name, fallback) => {
      const a = byName.get(name);
      return a?.f == null ? fallback : a.f;
    },
    ints: (name) => byName.get(name)?.ints?.map(toNumber),
    floats: (name) => byName.get(name)?.floats ?? undefined,
    string: (name, fallback) => {
      const s = byName.get(name)?.s;
      return s ? new TextDecoder().decode(s) : fallback;
    },
    tensor: (name) => {
      const t = byName.get(name)?.t;
      if (!t) return undefined;
      if (!tensors.has(name)) tensors.set(name, decodeTensor(t, file, `node '${node.name ?? ''}' attribute '${name}'`));
      return tensors.get(name);
    },
  };
}
