/**
 * The webview bundles (dist/webviews, built by `npm run build`, which `npm test` runs first) carry
 * React's production build: what the .vsix and the browser dashboard ship. React's development
 * build is recognisable by its development-only warnings and file names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers';

const DIST = path.join(REPO, 'dist/webviews');
/** Strings that exist only in React's (and react-dom's) development builds. */
const DEVELOPMENT_ONLY = ['react.development', 'react-dom.development', 'validateDOMNesting', 'Each child in a list should have a unique "key" prop', 'Warning: Invalid hook call'];

describe('webview bundles', () => {
  const apps = fs.readdirSync(path.join(REPO, 'webviews'), { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(path.join(REPO, 'webviews', d.name, 'index.tsx')));

  it('exist for every webview app', () => {
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(fs.existsSync(path.join(DIST, `${app.name}.js`)), `${app.name}.js (run npm run build)`).toBe(true);
  });

  for (const app of apps) {
    it(`${app.name}.js bundles React's production build`, () => {
      const code = fs.readFileSync(path.join(DIST, `${app.name}.js`), 'utf8');
      for (const s of DEVELOPMENT_ONLY) expect(code.includes(s), `development-only string ${JSON.stringify(s)} in ${app.name}.js`).toBe(false);
      // Production React refers to its error decoder page instead of spelling out errors (18: reactjs.org, 19: react.dev).
      expect(code).toMatch(/https:\/\/(reactjs\.org\/docs\/error-decoder\.html|react\.dev\/errors\/)/);
    });
  }
});
