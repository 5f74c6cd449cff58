import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FuseV1Options, flipFuses, getCurrentFuseWire } from '@electron/fuses'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './build-bundle.ts'
import { packagedBinaries } from './packaged.ts'

/**
 * The Electron fuses of the packaged app (electron-builder.yml `electronFuses`) and of the
 * build the e2e drives (electron-builder.e2e.yml), read through electron-builder's own config
 * loader and schema, turned into a fuse wire by electron-builder's own code, and flipped by
 * @electron/fuses — the pipeline `npm run dist` runs — on a stand-in binary, and on the real
 * packaged binaries when a `npm run dist` / `npm run dist:e2e` left them in dist/.
 */

const require = createRequire(import.meta.url)
type FuseOptions = Record<string, boolean | undefined>
interface BuilderConfig {
  electronFuses?: FuseOptions
  [key: string]: unknown
}
const builderConfig = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, log: { isEnabled: boolean }): Promise<void>
}
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(f: FuseOptions): Promise<object> } }
}

/** The release build's fuses (electron/README.md, "Fuses"). */
const RELEASE_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
}
/** What the e2e build may change, and why: Playwright launches with `--inspect=0`. */
const E2E_DIFFERENCES = {
  'electronFuses.enableNodeCliInspectArguments': true,
  'directories.output': 'dist/e2e',
}

/** The wire a stock Electron binary carries (Electron's defaults; index 8 = WasmTrapHandlers). */
const STOCK_WIRE = [1, 0, 1, 1, 0, 0, 0, 1, 1]
/** A fuse's byte on the wire: ASCII '1' on, '0' off (@electron/fuses' FuseState). */
const state = (on: boolean) => (on ? 0x31 : 0x30)

async function loadConfig(file: string): Promise<BuilderConfig> {
  const config = await builderConfig.getConfig(repoRoot, file, null)
  await builderConfig.validateConfiguration(config, { isEnabled: false })
  return config
}

/** Every leaf where two configs differ, as `a.b.c` → the second one's value. */
function differences(a: unknown, b: unknown, at = ''): Record<string, unknown> {
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)])
    return Object.assign(
      {},
      ...[...keys]
        .filter((k) => k !== 'extends')
        .map((k) =>
          differences(
            (a as Record<string, unknown>)[k],
            (b as Record<string, unknown>)[k],
            at ? `${at}.${k}` : k,
          ),
        ),
    )
  }
  return JSON.stringify(a) === JSON.stringify(b) ? {} : { [at]: b }
}

/** A file carrying Electron's fuse sentinel and a stock wire, as the real binary does. */
function stockBinary(dir: string): string {
  const file = join(dir, 'electron')
  const wire = Buffer.from([1, STOCK_WIRE.length, ...STOCK_WIRE.map((on) => state(on === 1))])
  writeFileSync(file, Buffer.concat([Buffer.alloc(64, 7), Buffer.from(SENTINEL), wire]))
  return file
}
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'

/** The expected wire for a fuse config (the ninth fuse, unset, keeps its stock value). */
function expectedWire(fuses: typeof RELEASE_FUSES): number[] {
  const byIndex: Record<number, boolean> = {
    [FuseV1Options.RunAsNode]: fuses.runAsNode,
    [FuseV1Options.EnableCookieEncryption]: fuses.enableCookieEncryption,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]:
      fuses.enableNodeOptionsEnvironmentVariable,
    [FuseV1Options.EnableNodeCliInspectArguments]: fuses.enableNodeCliInspectArguments,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]:
      fuses.enableEmbeddedAsarIntegrityValidation,
    [FuseV1Options.OnlyLoadAppFromAsar]: fuses.onlyLoadAppFromAsar,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]:
      fuses.loadBrowserProcessSpecificV8Snapshot,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: fuses.grantFileProtocolExtraPrivileges,
  }
  return STOCK_WIRE.map((stock, i) => state(byIndex[i] ?? stock === 1))
}

async function wireOf(binary: string): Promise<number[]> {
  const read = (await getCurrentFuseWire(binary)) as unknown as Record<string, number>
  return Object.keys(read)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => read[k])
}

const scratch = mkdtempSync(join(tmpdir(), 'trust-electron-fuses-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('Electron fuses', () => {
  it('the release build sets exactly the hardened fuses (electron-builder’s schema accepts it)', async () => {
    const release = await loadConfig('electron-builder.yml')
    expect(release.electronFuses).toEqual(RELEASE_FUSES)
  })

  it('the e2e build differs from the release only in the inspector fuse and its output folder', async () => {
    const release = await loadConfig('electron-builder.yml')
    const e2e = await loadConfig('electron-builder.e2e.yml')
    expect(differences(release, e2e)).toEqual(E2E_DIFFERENCES)
  })

  it.each([
    ['electron-builder.yml', RELEASE_FUSES],
    ['electron-builder.e2e.yml', { ...RELEASE_FUSES, enableNodeCliInspectArguments: true }],
  ])(
    'electron-builder and @electron/fuses burn %s’s fuses into the binary',
    async (file, fuses) => {
      const config = await loadConfig(file)
      const wireConfig = await PlatformPackager.prototype.generateFuseConfig.call(
        {},
        config.electronFuses!,
      )
      const dir = mkdtempSync(join(scratch, 'bin-'))
      const binary = stockBinary(dir)
      await flipFuses(binary, wireConfig as Parameters<typeof flipFuses>[1])
      expect(await wireOf(binary)).toEqual(expectedWire(fuses))
    },
  )

  const builds = [
    { name: 'release', dir: join(repoRoot, 'dist'), fuses: RELEASE_FUSES },
    {
      name: 'e2e',
      dir: join(repoRoot, 'dist/e2e'),
      fuses: { ...RELEASE_FUSES, enableNodeCliInspectArguments: true },
    },
  ]
  for (const build of builds) {
    const binaries = packagedBinaries(build.dir)
    if (binaries.length === 0) {
      console.warn(
        `Packaged ${build.name} binary fuse check skipped: no packaged app under ${build.dir} ` +
          `(run \`npm run ${build.name === 'release' ? 'dist' : 'dist:e2e'}\` on a machine that ` +
          'can download Electron).',
      )
    }
    it.skipIf(binaries.length === 0)(
      `the packaged ${build.name} binary carries its fuses`,
      async () => {
        for (const binary of binaries) {
          const wire = await wireOf(binary)
          expect(wire.slice(0, 8), binary).toEqual(expectedWire(build.fuses).slice(0, 8))
        }
      },
    )
  }
})
