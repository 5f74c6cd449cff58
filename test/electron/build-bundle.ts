import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MainConfigFactory, PreloadConfigFactory, loadConfigFromFile } from 'electron-vite'
import { build, type InlineConfig } from 'vite'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A fresh temp directory inside out/ (so bundles resolve node_modules like the real build);
 * callers remove it.
 */
export function tempOutDir(prefix: string): string {
  const parent = join(repoRoot, 'out')
  mkdirSync(parent, { recursive: true })
  return mkdtempSync(join(parent, `.test-${prefix}-`))
}

/**
 * Builds one part of the desktop shell exactly as `electron-vite build` does — the project's
 * electron.vite.config.ts through electron-vite's own config factory — but into `outDir`,
 * leaving out/ untouched.
 */
export async function buildBundle(target: 'main' | 'preload', outDir: string): Promise<void> {
  const loaded = await loadConfigFromFile(
    { command: 'build', mode: 'production' },
    join(repoRoot, 'electron.vite.config.ts'),
    repoRoot,
  )
  const inline = { build: { outDir }, logLevel: 'silent' as const }
  const config =
    target === 'main'
      ? await new MainConfigFactory(loaded.config.main!, inline, { root: repoRoot }).build()
      : await new PreloadConfigFactory(loaded.config.preload!, inline, { root: repoRoot }).build()
  await build(config as InlineConfig)
}
