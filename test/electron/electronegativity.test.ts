import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBundle, repoRoot, tempOutDir } from './build-bundle.ts'

/**
 * Electronegativity over the shell's sources and over the bundles that ship (see
 * electron/electronegativity.md): clean apart from the documented false positives.
 */

const RUNNER = fileURLToPath(new URL('./fixtures/electronegativity-run.cjs', import.meta.url))
const ALLOW_LIST = join(repoRoot, 'electron/electronegativity.md')
const electronVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string
  }
).version

interface Finding {
  id: string
  file: string
  line: number
  manualReview: boolean
  severity: string
  description: string
}
interface ScanResult {
  globalChecks: number
  atomicChecks: number
  errors: { file: string; message: string }[]
  issues: Finding[]
}

async function scan(dir: string): Promise<ScanResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [RUNNER, dir, electronVersion], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ScanResult
}

/** A bundle's findings count for the source it was built from. */
const SOURCE_OF: Record<string, string> = {
  'main/index.js': 'electron/main.ts',
  'preload/index.cjs': 'electron/preload.ts',
}
const keyOf = (f: Finding) => `${f.id} ${SOURCE_OF[f.file] ?? f.file}`

/** The allow-list table of electronegativity.md: `check file` → reason. */
function allowList(): Map<string, string> {
  const rows = readFileSync(ALLOW_LIST, 'utf8').matchAll(
    /^\| `([A-Z_]+)` \| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$/gm,
  )
  return new Map([...rows].map((m) => [`${m[1]} ${m[2]}`, m[3].trim()]))
}

let scratch: string
let bundles: string
const scans: { name: string; result: ScanResult }[] = []

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'trust-electron-electronegativity-'))
  // The sources: the shell, the page's entry and scripts (not their tests), the manifest.
  const sources = join(scratch, 'sources')
  cpSync(join(repoRoot, 'electron'), join(sources, 'electron'), { recursive: true })
  cpSync(join(repoRoot, 'renderer/src'), join(sources, 'renderer/src'), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.ts'),
  })
  cpSync(join(repoRoot, 'renderer/index.html'), join(sources, 'renderer/index.html'))
  cpSync(join(repoRoot, 'package.json'), join(sources, 'package.json'))
  // What ships: main (with its service and worker) and preload, as electron-vite builds them.
  bundles = tempOutDir('electronegativity')
  await buildBundle('main', join(bundles, 'main'))
  await buildBundle('preload', join(bundles, 'preload'))
  mkdirSync(join(bundles, 'renderer'))
  cpSync(join(repoRoot, 'renderer/index.html'), join(bundles, 'renderer/index.html'))
  cpSync(join(repoRoot, 'package.json'), join(bundles, 'package.json'))
  const [fromSources, fromBundles] = await Promise.all([scan(sources), scan(bundles)])
  scans.push({ name: 'sources', result: fromSources }, { name: 'bundles', result: fromBundles })
}, 180_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
  if (bundles) rmSync(bundles, { recursive: true, force: true })
})

describe('Electronegativity', () => {
  it('parses every file with every check loaded', () => {
    for (const { name, result } of scans) {
      expect(result.errors, name).toEqual([])
      expect(result.atomicChecks, name).toBeGreaterThanOrEqual(36)
      expect(result.globalChecks, name).toBeGreaterThanOrEqual(6)
    }
  })

  it('finds nothing but the documented false positives, in sources and bundles', () => {
    const allowed = allowList()
    expect(allowed.size).toBeGreaterThan(0)
    for (const reason of allowed.values()) expect(reason.length).toBeGreaterThan(40)
    const unexpected = scans.flatMap(({ name, result }) =>
      result.issues
        .filter((f) => !allowed.has(keyOf(f)))
        .map((f) => `${name}: ${f.id} at ${f.file}:${f.line} (${f.severity}) ${f.description}`),
    )
    expect(unexpected, 'findings missing from electron/electronegativity.md').toEqual([])
  })

  it('lists no finding that no scan reports any more', () => {
    const found = new Set(scans.flatMap(({ result }) => result.issues.map(keyOf)))
    expect([...allowList().keys()].filter((key) => !found.has(key))).toEqual([])
  })

  it('does flag an insecure window (the checks are live)', async () => {
    const insecure = join(scratch, 'insecure')
    mkdirSync(insecure)
    writeFileSync(
      join(insecure, 'package.json'),
      JSON.stringify({ name: 'x', devDependencies: { electron: electronVersion } }),
    )
    writeFileSync(
      join(insecure, 'main.js'),
      [
        "const { BrowserWindow, shell } = require('electron')",
        'const win = new BrowserWindow({',
        '  webPreferences: { nodeIntegration: true, contextIsolation: false },',
        '})',
        "win.loadURL('http://example.com/')",
        'shell.openExternal(process.argv[2])',
      ].join('\n'),
    )
    const ids = new Set((await scan(insecure)).issues.map((f) => f.id))
    for (const id of [
      'NODE_INTEGRATION_JS_CHECK',
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'OPEN_EXTERNAL_JS_CHECK',
      // No will-navigate and no permission handlers: both of ours are seen (see the list).
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'CSP_GLOBAL_CHECK',
    ]) {
      expect(ids, id).toContain(id)
    }
  })
})
