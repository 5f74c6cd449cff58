import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'
import { rendererConfig } from './renderer/vite.config.ts'

const root = fileURLToPath(new URL('.', import.meta.url))

// The desktop shell's build (DESIGN.md §3): electron/ main + worker + preload for Node,
// renderer/ for the sandboxed page (the same bundle `npm run web` serves).
export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          worker: resolve(root, 'electron/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: { input: { index: resolve(root, 'electron/preload.ts') } },
    },
  },
  renderer: rendererConfig,
})
