import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'dist-web', 'dist-electron', 'dist-cli', 'release', 'test-results', 'playwright-report', 'artifacts', 'assets'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine is pure: it runs in a worker, in the browser and in node.
    files: ['engine/**/*.ts'],
    ignores: ['engine/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2021 } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['react', 'react-dom', 'electron'].map((name) => ({ name, message: 'engine/ must not import UI or desktop modules.' })),
        patterns: [
          { group: ['react/*', 'react-dom/*', '@xyflow/*', 'electron/*'], message: 'engine/ must not import UI or desktop modules.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'engine/ must not import node-only modules; put node code in cli/ or electron/.' },
          { group: ['../renderer/*', '../electron/*', '../cli/*', '../../renderer/*', '../../electron/*', '../../cli/*'], message: 'engine/ must not depend on the app layers.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'process', 'require'],
    },
  },
  {
    // The desktop shell and the UI meet only in common/ (the IPC contract): neither imports the other.
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: upTo('renderer'), message: 'electron/ must not import renderer/: share types and constants through common/ipc-contract.ts.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'renderer/ reaches the desktop only through the Host interface (renderer/host/).' }],
        patterns: [
          { group: upTo('electron'), message: 'renderer/ must not import electron/: share types and constants through common/ipc-contract.ts.' },
          { group: upTo('common/node'), message: 'common/node/ is node-only (CLI and main process); the renderer runs in a browser.' },
        ],
      }],
    },
  },
  {
    // Neutral ground, imported by main, preload and renderer alike: types and plain constants only.
    // common/node/ is the node-only part shared by the CLI and the main process (atomic writes):
    // it may use node:*, and the renderer must not import it.
    files: ['common/**/*.ts'],
    ignores: ['common/node/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['react', 'react-dom', 'electron'].map((name) => ({ name, message: 'common/ is shared by electron/ and renderer/: no UI or desktop modules.' })),
        patterns: [
          { group: ['node:*', '@xyflow/*', 'electron/*'], message: 'common/ is shared by electron/ and renderer/: no node-only, UI or desktop modules.' },
          { group: [...upTo('renderer'), ...upTo('electron'), ...upTo('cli')], message: 'common/ must not depend on the app layers.' },
        ],
      }],
    },
  },
  {
    files: ['common/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'electron', '@xyflow/*'], message: 'common/node/ is shared by the CLI and the main process: no UI or desktop modules.' },
          { group: [...upTo('renderer'), ...upTo('electron'), ...upTo('cli')], message: 'common/node/ must not depend on the app layers.' },
        ],
      }],
    },
  },
);

/** Relative imports of a top-level folder from any depth (`../x/...`, `../../x/...`, ...). */
function upTo(folder) {
  return [1, 2, 3, 4, 5, 6].map((depth) => `${'../'.repeat(depth)}${folder}/*`);
}
