import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Builds the renderer bundle (out/renderer) when any of its sources is newer than the last
 * build, so `npm run web` always serves the current app without a separate build step.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const SOURCES = ['renderer', 'core/api', 'package-lock.json']
const STAMP = join(root, 'out/renderer/.build-stamp')

function newestMtime(path: string): number {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/**
 * Whether a build is out of date: its stamp file or an output is missing, or a source file
 * (paths relative to the repository) changed after the stamp was written.
 */
export function buildIsStale(
  stamp: string,
  sources: readonly string[],
  outputs: readonly string[] = [],
): boolean {
  if (!existsSync(stamp) || outputs.some((o) => !existsSync(join(root, o)))) return true
  const built = statSync(stamp).mtimeMs
  return sources.some((s) => existsSync(join(root, s)) && newestMtime(join(root, s)) > built)
}

export function rendererIsStale(): boolean {
  return buildIsStale(STAMP, SOURCES)
}

export async function ensureRendererBuilt(
  log: (line: string) => void = console.log,
): Promise<void> {
  if (!rendererIsStale()) return
  log('Building the app (renderer sources changed)…')
  // Vite runs in its own plain-node process: under tsx's loader the Vue plugin receives
  // empty sources.
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin/vite.js',
  )
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(root, 'renderer/vite.config.ts'), '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  )
  if (result.status !== 0) throw new Error(`renderer build failed (exit ${result.status})`)
  writeFileSync(STAMP, new Date().toISOString() + '\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureRendererBuilt()
}
