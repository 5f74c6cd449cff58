import { realpathSync } from 'node:fs'
import path from 'node:path'

/**
 * Whether a path stays inside a folder: the one rule behind model shards (which must lie in
 * the model's folder), web mode's workspace confinement and Electron's path grants.
 */

/** Whether `target` is folder `dir` itself or lies inside it, by their resolved names. */
export function isWithin(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target))
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}

/**
 * `p` with every symlink of its existing part resolved: the deepest existing ancestor's real
 * path plus the rest (a file about to be written does not exist yet, but its folder may be a
 * symlink leading elsewhere).
 */
export function realPathOf(p: string): string {
  const rest: string[] = []
  let at = path.resolve(p)
  for (;;) {
    try {
      return path.join(realpathSync(at), ...rest.reverse())
    } catch {
      const parent = path.dirname(at)
      if (parent === at) return path.resolve(p)
      rest.push(path.basename(at))
      at = parent
    }
  }
}

/** Whether `target` is `dir` or inside it with symlinks resolved on both sides (and lexically). */
export function isReallyWithin(dir: string, target: string): boolean {
  return isWithin(dir, target) && isWithin(realPathOf(dir), realPathOf(target))
}
