import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import type { UserConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * The renderer's build, shared by the Electron build (electron.vite.config.ts) and the
 * web mode (`npm run web` builds it with plain vite when out/renderer is stale). Relative
 * asset URLs let the same bundle load from the app:// protocol and from http://127.0.0.1.
 */
export const rendererConfig: UserConfig = {
  root,
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    // ECharts alone is ~1 MB; one chunk is fine for an offline desktop app.
    chunkSizeWarningLimit: 2500,
    rollupOptions: { input: fileURLToPath(new URL('index.html', import.meta.url)) },
  },
}

export default rendererConfig
