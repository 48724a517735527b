/**
 * Where feature names appear as string literals in training code (Python, TypeScript/JavaScript)
 * and in glassbox.json: the places a finding about a feature is shown. Files are re-read only when
 * their modification time changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SCRIPT_EXTENSIONS = new Set(['.py', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs']);
const SKIP_DIRS = new Set(['node_modules', '.git', '.glassbox', 'dist', 'out', 'build', '__pycache__', '.venv', 'venv', 'env', '.mypy_cache']);
const MAX_DEPTH = 4;
const MAX_BYTES = 1 << 20;

export interface LiteralHit {
  file: string;
  /** 0-based line and character range of the name inside the quotes. */
  line: number;
  start: number;
  end: number;
}

export function isScript(file: string): boolean {
  return SCRIPT_EXTENSIONS.has(path.extname(file));
}

export class LiteralIndex {
  private readonly cache = new Map<string, { mtime: number; text: string }>();

  constructor(
    private readonly root: string,
    private readonly extraFiles: () => string[],
    private readonly skip: () => string[],
  ) {}

  /** Occurrences of `'name'` / `"name"` for each of `names`. */
  find(names: readonly string[]): Map<string, LiteralHit[]> {
    const out = new Map<string, LiteralHit[]>(names.map((n) => [n, []]));
    if (names.length === 0) return out;
    const wanted = new Set(names);
    const literal = /(["'])([^"'\\\n]{1,200})\1/g;
    for (const file of [...this.scripts(), ...this.extraFiles()]) {
      const text = this.read(file);
      if (text === undefined) continue;
      const lines = text.split('\n');
      lines.forEach((lineText, line) => {
        literal.lastIndex = 0;
        for (let m = literal.exec(lineText); m; m = literal.exec(lineText)) {
          const name = m[2]!;
          if (wanted.has(name)) out.get(name)!.push({ file, line, start: m.index + 1, end: m.index + 1 + name.length });
        }
      });
    }
    return out;
  }

  private read(file: string): string | undefined {
    try {
      const st = fs.statSync(file);
      // Only regular files: reading a FIFO or a device named like a script would block the daemon.
      if (!st.isFile() || st.size > MAX_BYTES) return undefined;
      const hit = this.cache.get(file);
      if (hit && hit.mtime === st.mtimeMs) return hit.text;
      const text = fs.readFileSync(file, 'utf8');
      this.cache.set(file, { mtime: st.mtimeMs, text });
      return text;
    } catch {
      this.cache.delete(file);
      return undefined;
    }
  }

  private scripts(): string[] {
    const skip = new Set(this.skip().map((p) => path.resolve(p)));
    const out: string[] = [];
    const walk = (dir: string, depth: number) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (depth < MAX_DEPTH && !SKIP_DIRS.has(e.name) && !skip.has(p)) walk(p, depth + 1);
        } else if (isScript(p)) out.push(p);
      }
    };
    walk(this.root, 0);
    return out;
  }
}
