// @ts-check
import js from '@eslint/js'
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
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', coreRestrictions],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
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
