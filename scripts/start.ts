import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildIsStale } from './renderer-build.ts'
import { fileURLToPath } from 'node:url'

/**
 * `npm start`: the desktop app from a checkout. Makes sure the Electron binary is there
 * (fetching it once if the machine can), builds main/service/worker/preload/renderer when their sources
 * changed, gives Electron its own build of the native SQLite module, and launches Electron on
 * the repository (package.json "main" → out/main/index.js).
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const electronDir = join(root, 'node_modules/electron')

const BUILD_SOURCES = [
  'electron',
  'core',
  'renderer',
  'electron.vite.config.ts',
  'package.json',
  'package-lock.json',
]
const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/main/service.js',
  'out/main/worker.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
]
const BUILD_STAMP = join(root, 'out/.electron-build-stamp')

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string }

/** The Electron executable node_modules/electron points at, if it was downloaded. */
export function electronBinary(): ElectronBinary {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) {
    return { ok: false, reason: 'node_modules/electron/path.txt is missing (binary not installed)' }
  }
  const relative = readFileSync(pathFile, 'utf8').trim()
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist')
  const binary = join(dist, relative)
  return existsSync(binary)
    ? { ok: true, path: binary }
    : { ok: false, reason: `${binary} does not exist` }
}

export function electronVersion(): string {
  return (
    JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }
  ).version
}

/** The last meaningful line of a failed command's output (e.g. `getaddrinfo ENOTFOUND …`). */
function failureLine(result: SpawnSyncReturns<string>): string {
  if (result.error) return result.error.message
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '))
  const error = lines.find((l) => /error/i.test(l))
  return error ?? lines.at(-1) ?? `exit code ${result.status}`
}

/** Runs electron's own postinstall (normally skipped here) to download the binary. */
function fetchElectron(log: (line: string) => void): ElectronBinary {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { ok: false, reason: 'download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' }
  }
  log(`Downloading Electron ${electronVersion()} (once)…`)
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  })
  const after = electronBinary()
  if (after.ok) return after
  return { ok: false, reason: `download failed: ${failureLine(result)}` }
}

/** True when an output is missing or any source changed since the last `npm start` build. */
export function electronBuildIsStale(): boolean {
  return buildIsStale(BUILD_STAMP, BUILD_SOURCES, BUILD_OUTPUTS)
}

export function ensureBuilt(log: (line: string) => void): void {
  if (!electronBuildIsStale()) return
  log('Building the app (electron-vite build)…')
  // Its own plain-node process: under tsx's loader the Vue plugin would see empty sources.
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  )
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status})`)
  writeFileSync(BUILD_STAMP, new Date().toISOString() + '\n')
}

/**
 * node_modules/better-sqlite3 is compiled for Node (the CLI, web mode and tests need it that
 * way); Electron has another ABI. A copy built for Electron goes to out/node_modules, which
 * Node's resolution finds first from out/main — so both work from one checkout. Packaged apps
 * get theirs from electron-builder's rebuild instead.
 */
export function ensureElectronSqlite(log: (line: string) => void): void {
  const source = join(root, 'node_modules/better-sqlite3')
  const target = join(root, 'out/node_modules/better-sqlite3')
  const sqliteVersion = (
    JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { version: string }
  ).version
  const version = electronVersion()
  const tag = `electron ${version} ${process.platform}-${process.arch} better-sqlite3 ${sqliteVersion}\n`
  const stamp = join(target, '.electron-abi')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === tag) return

  log(`Building better-sqlite3 for Electron ${version} (once)…`)
  rmSync(target, { recursive: true, force: true })
  cpSync(source, target, {
    recursive: true,
    filter: (src) =>
      !src.startsWith(join(source, 'build')) && !src.includes('node_modules', source.length),
  })
  const bin = (tool: string) => join(root, 'node_modules', tool)
  const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: version }
  // As better-sqlite3's own install script: a prebuilt binary if one exists, else compile
  // against Electron's headers.
  const prebuilt = spawnSync(
    process.execPath,
    [bin('prebuild-install/bin.js'), '--runtime', 'electron', '--target', version],
    { cwd: target, env, encoding: 'utf8' },
  )
  if (prebuilt.status === 0) return writeFileSync(stamp, tag)
  const compiled = spawnSync(
    process.execPath,
    [
      bin('node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      `--target=${version}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    { cwd: target, env, encoding: 'utf8' },
  )
  if (compiled.status !== 0) {
    throw new Error(
      `could not build better-sqlite3 for Electron ${version}: ${failureLine(prebuilt)}; ` +
        `${failureLine(compiled)}`,
    )
  }
  writeFileSync(stamp, tag)
}

function launch(binary: string, args: string[]): void {
  const env = { ...process.env }
  // Set by some shells/IDEs; it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE
  const child = spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal)
    })
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

export async function main(args: string[]): Promise<number | null> {
  const log = (line: string) => process.stderr.write(line + '\n')
  let binary = electronBinary()
  if (!binary.ok) binary = fetchElectron(log)
  if (!binary.ok) {
    log(
      `The Electron binary is not available on this machine (${binary.reason}).\n` +
        'Run the same app in a browser instead: npm run web',
    )
    return 1
  }
  try {
    ensureBuilt(log)
    ensureElectronSqlite(log)
  } catch (e) {
    log(`npm start: ${(e as Error).message}`)
    return 1
  }
  launch(binary.path, args)
  return null
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = await main(process.argv.slice(2))
  if (code !== null) process.exit(code)
}
