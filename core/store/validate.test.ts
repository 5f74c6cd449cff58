import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { openProject } from './project-store.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { projectWithData, scribbleMiddle, sha256 } from '../../test/helpers/store-fixtures.ts'
import { validateProjectFile } from './validate.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let counter = 0
function newFile(): string {
  return path.join(dir, `v${++counter}.basiscope`)
}

function expectRefused(file: string, problem: RegExp): void {
  const existed = fs.existsSync(file)
  const before = existed && fs.statSync(file).isFile() ? sha256(file) : null
  const listing = fs.readdirSync(dir).sort()
  for (const attempt of [
    () => validateProjectFile(file),
    () => openProject(file),
    () => openProject(file, { readonly: true }),
  ]) {
    let err: unknown
    try {
      attempt()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(BasiscopeError)
    const e = err as BasiscopeError
    expect(e.code).toBe('INVALID_FILE')
    expect(e.where).toBe(file)
    expect(e.message.startsWith(`${file}: `)).toBe(true)
    expect(e.message.slice(file.length + 2)).toMatch(problem)
  }
  if (before !== null) expect(sha256(file)).toBe(before)
  expect(fs.readdirSync(dir).sort()).toEqual(listing)
}

describe('validateProjectFile', () => {
  it('accepts a sound project', () => {
    const file = newFile()
    projectWithData(file)
    const before = sha256(file)
    expect(validateProjectFile(file)).toEqual({ schemaVersion: SCHEMA_VERSION })
    expect(validateProjectFile(file, { check: 'quick' })).toEqual({ schemaVersion: SCHEMA_VERSION })
    expect(sha256(file)).toBe(before)
  })

  it('names a missing file, a folder and an empty file', () => {
    expectRefused(path.join(dir, 'missing.basiscope'), /^does not exist$/)
    const folder = path.join(dir, 'folder.basiscope')
    fs.mkdirSync(folder)
    expectRefused(folder, /^is a folder/)
    const empty = newFile()
    fs.writeFileSync(empty, '')
    expectRefused(empty, /^is empty, not a Basiscope project$/)
  })

  it('refuses random bytes without opening them as a database', () => {
    const file = newFile()
    fs.writeFileSync(file, crypto.randomBytes(8192))
    expectRefused(file, /^is not a Basiscope project \(not an SQLite database\)$/)
  })

  it('refuses an SQLite database that is not a project', () => {
    const file = newFile()
    const db = new Database(file)
    db.exec('CREATE TABLE runs (id INTEGER PRIMARY KEY); CREATE TABLE other (x)')
    db.close()
    expectRefused(
      file,
      /^is an SQLite database but not a Basiscope project \(missing tables: project, tags, metrics, artifacts\)$/,
    )
  })

  it('refuses a project from a newer Basiscope', () => {
    const file = newFile()
    projectWithData(file)
    const db = new Database(file)
    db.pragma('user_version = 99')
    db.close()
    expectRefused(
      file,
      new RegExp(
        `^was written by a newer Basiscope \\(schema version 99, this one knows up to ${SCHEMA_VERSION}\\); update Basiscope to open it$`,
      ),
    )
  })

  it('refuses a truncated project', () => {
    const file = newFile()
    projectWithData(file)
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
    expectRefused(file, /^is damaged/)
  })

  it('refuses a project with overwritten middle pages', () => {
    const file = newFile()
    projectWithData(file)
    scribbleMiddle(file)
    expectRefused(file, /^is damaged/)
  })

  it('refuses a project whose required tables or facts are gone', () => {
    const file = newFile()
    projectWithData(file)
    let db = new Database(file)
    db.exec('DROP TABLE tags')
    db.close()
    expectRefused(file, /^is damaged or not a Basiscope project \(missing tables: tags\)$/)

    const other = newFile()
    projectWithData(other)
    db = new Database(other)
    db.exec("DELETE FROM project WHERE key = 'id'")
    db.close()
    expectRefused(other, /^is damaged \(the project has no id or no name\)$/)
  })
})
