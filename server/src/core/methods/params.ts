/** Method parameters from the CLI or a client, checked against each method's declared specs. */
import { GlassboxError } from '../errors';
import type { ParamSpec } from './types';

/**
 * Validates user-supplied method parameters (strings from the CLI or JSON from a client) against
 * a method's declared specs, filling defaults. Errors name the method and the parameter.
 */
export function resolveParams<P extends Record<string, unknown>>(
  methodId: string,
  specs: { [K in keyof P]: ParamSpec },
  given: Record<string, unknown> = {},
): P {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!(key in specs)) {
      const known = Object.keys(specs);
      throw new GlassboxError('usage', `method '${methodId}' has no parameter '${key}'${known.length ? ` (parameters: ${known.join(', ')})` : ''}`);
    }
  }
  for (const [key, spec] of Object.entries(specs) as Array<[string, ParamSpec]>) {
    const v = given[key];
    if (v === undefined) {
      out[key] = spec.default;
      continue;
    }
    out[key] = coerce(methodId, key, spec, v);
  }
  return out as P;
}

function coerce(methodId: string, key: string, spec: ParamSpec, v: unknown): unknown {
  const bad = (why: string) => new GlassboxError('usage', `${methodId}: parameter '${key}' ${why}`);
  switch (spec.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      throw bad(`must be true or false, got ${JSON.stringify(v)}`);
    case 'string': {
      const s = String(v);
      if (spec.choices && !spec.choices.includes(s)) throw bad(`must be one of ${spec.choices.join(', ')}, got '${s}'`);
      return s;
    }
    case 'number':
    case 'integer': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) throw bad(`must be a number, got ${JSON.stringify(v)}`);
      if (spec.type === 'integer' && !Number.isInteger(n)) throw bad(`must be an integer, got ${n}`);
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`must be at most ${spec.max}, got ${n}`);
      return n;
    }
  }
}
