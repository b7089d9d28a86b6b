// ESLint flat config. The import fences below are the architecture (docs/ARCHITECTURE.md, "Module map"):
// core and shared never import Electron or React; shared is browser-safe; the renderer reaches the
// core only through the typed contract in shared/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const uiAndShell = [
  'electron',
  'electron/*',
  'react',
  'react/*',
  'react-dom',
  'react-dom/*',
  'zustand',
  'zustand/*',
];

const fence = (names, patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: patterns.map((group) => ({ group: [group], message })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['core/**/*.ts'],
    rules: fence(
      [...uiAndShell],
      ['electron/*', '**/electron/**', '**/renderer/**'],
      'core/ runs under plain Node: no Electron, React, renderer or shell imports.',
    ),
  },
  {
    files: ['shared/**/*.ts'],
    rules: fence(
      [...uiAndShell, ...nodeBuiltins, 'better-sqlite3', '@napi-rs/keyring'],
      ['**/core/**', '**/electron/**', '**/renderer/**'],
      'shared/ is the browser-safe contract: no Node built-ins, native modules, Electron, React or implementation imports.',
    ),
  },
  {
    files: ['client/**/*.ts'],
    rules: fence(
      [...uiAndShell, ...nodeBuiltins, 'better-sqlite3', '@napi-rs/keyring'],
      ['**/core/**', '**/electron/**', '**/renderer/**'],
      'client/ is a fetch-based SDK over the public contract: no Node built-ins or implementation imports.',
    ),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: fence(
      ['electron', ...nodeBuiltins, 'better-sqlite3', '@napi-rs/keyring'],
      ['**/core/**', '**/electron/**', 'electron/*'],
      'renderer/ reaches the core only through the typed contract in shared/ and a transport.',
    ),
  },
  {
    // One path for store changes: screens call the store's actions, which run core events and the owner's
    // own results through one reducer. Only the store module writes state directly.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/src/store/store.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='setState']",
          message: 'Change the store through its actions (renderer/src/store/store.ts), not setState.',
        },
      ],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: fence(
      ['better-sqlite3', '@napi-rs/keyring'],
      ['**/core/**', '**/renderer/**'],
      'The preload exposes only the typed contract; it never touches the core directly.',
    ),
  },
);
