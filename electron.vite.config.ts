import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const root = fileURLToPath(new URL('.', import.meta.url))

// The desktop shell's build (DESIGN.md §3): electron/ main + preload for Node, renderer/
// for the sandboxed page. The renderer bundle is also what `npm run web` serves.
export default defineConfig({
  main: {
    build: { rollupOptions: { input: { index: resolve(root, 'electron/main.ts') } } },
  },
  preload: {
    build: { rollupOptions: { input: { index: resolve(root, 'electron/preload.ts') } } },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    build: { rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } } },
    plugins: [vue()],
  },
})
