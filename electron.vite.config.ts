import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { rendererConfig } from './renderer/vite.config.ts'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * core/version.ts reads `../package.json` relative to its own file, which is right for the
 * sources but not once bundled into out/main/chunks; the main, service and worker bundles get the
 * version inlined at build time instead.
 */
function inlineAppVersion(): Plugin {
  const versionModule = resolve(root, 'core/version.ts')
  return {
    name: 'basiscope:inline-app-version',
    enforce: 'pre',
    load(id) {
      if (resolve(id.split('?', 1)[0]) !== versionModule) return null
      const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
        version: string
      }
      return `export const APP_VERSION = ${JSON.stringify(version)}\n`
    },
  }
}

// The desktop shell's build (DESIGN.md §3): electron/ main + service + worker + preload for Node,
// renderer/ for the sandboxed page (the same bundle `npm run web` serves).
export default defineConfig({
  main: {
    plugins: [inlineAppVersion()],
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          service: resolve(root, 'electron/service-process.ts'),
          worker: resolve(root, 'electron/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        // A sandboxed preload runs as a classic script: it must be one CommonJS file that
        // requires only 'electron'. `.cjs`, because package.json says "type": "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
})
