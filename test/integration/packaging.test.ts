import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { load } from 'js-yaml'
import { Minimatch } from 'minimatch'
import { describe, expect, it } from 'vitest'

/**
 * The packaged app carries only its own platform's ONNX Runtime (the npm package holds all
 * of them, ≈ 290 MB), and the native files it keeps are unpacked from the asar. Checked
 * with electron-builder's own file matcher on electron-builder.yml, for every target.
 */
const root = resolve(import.meta.dirname, '../..')
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  files: string[]
  asarUnpack: string[]
  linux: { files: string[] }
  mac: { files: string[] }
  win: { files: string[] }
}
const require = createRequire(import.meta.url)
const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
  getNodeModuleFileMatcher: (
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: { files: string[] },
    packager: { config: { files: string[] }; debugLogger: { isEnabled: boolean } },
  ) => { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean }
}

const ortBin = join(root, 'node_modules/onnxruntime-node/bin/napi-v6')

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

const TARGETS = [
  { builder: 'linux', platform: 'linux', arch: 'x64' },
  { builder: 'linux', platform: 'linux', arch: 'arm64' },
  { builder: 'mac', platform: 'darwin', arch: 'arm64' },
  { builder: 'win', platform: 'win32', arch: 'x64' },
  { builder: 'win', platform: 'win32', arch: 'arm64' },
] as const

describe('the packaged app’s native files', () => {
  const all = filesUnder(ortBin)

  it('the npm package holds every platform (what must be filtered)', () => {
    const platforms = new Set(all.map((f) => relative(ortBin, f).split('/')[0]))
    expect([...platforms].sort()).toEqual(['darwin', 'linux', 'win32'])
  })

  it.each(TARGETS)('$platform-$arch keeps only its own ONNX Runtime binaries', (t) => {
    const expand = (pattern: string) => pattern.replace(/\$\{arch\}/g, t.arch)
    const matcher = getNodeModuleFileMatcher(
      root,
      '/app',
      expand,
      { files: config[t.builder].files },
      { config: { files: config.files }, debugLogger: { isEnabled: false } },
    )
    const keep = matcher.createFilter()
    const file = { isDirectory: () => false }
    const kept = all.filter((f) => keep(f, file)).map((f) => relative(ortBin, f))
    expect(kept.length).toBeGreaterThan(0)
    for (const f of kept) expect(f.startsWith(`${t.platform}/${t.arch}/`), f).toBe(true)
    // …and all of its own: the binding and the runtime library beside it.
    const own = all
      .map((f) => relative(ortBin, f))
      .filter((f) => f.startsWith(`${t.platform}/${t.arch}/`))
    expect(kept.sort()).toEqual(own.sort())
    expect(kept.some((f) => f.endsWith('onnxruntime_binding.node'))).toBe(true)
  })

  it('unpacks the kept binaries from the asar, so the OS can load them', () => {
    const unpack = config.asarUnpack.map((p) => new Minimatch(p, { dot: true }))
    for (const f of all) {
      const path = relative(root, f)
      expect(
        unpack.some((m) => m.match(path)),
        path,
      ).toBe(true)
    }
  })
})
