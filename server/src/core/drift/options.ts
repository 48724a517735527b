/**
 * The `drift` block of glassbox.json as `DriftOptions`: the one reading of it that `glassbox drift`
 * (which then applies its flags on top) and the daemon's drift step share. An unknown
 * `importanceMethod` is a config error at its line.
 */
import type { Config } from '../config/config';
import { GlassboxError } from '../errors';
import { getMethod } from '../methods/registry';
import type { DriftOptions } from './report';

/** Rows per chunk when a `timestamp` column is configured without `chunkSize`. */
export const DEFAULT_CHUNK_SIZE = 1000;

export function driftOptionsFromConfig(config: Config): DriftOptions {
  const cfg = config.raw.drift ?? {};
  const options: DriftOptions = {};
  if (cfg.metric) options.metric = cfg.metric;
  if (cfg.bins !== undefined) options.bins = cfg.bins;
  if (cfg.thresholds) options.thresholds = { ...cfg.thresholds };
  if (cfg.importanceMethod !== undefined) {
    try {
      options.importanceMethod = getMethod(cfg.importanceMethod).id;
    } catch (e) {
      if (e instanceof GlassboxError) throw new GlassboxError('config', `drift.importanceMethod: ${e.message}`, config.locate(['drift', 'importanceMethod']));
      throw e;
    }
  }
  if (cfg.importanceRows !== undefined) options.importanceRows = cfg.importanceRows;
  if (cfg.chunkSize !== undefined) options.chunkSize = cfg.chunkSize;
  if (cfg.timestamp) {
    options.timestamp = cfg.timestamp;
    options.chunkSize ??= DEFAULT_CHUNK_SIZE;
  }
  return options;
}
