/**
 * Labelled held-out rows for the checks that compare training with unseen data (generalisation gap,
 * calibration): the test data, else the reference data when it has labels. Rows whose label is
 * missing are left out.
 */
import type { Dataset } from '../data/dataset';
import type { CheckContext } from './context';

export async function labelledHeldOut(ctx: CheckContext): Promise<Dataset | undefined> {
  for (const role of ['test', 'reference'] as const) {
    if (!ctx.project.dataPath(role)) continue;
    const ds = await ctx.project.dataset(role);
    if (ds.y && ds.y.some((v) => !Number.isNaN(v))) return ds;
  }
  return undefined;
}

/** A seeded sample of at most `k` labelled rows of `ds`. */
export function labelledRows(ctx: CheckContext, ds: Dataset, k: number, salt: number): Int32Array {
  const sample = ctx.sample(ds, k, salt);
  return sample.filter((r) => !Number.isNaN(ds.y![r]!));
}
