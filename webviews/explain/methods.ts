/**
 * What a method's numbers are, which decides how they may be drawn. Additive methods (SHAP
 * variants, integrated and expected gradients) split the output minus a base value among the
 * features, so a waterfall from the base value to the output is exact (up to their approximation).
 * Gradient methods give a signed local slope per feature: no base value, nothing sums to the
 * output, so they are drawn as plain signed bars and called gradients. Other methods (LIME,
 * ablations) give scores, drawn as bars.
 */
export type MethodKind = 'additive' | 'gradient' | 'score';

const ADDITIVE = new Set(['kernel-shap', 'integrated-gradients', 'expected-gradients', 'linear-shap', 'tree-shap', 'shapley-exact', 'shap', 'integratedGradients', 'kernelShap', 'treeShap', 'linearShap', 'expectedGradients']);
const GRADIENT = new Set(['saliency', 'smoothgrad', 'smoothgrad-sq', 'vargrad', 'input-x-gradient', 'gradient', 'inputXGradient']);

/** `declared`: the state's own `methodKind`, when the daemon sends it, wins (a local surrogate's coefficients are scores here). */
export function methodKind(method: string, declared?: string): MethodKind {
  if (declared === 'additive' || declared === 'gradient' || declared === 'score') return declared;
  if (declared === 'local-surrogate') return 'score';
  return ADDITIVE.has(method) ? 'additive' : GRADIENT.has(method) ? 'gradient' : 'score';
}

/** How to name the numbers of a method kind in titles and axes. */
export function valueName(kind: MethodKind): string {
  return kind === 'additive' ? 'contribution' : kind === 'gradient' ? 'gradient (signed slope)' : 'score';
}
