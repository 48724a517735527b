/**
 * ONNX tensor protos to host arrays and TensorFlow.js dtypes.
 */
import { onnx } from 'onnx-proto';
import { GlassboxError } from '../../errors';

/** A tensor read from the model file, on the host. Integers keep exact values in `ints` (int64
 * extremes such as INT64_MAX in Slice ends stay huge there; `data` clamps them to int32). */
export interface HostTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
  ints?: number[];
}

const T = onnx.TensorProto.DataType;

/** ONNX element types -> the tfjs dtype that carries them (floats of any width compute in float32,
 * integers in int32, as tfjs has no 64-bit types). Undefined for types Glassbox cannot hold. */
export function tfDtypeOf(elemType: number): HostTensor['dtype'] | undefined {
  switch (elemType) {
    case T.FLOAT:
    case T.DOUBLE:
    case T.FLOAT16:
    case T.BFLOAT16:
      return 'float32';
    case T.INT8:
    case T.INT16:
    case T.INT32:
    case T.INT64:
    case T.UINT8:
    case T.UINT16:
    case T.UINT32:
    case T.UINT64:
      return 'int32';
    case T.BOOL:
      return 'bool';
    default:
      return undefined;
  }
}

export function elemTypeName(elemType: number): string {
  return (T as unknown as Record<number, string>)[elemType]?.toLowerCase() ?? `type ${elemType}`;
}

export function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

const INT32_MAX = 2147483647;
const clampInt32 = (v: number) => Math.max(-INT32_MAX - 1, Math.min(INT32_MAX, v));

/** Decodes an initializer or a Constant's tensor. `what` names it in errors. */
export function decodeTensor(t: onnx.ITensorProto, file: string, what: string): HostTensor {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    const location = t.externalData?.find((e) => e.key === 'location')?.value ?? 'an external file';
    throw new GlassboxError('model', `${what} keeps its data in ${location} (external data); re-export with the weights inside the file (torch.onnx.export does so below 2 GB; onnx.save(model, path, save_as_external_data=False))`, { file });
  }
  const elemType = t.dataType ?? 0;
  const dtype = tfDtypeOf(elemType);
  if (!dtype) throw new GlassboxError('model', `${what} holds ${elemTypeName(elemType)} values, which Glassbox cannot compute with`, { file });
  const shape = (t.dims ?? []).map(toNumber);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new GlassboxError('model', `${what} has an invalid shape [${shape.join(', ')}]`, { file });
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  let values: number[];
  if (view) {
    // Checked before allocating: a corrupt file may claim any shape.
    if (raw!.byteLength !== size * BYTES[elemType]!) {
      throw new GlassboxError('model', `${what} has ${raw!.byteLength} bytes of data for shape [${shape.join(', ')}]`, { file });
    }
    values = new Array<number>(size);
    const read = rawReader(elemType, view);
    for (let i = 0; i < size; i++) values[i] = read(i);
  } else {
    const source: Array<number | { toNumber(): number }> =
      (t.floatData?.length ? t.floatData : undefined) ??
      (t.doubleData?.length ? t.doubleData : undefined) ??
      (t.int64Data?.length ? t.int64Data : undefined) ??
      (t.uint64Data?.length ? t.uint64Data : undefined) ??
      t.int32Data ??
      [];
    values = source.map(toNumber);
    if (elemType === T.FLOAT16 || elemType === T.BFLOAT16) values = values.map((bits) => halfBits(elemType, bits));
    if (values.length !== size) {
      throw new GlassboxError('model', `${what} has ${values.length} values for shape [${shape.join(', ')}]`, { file });
    }
  }
  if (dtype === 'float32') return { dtype, shape, data: Float32Array.from(values) };
  if (dtype === 'bool') return { dtype, shape, data: Uint8Array.from(values, (v) => (v ? 1 : 0)), ints: values };
  return { dtype, shape, data: Int32Array.from(values, clampInt32), ints: values };
}

const BYTES: Record<number, number> = {
  [T.FLOAT]: 4, [T.DOUBLE]: 8, [T.FLOAT16]: 2, [T.BFLOAT16]: 2, [T.INT8]: 1, [T.UINT8]: 1, [T.BOOL]: 1,
  [T.INT16]: 2, [T.UINT16]: 2, [T.INT32]: 4, [T.UINT32]: 4, [T.INT64]: 8, [T.UINT64]: 8,
};

function rawReader(elemType: number, v: DataView): (i: number) => number {
  switch (elemType) {
    case T.FLOAT:
      return (i) => v.getFloat32(i * 4, true);
    case T.DOUBLE:
      return (i) => v.getFloat64(i * 8, true);
    case T.FLOAT16:
    case T.BFLOAT16:
      return (i) => halfBits(elemType, v.getUint16(i * 2, true));
    case T.INT8:
      return (i) => v.getInt8(i);
    case T.UINT8:
    case T.BOOL:
      return (i) => v.getUint8(i);
    case T.INT16:
      return (i) => v.getInt16(i * 2, true);
    case T.UINT16:
      return (i) => v.getUint16(i * 2, true);
    case T.INT32:
      return (i) => v.getInt32(i * 4, true);
    case T.UINT32:
      return (i) => v.getUint32(i * 4, true);
    case T.INT64:
      return (i) => Number(v.getBigInt64(i * 8, true));
    case T.UINT64:
      return (i) => Number(v.getBigUint64(i * 8, true));
    default:
      return () => NaN;
  }
}

/** IEEE half or bfloat16 bits -> number. */
function halfBits(elemType: number, bits: number): number {
  if (elemType === T.BFLOAT16) {
    const b = new DataView(new ArrayBuffer(4));
    b.setUint32(0, bits << 16);
    return b.getFloat32(0);
  }
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
