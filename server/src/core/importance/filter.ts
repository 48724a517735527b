/**
 * Row slices by simple conditions on RAW values, for global views over a subset of rows:
 * `sex=Female`, `age>40`, `native_country!=United-States`, `hours_per_week<=20`. Operators:
 * `=` and `!=` compare as numbers when both sides are numbers, else as trimmed strings; `<`, `<=`,
 * `>`, `>=` compare numbers (a non-numeric or missing raw value never matches). Several conditions
 * all have to hold.
 */
import { GlassboxError } from '../errors';
import { suggest } from '../data/schema';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Condition {
  column: string;
  op: Op;
  value: string;
}

export function parseCondition(spec: string): Condition {
  const m = spec.match(/^\s*([^<>=!]+?)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$/);
  if (!m || !m[1] || m[3] === undefined) throw new GlassboxError('usage', `--where expects COLUMN OP VALUE with OP one of = != < <= > >=, e.g. sex=Female or age>40; got '${spec}'`);
  const cond = { column: m[1], op: m[2] as Op, value: m[3] };
  if (['<', '<=', '>', '>='].includes(cond.op) && !Number.isFinite(Number(cond.value))) {
    throw new GlassboxError('usage', `--where '${spec}': ${cond.op} needs a number, got '${cond.value}'`);
  }
  return cond;
}

/** A predicate on raw rows (values in `header` order); errors name unknown columns. */
export function compileFilter(conditions: Condition[], header: readonly string[]): (raw: readonly string[]) => boolean {
  const tests = conditions.map((c) => {
    const col = header.indexOf(c.column);
    if (col < 0) throw new GlassboxError('usage', `--where: no column '${c.column}' in the data${suggest(c.column, header)}`);
    const num = Number(c.value);
    const numeric = c.value !== '' && Number.isFinite(num);
    return (raw: readonly string[]) => {
      const s = (raw[col] ?? '').trim();
      const x = s === '' ? NaN : Number(s);
      switch (c.op) {
        case '=':
          return numeric && Number.isFinite(x) ? x === num : s === c.value;
        case '!=':
          return numeric && Number.isFinite(x) ? x !== num : s !== c.value;
        case '<':
          return x < num;
        case '<=':
          return x <= num;
        case '>':
          return x > num;
        case '>=':
          return x >= num;
      }
    };
  });
  return (raw) => tests.every((t) => t(raw));
}
