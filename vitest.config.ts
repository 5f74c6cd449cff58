import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [vue()],
  test: {
    include: [
      'core/**/*.test.ts',
      'test/**/*.test.ts',
      'renderer/src/**/*.test.ts',
      'electron/**/*.test.ts',
    ],
    // The engine is CPU-bound; parallel files would only fight over the 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
