import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPaths, workspaceDir } from '../../electron/paths.ts'
import { electronBinary } from '../../scripts/start.ts'
import { repoRoot } from './build-bundle.ts'

describe('where the shell finds its parts', () => {
  it('uses the bundles next to out/main and the checkout’s presets in development', () => {
    expect(
      appPaths({
        mainDir: '/repo/out/main',
        appPath: '/repo',
        isPackaged: false,
        resourcesPath: '/electron/resources',
      }),
    ).toEqual({
      preload: '/repo/out/preload/index.cjs',
      service: '/repo/out/main/service.js',
      worker: '/repo/out/main/worker.js',
      renderer: '/repo/out/renderer',
      presets: '/repo/resources/presets',
    })
  })

  it('uses the packaged extraResources presets', () => {
    const paths = appPaths({
      mainDir: '/opt/Basiscope/resources/app.asar/out/main',
      appPath: '/opt/Basiscope/resources/app.asar',
      isPackaged: true,
      resourcesPath: '/opt/Basiscope/resources',
    })
    expect(paths.presets).toBe('/opt/Basiscope/resources/presets')
    expect(paths.worker).toBe('/opt/Basiscope/resources/app.asar/out/main/worker.js')
  })

  it('keeps projects under userData unless BASISCOPE_WORKSPACE says otherwise', () => {
    expect(workspaceDir('/home/u/.config/Basiscope', {})).toBe(
      join('/home/u/.config/Basiscope', 'workspace'),
    )
    expect(workspaceDir('/x', { BASISCOPE_WORKSPACE: '/data/ws' })).toBe('/data/ws')
  })
})

describe('npm start', () => {
  // Where the binary is installed, `npm start` would open the app instead.
  it.skipIf(electronBinary().ok)(
    'explains that Electron is missing and points to the web mode',
    () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        timeout: 60_000,
      })
      expect(result.status).toBe(1)
      expect(result.stderr).toContain('The Electron binary is not available on this machine')
      expect(result.stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD')
      expect(result.stderr).toContain('npm run web')
    },
  )
})
