import * as path from 'node:path';
import * as fs from 'node:fs';
import { expect } from 'vitest';
import { Project } from '../src/core/project';
import { initEngine } from '../src/core/engine/backend';

export const REPO = path.resolve(__dirname, '../..');
export const ANCHORS = path.join(REPO, 'server/test/anchors');
export const WORKSPACE = path.join(REPO, 'test-workspace');
export const DATA = path.join(WORKSPACE, 'data');

export function readAnchor<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(ANCHORS, name), 'utf8')) as T;
}

/** The reference Adult MLP loaded through Glassbox's own config, schema and loader. */
export async function anchorProject(): Promise<Project> {
  await initEngine();
  return Project.open(path.join(ANCHORS, 'glassbox.json'));
}

/** |a - b| <= atol + rtol * |b| element-wise, with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
      expect.fail(`index ${i}: ${a} vs expected ${b} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(require('node:os').tmpdir(), `glassbox-${prefix}-`));
}
