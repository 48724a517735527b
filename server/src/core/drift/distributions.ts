/**
 * Tail probabilities for the drift tests: chi-squared (via the regularised upper incomplete gamma
 * function) and the two-sided one-sample Kolmogorov distribution used for the two-sample KS test.
 *
 * - `lnGamma`: Lanczos approximation (g = 7, 9 coefficients), relative error < 1e-14.
 * - `chiSquaredSf(x, k)` = Q(k/2, x/2): series for x < a + 1, Lentz continued fraction otherwise
 *   (Press et al., Numerical Recipes, 3rd ed., §6.2).
 * - `kolmogorovSf(n, d)` = P(D_n > d), following scipy's `kstwo.sf` (Simard & L'Ecuyer 2011,
 *   "Computing the two-sided Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11)): twice the
 *   exact one-sided Smirnov tail (Birnbaum–Tingey sum) where n·d² ≥ 2.2, otherwise 1 − the
 *   Pelz–Good (1976) asymptotic series to order n^(−3/2). Where scipy switches to the Durbin matrix
 *   (n ≤ 140, or n·d^1.5 ≤ 1.4, i.e. p-values very close to 1) we keep Pelz–Good; the difference
 *   there is below 1e-3 in p.
 * - `ksTwoSamplePValue(d, n1, n2)`: scipy `ks_2samp(method='auto')`: the exact two-sample
 *   distribution when both samples have at most 10,000 rows (`ksTwoSampleExact`), otherwise
 *   `kstwo.sf(d, round(n1 n2 / (n1 + n2)))`.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series for P(a, x).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  // Continued fraction for Q(a, x), modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lnPrefix) * h;
}

/** P(X > x) for X ~ χ²(k). */
export function chiSquaredSf(x: number, k: number): number {
  if (k <= 0) return NaN;
  return gammaQ(k / 2, x / 2);
}

/** P(D_n > d) for the two-sided one-sample Kolmogorov statistic with n observations. */
export function kolmogorovSf(n: number, d: number): number {
  if (!(n >= 1) || Number.isNaN(d)) return NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 0.5) return 1;
  if (t >= n - 1) return clip(2 * Math.pow(1 - d, n)); // Ruben–Gambino, exact
  const nd2 = t * d;
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2 || d >= 0.5) return clip(2 * smirnovSf(n, d));
  return clip(1 - pelzGoodCdf(n, d));
}

/** Largest sample size for which `ksTwoSamplePValue` uses the exact distribution (as scipy's 'auto'). */
export const KS_EXACT_MAX_N = 10000;

/**
 * Two-sided p-value of the two-sample KS statistic `d`, as scipy `ks_2samp(method='auto')`: the
 * exact distribution when both samples have at most 10,000 rows, else
 * `kstwo.sf(d, round(n1 n2 / (n1 + n2)))`.
 */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): number {
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const p = ksTwoSampleExact(d, n1, n2);
    if (p >= 0 && p <= 1) return p;
  }
  const en = Math.round((n1 * n2) / (n1 + n2));
  return kolmogorovSf(Math.max(1, en), d);
}

/**
 * Exact two-sided P(D_{n1,n2} ≥ d) by counting lattice paths that leave the band |x/n1 − y/n2| <
 * d (Hodges 1958, "The significance probability of the Smirnov two-sample test", Ark. Mat. 3),
 * with the 1 − p recursion of Viehmann (2021, arXiv:2102.08037) that stays in [0, 1]; equal sample
 * sizes use the reflection formula. Follows scipy's `_compute_outer_prob_inside_method` and
 * `_compute_prob_outside_square`, including rounding d to a multiple of 1/lcm(n1, n2). O(n1 × band).
 */
export function ksTwoSampleExact(d: number, n1: number, n2: number): number {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  if (n1 === n2) {
    let P = 0;
    for (let k = Math.floor(n1 / h); k >= 0; k--) {
      let p1 = 1;
      for (let j = 0; j < h; j++) p1 = ((n1 - k * h - j) * p1) / (n1 + k * h + j + 1);
      P = p1 * (1 - P);
    }
    return 2 * P;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      const prev = A[jj + minj - lastminj];
      if (prev === undefined) return NaN; // outside the window: let the caller fall back
      val = (prev * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * One-sided Smirnov tail P(D_n^+ ≥ d), exact (Birnbaum & Tingey 1951):
 * d Σ_{j=0}^{⌊n(1−d)⌋} C(n, j) (1 − d − j/n)^(n−j) (d + j/n)^(j−1), summed in log space.
 */
export function smirnovSf(n: number, d: number): number {
  const jmax = Math.floor(n * (1 - d));
  const lnFactN = lnGamma(n + 1);
  let sum = 0;
  for (let j = 0; j <= jmax; j++) {
    const a = 1 - d - j / n;
    if (a <= 0) continue;
    const lnTerm = lnFactN - lnGamma(j + 1) - lnGamma(n - j + 1) + (n - j) * Math.log(a) + (j - 1) * Math.log(d + j / n);
    sum += Math.exp(lnTerm);
  }
  return d * sum;
}

/** Pelz–Good approximation of P(D_n ≤ d), transcribed from scipy.stats._ksstats._kolmogn_PelzGood. */
function pelzGoodCdf(n: number, x: number): number {
  const PI2 = Math.PI ** 2;
  const PI4 = PI2 ** 2;
  const PI6 = PI4 * PI2;
  const SQRT2PI = Math.sqrt(2 * Math.PI);
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!;
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / div[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const qk = Math.pow(q, k * k);
    k2extra += k * k * qk;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qk;
  }
  K[2] = K[2]! + (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] = K[3]! + (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / Math.pow(n, i / 2);
  return sum;
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}
