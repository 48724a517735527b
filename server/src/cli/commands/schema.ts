/**
 * `glassbox schema`: how each raw column is used (declared or inferred, and why) and the encoded
 * inputs the model sees.
 */
import type { Command } from '../context';
import { table } from '../format';
import { columnNames } from '../../core/data/encoding';
import type { DataRole } from '../../core/project';
import { dataNotes, describeDataNotes, type DataNotes } from '../data-notes';

/** Prints the fitted (declared or inferred) schema, per raw column, and with --encoded per model input. */
export const schema: Command = {
  name: 'schema',
  summary: 'show how each raw column is used (declared or inferred, with the reason) and the encoded inputs',
  options: {
    encoded: { type: 'boolean', description: 'also list every encoded model input column' },
  },
  async run(ctx) {
    const project = ctx.project();
    const s = await project.schema();
    const names = columnNames(s.encoding);
    // How the other data sets fit the training encoding: unseen categories by name, missing values.
    const data: Record<string, DataNotes> = {};
    for (const role of ['test', 'reference'] as DataRole[]) {
      if (project.dataPath(role)) data[role] = dataNotes(await project.dataset(role));
    }
    if (ctx.json) {
      ctx.emit({ task: s.task, rows: s.rows, label: s.encoding.label ?? null, width: s.encoding.width, columns: s.columns, encoding: s.encoding, notes: s.notes, data, ...(ctx.options.encoded ? { encodedColumns: names } : {}) });
      return 0;
    }
    ctx.print(`task: ${s.task}   label: ${s.encoding.label?.name ?? '-'}${s.encoding.label?.classes ? ` (classes ${s.encoding.label.classes.join(', ')})` : ''}   training rows: ${s.rows}   model inputs: ${s.encoding.width}`);
    ctx.print();
    ctx.print(
      table(
        ['column', 'role', 'type', 'inputs', 'distinct', 'missing', 'why'],
        s.columns.map((c) => {
          const f = s.encoding.features.find((x) => x.name === c.name);
          return [c.name, c.role, c.type ?? '-', f ? `${f.columns[0]}..${f.columns[1] - 1}` : '-', c.distinct, c.missing, c.reason];
        }),
        ['l', 'l', 'l', 'r', 'r', 'r', 'l'],
      ),
    );
    if (s.notes.length) {
      ctx.print();
      ctx.print(`train data (${project.relative(project.config.data.train)}):`);
      for (const n of s.notes) ctx.print(`  ${n.message}`);
    }
    for (const [role, notes] of Object.entries(data)) {
      const lines = describeDataNotes(notes);
      ctx.print();
      ctx.print(`${role} data (${project.relative(project.dataPath(role as DataRole)!)}): ${lines.length ? '' : 'every value fits the training encoding'}`);
      for (const l of lines) ctx.print(`  ${l}`);
    }
    if (ctx.options.encoded) {
      ctx.print();
      names.forEach((n, i) => ctx.print(`${String(i).padStart(4)}  ${n}`));
    }
    return 0;
  },
};
