// Lint, and the layer rules of DESIGN.md ("imports point downward only"): each folder
// of src/ may import only the layers listed for it in LAYERS. The core also stays free
// of node APIs outside tests (it runs inside a Web Worker), and of React.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { defineConfig, globalIgnores } from 'eslint/config';

/** Each layer of src/ and the layers it may import (besides itself). */
const LAYERS = {
  shared: [],
  abi: ['shared'],
  mem: ['shared', 'abi'],
  cpu: ['shared', 'abi', 'mem'],
  hv: ['shared', 'abi', 'mem', 'cpu'],
  dom0: ['shared', 'abi', 'mem', 'cpu', 'hv'],
  machine: ['shared', 'abi', 'mem', 'cpu', 'hv', 'dom0'],
  protocol: ['shared', 'abi'],
  worker: ['shared', 'abi', 'mem', 'cpu', 'hv', 'dom0', 'machine', 'protocol'],
  ui: ['protocol', 'shared', 'abi'],
};

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'url', 'util', 'module', 'process', 'buffer'];
const UI_PACKAGES = ['react', 'react-dom', 'react-dom/client', 'dockview', 'dockview-react', 'zustand'];

/** no-restricted-imports options for files of one layer. */
function layerRule(layer, { allowNode }) {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !LAYERS[layer].includes(l));
  const allowed = LAYERS[layer].length ? LAYERS[layer].join(', ') : 'nothing else in src/';
  const patterns = [];
  if (forbidden.length) {
    patterns.push({
      // A relative path that climbs out of the folder into a forbidden layer, e.g. '../hv/domain'.
      regex: `^(\\.\\./)+(src/)?(${forbidden.join('|')})(/|$)`,
      message: `src/${layer}/ may import only ${allowed} (DESIGN.md: imports point downward).`,
    });
  }
  if (!allowNode) {
    patterns.push({
      regex: '^node:',
      message: 'Code in src/ runs in the browser: node APIs belong in tests and tools/.',
    });
  }
  const paths = [];
  if (!allowNode) {
    for (const name of NODE_BUILTINS) {
      paths.push({ name, message: 'Code in src/ runs in the browser: node APIs belong in tests and tools/.' });
    }
  }
  if (layer !== 'ui') {
    for (const name of UI_PACKAGES) {
      paths.push({ name, message: 'UI libraries belong in src/ui/ only.' });
    }
  }
  return ['error', { paths, patterns }];
}

/** Tests and the helpers only tests import (*.testutil.ts) may use node. */
const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/*.testutil.ts'];

const layerConfigs = Object.keys(LAYERS).flatMap((layer) => {
  const files = layer === 'ui' ? [`src/ui/**/*.{ts,tsx}`] : [`src/${layer}/**/*.ts`];
  return [
    {
      name: `pvplay/layer-${layer}`,
      files,
      ignores: TESTS,
      rules: { 'no-restricted-imports': layerRule(layer, { allowNode: false }) },
    },
    {
      name: `pvplay/layer-${layer}-tests`,
      files: TESTS.map((t) => `src/${layer}/${t}`),
      rules: { 'no-restricted-imports': layerRule(layer, { allowNode: true }) },
    },
  ];
});

export default defineConfig([
  globalIgnores(['tmp/**', 'dist/', 'node_modules/', 'guests/build/', 'test-results/', 'playwright-report/', 'public/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'pvplay/typescript',
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Hot paths declare and zero their locals up front (`let a = 0, b = 0`) to keep
      // them monomorphic; this rule would flag every such initialiser.
      'no-useless-assignment': 'off',
    },
  },
  {
    name: 'pvplay/core-globals',
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', ...TESTS],
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      // The core runs inside a Web Worker as well as in node.
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
          name,
          message: 'Code in src/ runs in the browser too: no node globals outside tests.',
        })),
        ...['window', 'document'].map((name) => ({ name, message: 'Only src/ui/ has a DOM.' })),
      ],
    },
  },
  {
    name: 'pvplay/worker-globals',
    files: ['src/worker/**/*.ts'],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    name: 'pvplay/ui',
    files: ['src/ui/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.flat.recommended.rules,
  },
  {
    name: 'pvplay/node-scripts',
    files: ['*.{js,ts}', 'tools/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', ...TESTS],
    languageOptions: { globals: { ...globals.node } },
  },
  ...layerConfigs,
]);
