import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The packaged executables electron-builder left under an output folder (`dist` for
 * `npm run dist`, `dist/e2e` for `npm run dist:e2e`): `<platform>[-arch]-unpacked/basiscope`
 * on Linux, `…-unpacked/Basiscope.exe` on Windows, `mac*\/Basiscope.app` on macOS.
 */
export function packagedBinaries(outputDir: string): string[] {
  if (!existsSync(outputDir)) return []
  return readdirSync(outputDir).flatMap((entry) => {
    if (!/-unpacked$|^mac/.test(entry)) return []
    return ['basiscope', 'Basiscope.exe', 'Basiscope.app']
      .map((name) => join(outputDir, entry, name))
      .filter((path) => existsSync(path))
  })
}
