/**
 * Where precomputed influence data lives: per checkpoint content hash, the packed gradient factors
 * of every training row (tracin.ts layout), the per-row loss and the label probability.
 *
 * File format (until it moves into the daemon's database, behind the same interface):
 *   <root>/<checkpoint hash>/manifest.json   { format, checkpointHash, dataKey, n, rowWidth, shapes, ... }
 *   <root>/<checkpoint hash>/factors.f32     n × rowWidth little-endian Float32, row-major
 *   <root>/<checkpoint hash>/loss.f32        n Float32
 *   <root>/<checkpoint hash>/plabel.f32      n Float32
 *   <root>/<checkpoint hash>/norms.f32       n × 2L Float32: per layer |a_l|², |δ_l|² (gradients.ts),
 *                                            so self-influence reads 2L numbers a row, not the factors
 * An entry is written into a temporary directory and renamed, so readers never see half of one. A
 * missing, corrupt, other-version or other-data entry reads as absent and is rebuilt, never fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LayerShape } from './gradients';

export const STORE_FORMAT = 'glassbox-influence/2';

export interface StoreManifest {
  format: string;
  checkpointHash: string;
  /** Identity of the training data (and loss) the factors were computed on. */
  dataKey: string;
  n: number;
  rowWidth: number;
  shapes: LayerShape[];
  /** The first layer's input activations are stored in the rows (a dense tail after other layers). */
  inputStored?: boolean;
  createdAt: string;
  seconds: number;
}

/** Precomputed factors of one checkpoint, resident or read from disk chunk by chunk. */
export interface StoredFactors {
  manifest: StoreManifest;
  loss: Float32Array;
  pLabel: Float32Array;
  /** n × 2L squared factor norms (GradientFactors.norms), always in memory: 2L floats a row. */
  norms: Float32Array;
  /** Packed rows [start, start + m); the view is valid until the next call. */
  rowsAt(start: number, m: number): Float32Array;
  resident: boolean;
  close(): void;
}

export interface StoreWriter {
  append(rows: Float32Array, loss: Float32Array, pLabel: Float32Array, norms: Float32Array): void;
  /** Makes the entry visible; returns it read for use when the writer kept it in memory (no reread). */
  commit(manifest: StoreManifest): StoredFactors | undefined;
  abort(): void;
}

export interface InfluenceStore {
  open(checkpointHash: string, dataKey: string): StoredFactors | undefined;
  create(checkpointHash: string): StoreWriter;
}

/** File-backed store. Entries up to `residentBytes` are read into memory whole. */
export class FileInfluenceStore implements InfluenceStore {
  constructor(
    readonly root: string,
    readonly residentBytes = 512 * 1024 * 1024,
  ) {}

  open(checkpointHash: string, dataKey: string): StoredFactors | undefined {
    const dir = path.join(this.root, checkpointHash);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as StoreManifest;
      if (manifest.format !== STORE_FORMAT || manifest.checkpointHash !== checkpointHash || manifest.dataKey !== dataKey) return undefined;
      const { n, rowWidth } = manifest;
      const factorsFile = path.join(dir, 'factors.f32');
      if (fs.statSync(factorsFile).size !== n * rowWidth * 4) return undefined;
      const loss = readF32(path.join(dir, 'loss.f32'), n);
      const pLabel = readF32(path.join(dir, 'plabel.f32'), n);
      const norms = readF32(path.join(dir, 'norms.f32'), n * 2 * manifest.shapes.length);
      if (!loss || !pLabel || !norms) return undefined;
      if (n * rowWidth * 4 <= this.residentBytes) {
        const all = readF32(factorsFile, n * rowWidth)!;
        return { manifest, loss, pLabel, norms, resident: true, rowsAt: (s, m) => all.subarray(s * rowWidth, (s + m) * rowWidth), close: () => {} };
      }
      const fd = fs.openSync(factorsFile, 'r');
      let buf = new Float32Array(0);
      return {
        manifest,
        loss,
        pLabel,
        norms,
        resident: false,
        rowsAt(s, m) {
          if (buf.length < m * rowWidth) buf = new Float32Array(m * rowWidth);
          const view = buf.subarray(0, m * rowWidth);
          fs.readSync(fd, new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 0, view.byteLength, s * rowWidth * 4);
          return view;
        },
        close: () => fs.closeSync(fd),
      };
    } catch {
      return undefined;
    }
  }

  create(checkpointHash: string): StoreWriter {
    const final = path.join(this.root, checkpointHash);
    const tmp = `${final}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(tmp, { recursive: true });
    const fds = {
      factors: fs.openSync(path.join(tmp, 'factors.f32'), 'w'),
      loss: fs.openSync(path.join(tmp, 'loss.f32'), 'w'),
      plabel: fs.openSync(path.join(tmp, 'plabel.f32'), 'w'),
      norms: fs.openSync(path.join(tmp, 'norms.f32'), 'w'),
    };
    const write = (fd: number, a: Float32Array) => fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const closeAll = () => Object.values(fds).forEach((fd) => fs.closeSync(fd));
    // While the entry stays within the resident budget its chunks are kept, so the committed entry
    // is served from memory instead of being read back from the files just written.
    let kept: { rows: Float32Array[]; loss: Float32Array[]; pLabel: Float32Array[]; norms: Float32Array[]; bytes: number } | undefined = { rows: [], loss: [], pLabel: [], norms: [], bytes: 0 };
    const residentBytes = this.residentBytes;
    return {
      append(rows, loss, pLabel, norms) {
        write(fds.factors, rows);
        write(fds.loss, loss);
        write(fds.plabel, pLabel);
        write(fds.norms, norms);
        if (kept && (kept.bytes += rows.byteLength) <= residentBytes) {
          kept.rows.push(rows);
          kept.loss.push(loss);
          kept.pLabel.push(pLabel);
          kept.norms.push(norms);
        } else kept = undefined;
      },
      commit(manifest) {
        closeAll();
        fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
        fs.rmSync(final, { recursive: true, force: true });
        fs.renameSync(tmp, final);
        if (!kept) return undefined;
        const all = concat(kept.rows);
        if (all.length !== manifest.n * manifest.rowWidth) return undefined;
        const { rowWidth } = manifest;
        return { manifest, loss: concat(kept.loss), pLabel: concat(kept.pLabel), norms: concat(kept.norms), resident: true, rowsAt: (s, m) => all.subarray(s * rowWidth, (s + m) * rowWidth), close: () => {} };
      },
      abort() {
        closeAll();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  }
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function readF32(file: string, count: number): Float32Array | undefined {
  if (!fs.existsSync(file)) return undefined;
  const b = fs.readFileSync(file);
  if (b.byteLength !== count * 4) return undefined;
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(b);
  return out;
}
