// @ts-check
import js from '@eslint/js'
import importX from 'eslint-plugin-import-x'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

// The layering rules of DESIGN.md §3, enforced here so the build guards them:
// core/ is plain Node TypeScript (no Electron, no Vue, no DOM), and the renderer
// sees the backend only through the core/api contract.
const coreRestrictions = {
  patterns: [
    {
      group: ['electron', 'electron/*'],
      message: 'core/ must not import Electron (DESIGN.md §3).',
    },
    {
      group: ['vue', 'vue/*', 'pinia', 'echarts', 'echarts/*'],
      message: 'core/ must not import UI libraries.',
    },
    {
      group: ['**/renderer/**', '**/electron/**'],
      message: 'core/ must not import from the shells above it.',
    },
  ],
}

/**
 * The layers inside core/, lowest first (DESIGN.md §3): a folder may import only from its
 * own layer or the ones before it. api is the shared vocabulary (schemas and types) every
 * layer speaks; the engine runs data → model → Jacobians → measures → rotations → analyses
 * → experiments; the store keeps projects, the service runs them, the hosts serve it.
 */
const CORE_LAYERS = [
  ['api'],
  ['backend'],
  ['linalg', 'random'],
  ['data'],
  ['model'],
  ['jacobian'],
  ['sparsity'],
  ['rotation'],
  ['analysis'],
  ['experiment'],
  ['store'],
  ['service'],
  ['host'],
]
const coreZones = CORE_LAYERS.slice(0, -1).flatMap((layer, i) =>
  layer.map((folder) => ({
    target: `./core/${folder}`,
    from: CORE_LAYERS.slice(i + 1)
      .flat()
      .map((above) => `./core/${above}`),
    message: `core/${folder} is below ${CORE_LAYERS.slice(i + 1)
      .flat()
      .join(', ')} (DESIGN.md §3 layer order; see eslint.config.js)`,
  })),
)

/**
 * Beyond the order: the hosts and the service reach the engine only through its use cases
 * (core/experiment) and, for the service, the analyses it serves (basis similarity); engine
 * internals stay behind them.
 */
const ENGINE_INTERNALS = [
  'backend',
  'linalg',
  'random',
  'model',
  'jacobian',
  'sparsity',
  'rotation',
]
const useCaseZones = [
  { folder: 'host', blocked: [...ENGINE_INTERNALS, 'analysis'] },
  { folder: 'service', blocked: ENGINE_INTERNALS },
  { folder: 'store', blocked: [...ENGINE_INTERNALS, 'analysis', 'experiment'] },
].map(({ folder, blocked }) => ({
  target: `./core/${folder}`,
  from: blocked.map((b) => `./core/${b}`),
  message: `core/${folder} reaches the engine only through core/experiment (eslint.config.js)`,
}))

const rendererRestrictions = {
  patterns: [
    {
      group: ['**/core/*', '!**/core/api', '!**/core/api/*'],
      message: 'renderer/ may import only core/api (types and schemas), never engine internals.',
    },
    {
      group: ['electron', 'node:*', 'better-sqlite3', '@tensorflow/*'],
      message: 'renderer/ runs in a sandboxed page.',
    },
  ],
}

export default tseslint.config(
  {
    ignores: [
      'scratch/**',
      'runs/**',
      'node_modules/**',
      'out/**',
      'dist/**',
      'coverage/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['renderer/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // Formatting is prettier's job; these rules would fight it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  {
    // TypeScript (vue-tsc) already checks names; no-undef does not know DOM types.
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.vue', 'electron/**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // No import cycles anywhere (of values: a type-only import is erased and cannot cycle).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', coreRestrictions],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
    },
  },
  {
    // Production code keeps the layer order; a test may build its fixtures from any layer.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...coreZones, ...useCaseZones] }],
    },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.vue'],
    rules: { 'no-restricted-imports': ['error', rendererRestrictions] },
  },
  {
    // CommonJS preload scripts (node --require) used by tests.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
)
