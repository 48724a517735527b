/**
 * Universal Binary JSON decoder (ubjson.org, draft 12), enough for XGBoost's `.ubj` models:
 * big-endian numbers, strongly typed containers (`$` type, `#` count) which XGBoost uses for its
 * per-node arrays. Typed numeric arrays decode to typed arrays (Float32Array for `d`, etc.), so a
 * model with millions of nodes does not become millions of JS numbers in boxed arrays.
 * Throws `UbjsonError` with the byte offset on truncated or malformed input.
 */
export class UbjsonError extends Error {}

export type UbjValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | UbjValue[]
  | { [key: string]: UbjValue }
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array;

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function decodeUbjson(bytes: Uint8Array): UbjValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;

  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new UbjsonError(`truncated at byte ${pos} (needs ${n} more)`);
  };
  const marker = (): number => {
    need(1);
    return bytes[pos++]!;
  };

  const readNumber = (m: number): number | bigint => {
    switch (m) {
      case 0x69: need(1); pos += 1; return view.getInt8(pos - 1); // i
      case 0x55: need(1); pos += 1; return view.getUint8(pos - 1); // U
      case 0x49: need(2); pos += 2; return view.getInt16(pos - 2); // I
      case 0x6c: need(4); pos += 4; return view.getInt32(pos - 4); // l
      case 0x4c: { // L: a number when it fits exactly, else bigint
        need(8);
        pos += 8;
        const v = view.getBigInt64(pos - 8);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0x64: need(4); pos += 4; return view.getFloat32(pos - 4); // d
      case 0x44: need(8); pos += 8; return view.getFloat64(pos - 8); // D
      default:
        throw new UbjsonError(`expected a number marker at byte ${pos - 1}, found 0x${m.toString(16)}`);
    }
  };

  const readLength = (): number => {
    const n = readNumber(marker());
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new UbjsonError(`invalid length at byte ${pos}`);
    return n;
  };

  const readString = (): string => {
    const n = readLength();
    need(n);
    const s = textDecoder.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };

  /** A `$t#n` typed run of fixed-size numbers, copied out big-endian → native. */
  const typedArray = (type: number, count: number): UbjValue | undefined => {
    const make = <T>(size: number, ctor: new (n: number) => T, get: (o: number) => number | bigint): T => {
      need(size * count);
      const out = new ctor(count) as unknown as { [i: number]: number | bigint };
      for (let i = 0; i < count; i++) out[i] = get(pos + i * size);
      pos += size * count;
      return out as unknown as T;
    };
    switch (type) {
      case 0x69: return make(1, Int8Array, (o) => view.getInt8(o));
      case 0x55: return make(1, Uint8Array, (o) => view.getUint8(o));
      case 0x49: return make(2, Int16Array, (o) => view.getInt16(o));
      case 0x6c: return make(4, Int32Array, (o) => view.getInt32(o));
      case 0x4c: return make(8, BigInt64Array, (o) => view.getBigInt64(o));
      case 0x64: return make(4, Float32Array, (o) => view.getFloat32(o));
      case 0x44: return make(8, Float64Array, (o) => view.getFloat64(o));
      default: return undefined;
    }
  };

  /** Reads `$type` and `#count` after a container opener, if present. */
  const containerHeader = (): { type?: number; count?: number } => {
    let type: number | undefined;
    let count: number | undefined;
    need(1);
    if (bytes[pos] === 0x24) { // $
      pos++;
      type = marker();
      need(1);
      if (bytes[pos] !== 0x23) throw new UbjsonError(`a typed container needs a count at byte ${pos}`);
    }
    if (bytes[pos] === 0x23) { // #
      pos++;
      count = readLength();
    }
    return { type, count };
  };

  const value = (m: number): UbjValue => {
    switch (m) {
      case 0x5a: return null; // Z
      case 0x54: return true; // T
      case 0x46: return false; // F
      case 0x43: need(1); return String.fromCharCode(bytes[pos++]!); // C
      case 0x53: return readString(); // S
      case 0x48: { // H: high-precision number as a decimal string
        const s = readString();
        const v = Number(s);
        if (Number.isNaN(v)) throw new UbjsonError(`invalid high-precision number "${s}"`);
        return v;
      }
      case 0x5b: { // [
        const { type, count } = containerHeader();
        if (type !== undefined && count !== undefined) {
          const typed = typedArray(type, count);
          if (typed !== undefined) return typed;
        }
        const out: UbjValue[] = [];
        if (count !== undefined) {
          for (let i = 0; i < count; i++) out.push(value(type ?? nextMarker()));
          return out;
        }
        for (;;) {
          const mm = nextMarker();
          if (mm === 0x5d) return out;
          out.push(value(mm));
        }
      }
      case 0x7b: { // {
        const { type, count } = containerHeader();
        const out: { [key: string]: UbjValue } = {};
        if (count !== undefined) {
          for (let i = 0; i < count; i++) {
            const k = readString();
            out[k] = value(type ?? nextMarker());
          }
          return out;
        }
        for (;;) {
          need(1);
          if (bytes[pos] === 0x7d) {
            pos++;
            return out;
          }
          const k = readString();
          out[k] = value(nextMarker());
        }
      }
      default:
        return readNumber(m);
    }
  };

  /** Next marker, skipping no-ops (N). */
  const nextMarker = (): number => {
    let m = marker();
    while (m === 0x4e) m = marker();
    return m;
  };

  const root = value(nextMarker());
  return root;
}
