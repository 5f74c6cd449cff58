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
    isTTY: false,
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

  it('shows a project with a damaged run, and one a crash left running, without touching it', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'damaged-'))
    const file = path.join(dir, 'bad.basiscope')
    const store = createProject(file, 'Bad')
    store.createRun({ name: 'left running', config: {}, seed: 1, configSummary: {} })
    store.createRun({ name: 'damaged', config: {}, seed: 1, configSummary: {} })
    store.close()
    const db = new Database(file)
    db.exec("UPDATE runs SET status = 'running', owner_token = NULL WHERE id = 1")
    db.exec("UPDATE runs SET status = 'completed', key_metrics = '{' WHERE id = 2")
    db.close()
    const before = folder(dir)
    const r = await show(file)
    expect(r.code, r.stderr).toBe(0)
    const runs = JSON.parse(r.stdout).runs
    expect(runs[0]).toMatchObject({ status: 'interrupted' })
    expect(runs[1]).toMatchObject({ damaged: `run 2 in ${file}: key_metrics is not valid JSON` })
    expect(folder(dir)).toEqual(before)
  })
})
