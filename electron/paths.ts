import { join } from 'node:path'

/**
 * Where the shell finds its parts. The bundles sit side by side in out/ (electron-vite:
 * out/main/{index,service,worker}.js, out/preload/index.cjs, out/renderer/); the run presets are a
 * folder of JSON files: resources/presets in a checkout, `<resources>/presets` (electron-builder
 * extraResources) in a packaged app.
 */
export interface AppPaths {
  readonly preload: string
  /** The service's utility process (BasiscopeService and its SQLite connections). */
  readonly service: string
  readonly worker: string
  readonly renderer: string
  readonly presets: string
}

export function appPaths(options: {
  /** Directory of the running main bundle (out/main). */
  readonly mainDir: string
  /** `app.getAppPath()`: the repository root, or app.asar when packaged. */
  readonly appPath: string
  readonly isPackaged: boolean
  /** `process.resourcesPath`. */
  readonly resourcesPath: string
}): AppPaths {
  return {
    preload: join(options.mainDir, '..', 'preload', 'index.cjs'),
    service: join(options.mainDir, 'service.js'),
    worker: join(options.mainDir, 'worker.js'),
    renderer: join(options.mainDir, '..', 'renderer'),
    presets: options.isPackaged
      ? join(options.resourcesPath, 'presets')
      : join(options.appPath, 'resources', 'presets'),
  }
}

/**
 * The folder projects live in: `$BASISCOPE_WORKSPACE` when set (as for the CLI and web mode),
 * else `<userData>/workspace`.
 */
export function workspaceDir(userData: string, env: NodeJS.ProcessEnv): string {
  return env.BASISCOPE_WORKSPACE || join(userData, 'workspace')
}
