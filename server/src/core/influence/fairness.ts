/**
 * Fairness lens on influence: for a query row and its top-k influential training rows, the share of
 * those rows that share the query's value of each protected attribute (glassbox.json `protected`),
 * beside that value's share in the whole training set. A top-k share far above the base share means
 * the prediction leans on rows of the same group.
 */
export interface ProtectedShare {
  attribute: string;
  value: string;
  /** Share of the top-k rows with the same value. */
  topShare: number;
  /** Share of all training rows with that value. */
  baseShare: number;
  k: number;
}

/** `raw` are the training rows' raw values, `header` their column names; `query` the query row's raw values by column. */
export function protectedShares(attributes: string[], header: string[], raw: string[][], query: Record<string, string | undefined>, top: number[]): ProtectedShare[] {
  const out: ProtectedShare[] = [];
  for (const attribute of attributes) {
    const col = header.indexOf(attribute);
    const value = query[attribute];
    if (col < 0 || value === undefined) continue;
    let base = 0;
    for (const r of raw) if (r[col] === value) base++;
    const hits = top.filter((i) => raw[i]?.[col] === value).length;
    out.push({ attribute, value, topShare: top.length ? hits / top.length : 0, baseShare: raw.length ? base / raw.length : 0, k: top.length });
  }
  return out;
}
