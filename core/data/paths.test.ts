import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isReallyWithin, isWithin, realPathOf } from './paths.ts'

const root = mkdtempSync(join(tmpdir(), 'basiscope-paths-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('isWithin', () => {
  it('takes the folder itself and what lies below it, not its neighbours', () => {
    expect(isWithin('/w', '/w')).toBe(true)
    expect(isWithin('/w', '/w/a/b')).toBe(true)
    expect(isWithin('/w', '/w/a/../b')).toBe(true)
    expect(isWithin('/w', '/w/../x')).toBe(false)
    expect(isWithin('/w', '/wx')).toBe(false)
    expect(isWithin('/w', '/')).toBe(false)
  })

  it('takes a name that merely starts with two dots', () => {
    // `..notes` is a file in the folder, not its parent.
    expect(isWithin('/w', '/w/..notes')).toBe(true)
  })
})

describe('realPathOf and isReallyWithin', () => {
  const inside = join(root, 'workspace')
  const outside = join(root, 'elsewhere')
  mkdirSync(inside)
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'x')
  symlinkSync(outside, join(inside, 'link'))

  it('resolves the existing part of a path that does not exist yet', () => {
    expect(realPathOf(join(inside, 'link', 'new', 'file.txt'))).toBe(
      join(realPathOf(outside), 'new', 'file.txt'),
    )
  })

  it('refuses a path that leaves the folder through a symlink', () => {
    expect(isWithin(inside, join(inside, 'link', 'secret.txt'))).toBe(true)
    expect(isReallyWithin(inside, join(inside, 'link', 'secret.txt'))).toBe(false)
    expect(isReallyWithin(inside, join(inside, 'link', 'not-yet.txt'))).toBe(false)
    expect(isReallyWithin(inside, join(inside, 'plain.txt'))).toBe(true)
  })
})
