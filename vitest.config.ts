import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

/**
 * The kernel tests (each against float64 references and finite differences) run once per
 * backend: ONNX Runtime in the main project, the TensorFlow.js fallbacks here, so every
 * backend is held to the same numbers.
 */
const KERNEL_TESTS = [
  'core/backend/compute.test.ts',
  'core/model/activation.test.ts',
  'core/model/forward.test.ts',
  'core/model/loss-gradients.test.ts',
  'core/jacobian/rotated.test.ts',
  'core/rotation/objective.test.ts',
  'core/sparsity/layer-metrics.test.ts',
  'core/sparsity/measures/measures.test.ts',
  'core/linalg/*.test.ts',
  'core/rotation/expm.test.ts',
]
const FALLBACKS = ['wasm', 'cpu'] as const

export default defineConfig({
  plugins: [vue()],
  test: {
    // The engine is CPU-bound; parallel files would only fight over the 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'basiscope',
          include: [
            'core/**/*.test.ts',
            'test/**/*.test.ts',
            'renderer/src/**/*.test.ts',
            'electron/**/*.test.ts',
          ],
        },
      },
      ...FALLBACKS.map((backend) => ({
        extends: true as const,
        test: {
          name: `kernels on ${backend}`,
          include: KERNEL_TESTS,
          env: { BASISCOPE_BACKEND: backend },
        },
      })),
    ],
  },
})
