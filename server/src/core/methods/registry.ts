/**
 * Every attribution method, by id. Adding a method: write `methods/<id>.ts` exporting an object
 * that `satisfies AttributionMethod<Params>`, add it here, document it in docs/cli.md; the
 * conformance suite (registry.test.ts) then covers it automatically.
 */
import { GlassboxError } from '../errors';
import { suggest } from '../data/schema';
import type { AttributionMethod } from './types';
import { saliency } from './saliency';
import { inputXGradient } from './input-x-gradient';
import { integratedGradients } from './integrated-gradients';
import { smoothgrad } from './smoothgrad';
import { smoothgradSq } from './smoothgrad-sq';
import { vargrad } from './vargrad';
import { expectedGradients } from './expected-gradients';
import { shapleyExact } from './shapley-exact';
import { kernelShap } from './kernel-shap';
import { lime } from './lime';
import { featureAblation } from './feature-ablation';
import { randomAblation } from './random-ablation';
import { permutationImportance } from './permutation';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method has its own params type
type AnyMethod = AttributionMethod<any>;

export const METHODS = {
  saliency,
  'input-x-gradient': inputXGradient,
  'integrated-gradients': integratedGradients,
  smoothgrad,
  'smoothgrad-sq': smoothgradSq,
  vargrad,
  'expected-gradients': expectedGradients,
  'shapley-exact': shapleyExact,
  'kernel-shap': kernelShap,
  lime,
  'feature-ablation': featureAblation,
  'random-ablation': randomAblation,
  permutation: permutationImportance,
} as const satisfies Record<string, AnyMethod>;

export type MethodId = keyof typeof METHODS;

export function methodIds(): string[] {
  return Object.keys(METHODS);
}

export function getMethod(id: string): AttributionMethod<Record<string, unknown>> {
  const m = (METHODS as Record<string, AnyMethod>)[id];
  if (!m) throw new GlassboxError('usage', `unknown method '${id}'${suggest(id, methodIds())} (methods: ${methodIds().join(', ')})`);
  return m;
}
