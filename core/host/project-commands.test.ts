import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { olderProject, sha256 } from '../../test/helpers/store-fixtures.ts'
import { createProject } from '../store/project-store.ts'
import { main } from './cli.ts'

/** `projects show` is a pure read (issue 13 D10): it never writes the file it shows. */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-show-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

async function show(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(['projects', 'show', file, '--json'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  })
  return { code, stdout, stderr }
}

const folder = (dir: string) =>
  Object.fromEntries(fs.readdirSync(dir).map((f) => [f, sha256(path.join(dir, f))]))

describe('projects show', () => {
  it('leaves a project byte for byte as it was, and creates nothing beside it', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'sound-'))
    const file = path.join(dir, 'p.basiscope')
    const store = createProject(file, 'Shown')
    store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    store.updateRun(1, { status: 'completed' })
    store.close()
    const before = folder(dir)
    const r = await show(file)
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).runs).toHaveLength(1)
    expect(folder(dir)).toEqual(before)
  })

  it('shows a file of an older schema without migrating it or making a backup', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'older-'))
    const file = path.join(dir, 'old.basiscope')
    olderProject(file, 1)
    const before = folder(dir)
    const r = await show(file)
    expect(r.code, r.stderr).toBe(0)
    const shown = JSON.parse(r.stdout)
    expect(shown.project).toMatchObject({ name: 'Old', schemaVersion: 1, path: file })
    expect(shown.runs[0]).toMatchObject({ name: 'r', notes: 'kept', group: null })
    expect(folder(dir)).toEqual(before)
  })

  it('fails on a damaged file without touching it', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'failing-'))
    const file = path.join(dir, 'bad.basiscope')
    createProject(file, 'Bad').close()
    const db = new Database(file)
    db.exec('DROP TABLE tags')
    db.close()
    const before = folder(dir)
    const r = await show(file)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(file)
    expect(r.stderr).toMatch(/missing tables: tags/)
    expect(folder(dir)).toEqual(before)
  })
})
