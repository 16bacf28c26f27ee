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
);
