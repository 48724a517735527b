/**
 * Every attribution method, by id. Adding a method: write `methods/<id>.ts` exporting an object
 * that `satisfies AttributionMethod<Params>`, add it here, document it in docs/cli.md; the
 * conformance suite (registry.test.ts) then covers it automatically.
 */
import { GlassboxError } from '../errors';
import { suggest } from '../data/schema';
import * as path from 'node:path';
import type { AttributionMethod } from './types';
import type { ModelHandle } from '../model/model';
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
import { linearShap } from './linear-shap';
import { treeShapMethod } from './tree-shap';

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
  'linear-shap': linearShap,
  'tree-shap': treeShapMethod,
} as const satisfies Record<string, AnyMethod>;

export type MethodId = keyof typeof METHODS;

export function methodIds(): string[] {
  return Object.keys(METHODS);
}

/**
 * The method with `id`. Its `attribute` first checks the method applies to the model it is given
 * (gradients need a differentiable model, structural methods their model kind), so a wrong pairing
 * fails at once with what to use instead, not deep inside a tensor op.
 */
export function getMethod(id: string): AttributionMethod<Record<string, unknown>> {
  const m = (METHODS as Record<string, AnyMethod>)[id];
  if (!m) throw new GlassboxError('usage', `unknown method '${id}'${suggest(id, methodIds())} (methods: ${methodIds().join(', ')})`);
  return {
    ...m,
    attribute: (input, params) => {
      assertApplies(m, input.model);
      return m.attribute(input, params);
    },
  };
}

/** Why `method` cannot explain `model`, or undefined when it can. */
export function whyNotApplicable(method: AttributionMethod<never> | AnyMethod, model: ModelHandle): string | undefined {
  const what = `${model.kind === 'trees' ? 'a tree ensemble' : model.kind === 'linear' ? 'a linear model' : 'a network'} (${path.basename(model.file)})`;
  if (method.capabilities.gradients && !model.differentiable) return `${method.id} uses gradients and this model is ${what}, which has none${model.whyNoGradients ? ` (${model.whyNoGradients})` : ''}`;
  if (method.capabilities.models && !method.capabilities.models.includes(model.kind)) return `${method.id} reads the structure of ${method.capabilities.models.join(' or ')} models and this model is ${what}`;
  return undefined;
}

/**
 * The method that explains one row when none is named: the exact one a model's structure allows
 * (linear-shap, tree-shap), else gradient saliency (cheap, exact gradients of a network).
 */
export function defaultRowMethod(model: ModelHandle): MethodId {
  return model.kind === 'linear' ? 'linear-shap' : model.kind === 'trees' ? 'tree-shap' : model.differentiable ? 'saliency' : 'kernel-shap';
}

/** The methods that apply to `model`, in registry order. */
export function applicableMethods(model: ModelHandle): string[] {
  return Object.values(METHODS as Record<string, AnyMethod>).filter((m) => !whyNotApplicable(m, model)).map((m) => m.id);
}

export function assertApplies(method: AnyMethod, model: ModelHandle): void {
  const why = whyNotApplicable(method, model);
  if (why) throw new GlassboxError('usage', `${why}: use ${applicableMethods(model).join(', ')}`, { file: model.file });
}
