/** The hover's line reader for files not open in the editor, against reading and splitting the whole file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../test/helpers';
import { lineFromDisk } from './hover';

describe('lineFromDisk', () => {
  it('returns every line as splitting the whole file does, whatever the chunk size', () => {
    const dir = tmpDir('hover-lines');
    const cases = {
      lf: 'age,workclass,income\n39,État-gov,<=50K\n\n50,Self-emp,>50K\n',
      crlf: 'a,b\r\n1,2\r\nüñí,çø\r\n3,4',
      none: '',
      one: 'only,a,header',
    };
    for (const [name, text] of Object.entries(cases)) {
      const file = path.join(dir, `${name}.csv`);
      fs.writeFileSync(file, text);
      const lines = text.split('\n');
      // Chunks of 1 and 3 bytes split newlines, CRs and multi-byte characters across reads.
      for (const chunk of [1, 3, 7, 64 * 1024]) {
        for (let i = 0; i < lines.length + 2; i++) expect(lineFromDisk(file, i, chunk), `${name} line ${i} chunk ${chunk}`).toBe(lines[i]?.replace(/\r$/, '') ?? '');
      }
    }
  });

  it('reads the demo training CSV header and a late row as the whole-file split does', () => {
    const file = path.join(__dirname, '../../../../test-workspace/data/adult_train.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (const i of [0, 1, 200, 32_561]) expect(lineFromDisk(file, i)).toBe(lines[i]!.replace(/\r$/, ''));
  });
});
