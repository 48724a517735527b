/**
 * Reading and writing TF.js layers-model checkpoints with plain `fs`, so it works with or without
 * tfjs-node. Writes go to a temporary directory that is renamed into place, so a reader never sees
 * half a checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { GlassboxError } from '../errors';
import { inspectCheckpoint } from './checkpoints';

export async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const info = inspectCheckpoint(dir);
  if (info.state !== 'ready') {
    throw new GlassboxError(info.state === 'incomplete' ? 'checkpoint-incomplete' : 'checkpoint', `checkpoint is not loadable: ${info.problem}`, { file: path.join(dir, 'model.json') });
  }
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers: Buffer[] = [];
    for (const group of manifest) for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
    const all = Buffer.concat(buffers);
    const specs = manifest.flatMap((g) => g.weights);
    return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
  });
}

export async function loadLayersModel(dir: string): Promise<{ model: tfl.LayersModel; metadata: Record<string, unknown> }> {
  const artifacts = await readArtifacts(dir);
  try {
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    return { model, metadata: (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown> };
  } catch (e) {
    throw new GlassboxError('checkpoint', `TF.js could not build the model: ${(e as Error).message}`, { file: path.join(dir, 'model.json') });
  }
}

/** Saves `model` as `<dir>/model.json` + `weights.bin` atomically (temp dir, then rename). */
export async function saveCheckpoint(model: tfl.LayersModel, dir: string, metadata: Record<string, unknown>): Promise<void> {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dir)}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes = data === undefined ? new Uint8Array(0) : new Uint8Array(Array.isArray(data) ? concat(data) : data);
      fs.writeFileSync(path.join(tmp, 'weights.bin'), bytes);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: metadata,
      };
      fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

function concat(parts: ArrayBuffer[]): ArrayBuffer {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out.buffer;
}
