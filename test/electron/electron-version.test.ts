import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MainConfigFactory, PreloadConfigFactory, loadConfigFromFile } from 'electron-vite'
import { type InlineConfig, resolveConfig } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './build-bundle.ts'

/**
 * The Electron the app is built for: a supported release, and one this toolchain (Node 20,
 * electron-vite, electron-builder, TypeScript) works with (electron/README.md, "Electron
 * version").
 */

/**
 * Electron supports its latest three stable majors. On 2026-12-01 the newest is 45 (npm
 * `latest` 45.5.0), so 43, 44 and 45 are supported. Raise this when a new major ships.
 */
const OLDEST_SUPPORTED_MAJOR = 43

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T
const electronDir = join(repoRoot, 'node_modules/electron')
const installed = readJson<{ version: string }>(join(electronDir, 'package.json')).version
const major = Number(installed.split('.')[0])

const scratch = mkdtempSync(join(tmpdir(), 'trust-electron-version-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('Electron version', () => {
  it('is a supported major, the one package.json and the lockfile name', () => {
    expect(major).toBeGreaterThanOrEqual(OLDEST_SUPPORTED_MAJOR)
    const pkg = readJson<{ devDependencies: Record<string, string> }>(
      join(repoRoot, 'package.json'),
    )
    expect(pkg.devDependencies.electron).toBe(`^${installed}`)
    const lock = readJson<{ packages: Record<string, { version?: string }> }>(
      join(repoRoot, 'package-lock.json'),
    )
    expect(lock.packages['node_modules/electron']?.version).toBe(installed)
  })

  it('types against the project’s own @types/node (the Node it runs on), not a second copy', () => {
    // package.json `overrides` points electron's @types/node at ours: one set of Node globals.
    expect(existsSync(join(electronDir, 'node_modules/@types/node'))).toBe(false)
  })

  it('is built for its Node: electron-vite targets node 24 for main and preload', async () => {
    const loaded = await loadConfigFromFile(
      { command: 'build', mode: 'production' },
      join(repoRoot, 'electron.vite.config.ts'),
      repoRoot,
    )
    const main = await new MainConfigFactory(loaded.config.main!, {}, { root: repoRoot }).build()
    const preload = await new PreloadConfigFactory(
      loaded.config.preload!,
      {},
      {
        root: repoRoot,
      },
    ).build()
    for (const config of [main, preload]) {
      const resolved = await resolveConfig(config as InlineConfig, 'build', 'production')
      expect(resolved.build.target).toMatch(/^node24\.\d+$/)
    }
  })

  it('its package finds an installed binary on this Node (require("electron"))', () => {
    // A copy of the package's entry beside a stand-in binary, as its install step leaves it.
    const pkg = join(scratch, 'electron')
    mkdirSync(join(pkg, 'dist'), { recursive: true })
    for (const file of ['index.js', 'package.json']) {
      copyFileSync(join(electronDir, file), join(pkg, file))
    }
    const binary = process.platform === 'win32' ? 'electron.exe' : 'electron'
    copyFileSync(join(electronDir, 'package.json'), join(pkg, 'dist', binary))
    writeFileSync(join(pkg, 'path.txt'), binary)
    const found = execFileSync(process.execPath, ['-p', `require(${JSON.stringify(pkg)})`], {
      encoding: 'utf8',
    }).trim()
    expect(found).toBe(join(pkg, 'dist', binary))
  })
})
