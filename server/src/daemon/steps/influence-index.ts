/**
 * The influence index a step works with: traced over the ready checkpoints of the series up to and
 * including the analysed one, its factors precomputed once per checkpoint content hash into
 * `.glassbox/influence` (the core's store) and reused by every later step and query. The worker
 * keeps the last index per project, so explaining rows does not reopen it.
 */
import type { CheckpointInfo } from '../../core/model/checkpoints';
import type { Project } from '../../core/project';
import { InfluenceIndex } from '../../core/influence/index';

const held = new WeakMap<Project, { key: string; index: Promise<InfluenceIndex> }>();

export function traceSeries(project: Project, checkpoint: CheckpointInfo): CheckpointInfo[] {
  const ready = project.checkpoints().filter((c) => c.state === 'ready' && c.order <= checkpoint.order);
  return ready.some((c) => c.hash === checkpoint.hash) ? ready : [...ready, checkpoint];
}

export function influenceIndex(project: Project, checkpoint: CheckpointInfo, signal?: AbortSignal): Promise<InfluenceIndex> {
  const series = traceSeries(project, checkpoint);
  const key = series.map((c) => c.hash ?? c.name).join(',');
  const h = held.get(project);
  if (h?.key === key) return h.index;
  void h?.index.then((i) => i.close(), () => undefined);
  const index = (async () => InfluenceIndex.open(project, { checkpoints: series, train: await project.dataset('train'), ...(signal ? { signal } : {}) }))();
  held.set(project, { key, index });
  // A cancelled or failed open is not kept: the next caller tries again.
  index.catch(() => held.get(project)?.index === index && held.delete(project));
  return index;
}

/** Closes a project's held index (its resident factors live on the tensor backend). */
export async function releaseIndex(project: Project): Promise<void> {
  const h = held.get(project);
  held.delete(project);
  await h?.index.then((i) => i.close(), () => undefined);
}
