// The architecture's import rules, enforced (ARCHITECTURE.md "Invariants"). Only what keeps the layers
// apart is checked here; type checking is tsc's job (`npm run typecheck`).
import tseslint from 'typescript-eslint';

const editorOnly = ['vscode', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-protocol', 'vscode-languageserver-textdocument', 'vscode-languageclient', 'vscode-languageclient/*'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.venv/**', 'examples/**', 'test-workspace/checkpoints/**', '**/*.d.ts'] },
  {
    files: ['server/src/**/*.ts', 'server/bench/**/*.ts', 'server/test/**/*.ts', 'client/src/**/*.ts', 'webviews/**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module', ecmaFeatures: { jsx: true } } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    // The analysis core: plain data in, plain data out; shared by the CLI, the daemon and the tests.
    files: ['server/src/core/**/*.ts'],
    // Tests may drive the core through its front ends (e.g. the CLI); the layer rule is for the code.
    ignores: ['server/src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: editorOnly.map((name) => ({ name, message: 'the core never imports the editor or the language server' })),
        patterns: [
          { group: ['**/protocol', '**/protocol/*', '**/daemon/*', '**/lsp/*', '**/cli/*', '**/mcp/*'], message: 'the core does not know its front ends (protocol, daemon, LSP, CLI, MCP)' },
          { group: ['react', 'react-dom', 'react-dom/*'], message: 'no UI in the core' },
        ],
      }],
    },
  },
  {
    // The CLI and the MCP server: headless front ends of the core.
    files: ['server/src/cli/**/*.ts', 'server/src/mcp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode'].map((name) => ({ name, message: 'headless front ends never import the editor' })),
        patterns: [{ group: ['**/daemon/*', '!**/daemon/dashboard-server', '!**/daemon/daemon'], message: 'the CLI calls the core, not the daemon (only `glassbox lsp` starts it)' }],
      }],
    },
  },
  {
    // The daemon's main thread (and the LSP layer over it) answers the editor from results in memory;
    // only the worker (worker.ts, the step runners) loads the engine. Step metadata and result types
    // come from steps/catalog.ts; types of runners' results may be imported (erased by the bundler).
    files: ['server/src/daemon/**/*.ts', 'server/src/lsp/**/*.ts'],
    ignores: ['server/src/daemon/steps/**', 'server/src/daemon/worker.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: '../core/engine/tf', message: 'only the worker touches TensorFlow.js' }],
        patterns: [
          { group: ['**/steps/*', '!**/steps/catalog', '!**/steps/types'], message: 'main thread: no value import of step runners (use steps/catalog; `import type` for result types)', allowTypeImports: true },
          { group: ['@tensorflow/*'], message: 'only the worker touches TensorFlow.js' },
        ],
      }],
    },
  },
  {
    // The protocol module: the one contract between extension, daemon and webviews; types only.
    files: ['server/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/*', '**/daemon/*', '**/lsp/*', '**/cli/*', '@tensorflow/*'], message: 'protocol/ declares messages; it depends on nothing of the implementation', allowTypeImports: true }],
      }],
    },
  },
  {
    // Webviews run in a browser: no Node, no engine, and the server only through protocol/.
    files: ['webviews/**/*.{ts,tsx}'],
    ignores: ['webviews/test/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'child_process', 'worker_threads', 'os'], message: 'webviews run in a browser' },
          { group: ['@tensorflow/*'], message: 'webviews render results; they compute none' },
          { group: ['**/server/src/*', '**/server/src/**', '!**/server/src/protocol', '!**/server/src/protocol/**'], message: 'webviews see the server only through server/src/protocol' },
        ],
      }],
    },
  },
  {
    // The extension talks to the daemon over the protocol only.
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/server/src/*', '**/server/src/**', '!**/server/src/protocol', '!**/server/src/protocol/**'], message: 'the extension sees the server only through server/src/protocol' },
          { group: ['@tensorflow/*'], message: 'the extension host never runs the engine' },
        ],
      }],
    },
  },
);
