/**
 * Which cell of a CSV line a character offset falls in, quotes respected (RFC 4180: a quoted
 * field may hold commas and doubled quotes). Hover needs only this, not a full parse.
 */
export function cellIndexAt(lineText: string, character: number, delimiter = ','): number {
  let cell = 0;
  let quoted = false;
  for (let i = 0; i < Math.min(character, lineText.length); i++) {
    const ch = lineText[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) cell++;
  }
  return cell;
}

/** The cells of one CSV line (header rows: names), unquoted and trimmed. */
export function splitCells(lineText: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < lineText.length; i++) {
    const ch = lineText[i]!;
    if (ch === '"') {
      if (quoted && lineText[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.replace(/\r$/, '').trim());
  return out;
}
