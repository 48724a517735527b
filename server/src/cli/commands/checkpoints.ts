/**
 * `glassbox checkpoints`: the checkpoint series in training order and which checkpoints are ready
 * to analyse (complete, not being written).
 */
import * as path from 'node:path';
import type { Command } from '../context';
import { table } from '../format';

/** Lists the checkpoint series in training order with each checkpoint's state. */
export const checkpoints: Command = {
  name: 'checkpoints',
  summary: 'list the checkpoint series in training order, with which are ready to analyse',
  options: {},
  async run(ctx) {
    const project = ctx.project();
    const series = project.checkpoints();
    if (ctx.json) {
      ctx.emit({ location: project.config.checkpoints, checkpoints: series.map(({ metadata: _m, ...c }) => c) });
      return 0;
    }
    ctx.print(`checkpoints in ${project.relative(project.config.checkpoints)} (ordered by ${series[0]?.orderSource ?? '-'})`);
    ctx.print(
      table(
        ['name', 'state', 'epoch', 'step', 'lr', 'hash', 'problem'],
        series.map((c) => [path.basename(c.dir), c.state, c.epoch ?? '-', c.step ?? '-', c.learningRate ?? '-', c.hash?.slice(0, 12) ?? '-', c.problem ?? '']),
        ['l', 'l', 'r', 'r', 'r', 'l', 'l'],
      ),
    );
    return 0;
  },
};
