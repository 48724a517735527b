/**
 * Hand-drawn SVG charts for the HTML report: no script, no fonts or images to fetch, a few
 * kilobytes each whatever the data size (they plot per-feature and per-checkpoint aggregates).
 * Every text is escaped; every coordinate is a finite number (non-finite values plot as 0).
 */

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const f = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(1)) : 0);
export const PALETTE = ['#3b6fb6', '#e07b39', '#3a9a5b', '#b8453c', '#7d5ba6', '#8c6d31', '#d46a9f', '#6b6b6b'];

/** Horizontal bars per label, one bar per series (e.g. share at A and at B), values in [0, max]. */
export function barChart(labels: string[], series: Array<{ name: string; values: number[] }>, options: { format: (v: number) => string; title: string }): string {
  const labelW = 150;
  const barH = 12;
  const gap = 8;
  const plotW = 420;
  const groupH = series.length * barH + gap;
  const legendH = series.length > 1 ? 20 : 0;
  const height = legendH + labels.length * groupH + 10;
  const width = labelW + plotW + 70;
  const max = Math.max(1e-12, ...series.flatMap((s) => s.values.map((v) => (Number.isFinite(v) ? v : 0))));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(options.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`, `<title>${esc(options.title)}</title>`];
  series.forEach((s, k) => {
    if (series.length > 1) parts.push(`<rect x="${labelW + k * 110}" y="4" width="10" height="10" fill="${PALETTE[k % PALETTE.length]}"/><text x="${labelW + k * 110 + 14}" y="13">${esc(s.name)}</text>`);
  });
  labels.forEach((label, i) => {
    const y0 = legendH + i * groupH;
    parts.push(`<text x="${labelW - 6}" y="${f(y0 + (series.length * barH) / 2 + 4)}" text-anchor="end">${esc(label)}</text>`);
    series.forEach((s, k) => {
      const v = Number.isFinite(s.values[i]!) ? Math.max(0, s.values[i]!) : 0;
      const w = (v / max) * plotW;
      const y = y0 + k * barH;
      parts.push(`<rect x="${labelW}" y="${f(y)}" width="${f(w)}" height="${barH - 2}" fill="${PALETTE[k % PALETTE.length]}"><title>${esc(`${label}, ${s.name}: ${options.format(v)}`)}</title></rect>`);
      parts.push(`<text x="${f(labelW + w + 4)}" y="${f(y + barH - 3)}" fill="#333">${esc(options.format(v))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Lines over an ordered x axis (checkpoints), one per series; y from 0 to the largest value (or [lo, hi]). */
export function lineChart(xLabels: string[], series: Array<{ name: string; values: Array<number | null> }>, options: { format: (v: number) => string; title: string; range?: [number, number] }): string {
  const width = 640;
  const height = 260;
  const left = 56;
  const right = 150;
  const top = 14;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let [lo, hi] = options.range ?? [0, Math.max(1e-12, ...all)];
  if (!options.range && all.length) lo = Math.min(0, ...all);
  if (hi <= lo) hi = lo + 1;
  const x = (i: number) => left + (xLabels.length > 1 ? (i / (xLabels.length - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(options.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`, `<title>${esc(options.title)}</title>`];
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#999"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#999"/>`);
  for (const t of [lo, (lo + hi) / 2, hi]) parts.push(`<text x="${left - 4}" y="${f(y(t) + 4)}" text-anchor="end" fill="#555">${esc(options.format(t))}</text>`);
  // At most ~12 x labels, so long series stay legible.
  const step = Math.max(1, Math.ceil(xLabels.length / 12));
  xLabels.forEach((l, i) => {
    if (i % step === 0 || i === xLabels.length - 1) parts.push(`<text x="${f(x(i))}" y="${top + plotH + 14}" text-anchor="middle" fill="#555">${esc(l.length > 14 ? `${l.slice(0, 13)}…` : l)}</text>`);
  });
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const pts = s.values.map((v, i) => (v === null || !Number.isFinite(v) ? null : `${f(x(i))},${f(y(v))}`)).filter((p): p is string => p !== null);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
    }
    parts.push(`<rect x="${left + plotW + 12}" y="${top + k * 16}" width="10" height="10" fill="${color}"/><text x="${left + plotW + 26}" y="${top + k * 16 + 9}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
