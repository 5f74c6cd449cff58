import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProjectInfo } from '../../core/api/records.ts'
import { createProject, openProject } from '../../core/store/project-store.ts'
import { ask, call, serviceFactory } from '../helpers/service.ts'
import { sha256 } from '../helpers/store-fixtures.ts'

/** `projects.export` and `runs.export` never replace what is already there unasked (D5, D9). */

const services = serviceFactory()
afterEach(() => services.closeAll())

const outDir = () => mkdtempSync(join(tmpdir(), 'trust-web-exports-'))

async function projectWithRun() {
  const service = services.make()
  const p = await call<ProjectInfo>(service, 'projects.create', { name: 'Exported' })
  // A recorded run (no tensors yet: its export is run.json alone).
  await service.handle({ id: 0, command: 'projects.open', params: { path: p.id } })
  const store = openProject(p.path)
  const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
  store.close()
  return { service, project: p, runId: run.id }
}

describe('projects.export onto an existing file', () => {
  it('refuses a file that is there, naming destination; overwrite never replaces a non-project', async () => {
    const { service, project } = await projectWithRun()
    const notes = join(outDir(), 'notes.basiscope')
    writeFileSync(notes, 'my thesis notes\n')
    for (const overwrite of [undefined, false, true]) {
      const reply = await ask(service, 'projects.export', {
        path: project.id,
        destination: notes,
        ...(overwrite === undefined ? {} : { overwrite }),
      })
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
      expect(!reply.ok && reply.error.message).toMatch(/^destination: .*notes\.basiscope/)
      if (overwrite) expect(!reply.ok && reply.error.message).toMatch(/not a Basiscope project/)
      expect(readFileSync(notes, 'utf8')).toBe('my thesis notes\n')
    }
    expect(readdirSync(join(notes, '..'))).toEqual(['notes.basiscope'])
  })

  it('replaces an existing project only with overwrite', async () => {
    const { service, project } = await projectWithRun()
    const target = join(outDir(), 'old.basiscope')
    createProject(target, 'Old copy').close()
    const before = sha256(target)
    const refused = await ask(service, 'projects.export', {
      path: project.id,
      destination: target,
    })
    expect(!refused.ok && refused.error.message).toMatch(/already exists.*overwrite: true/)
    expect(sha256(target)).toBe(before)
    await call(service, 'projects.export', {
      path: project.id,
      destination: target,
      overwrite: true,
    })
    const copy = openProject(target, { readonly: true })
    expect(copy.info().name).toBe('Exported')
    copy.close()
    expect(readdirSync(join(target, '..'))).toEqual(['old.basiscope']) // no temp file left
  })

  it('refuses a folder as destination', async () => {
    const { service, project } = await projectWithRun()
    const dir = outDir()
    const reply = await ask(service, 'projects.export', {
      path: project.id,
      destination: dir,
      overwrite: true,
    })
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(!reply.ok && reply.error.message).toMatch(/destination: .* is a folder/)
  })
})

describe('runs.export onto existing files', () => {
  it('a file as directory is an input error naming directory and what is there (D9)', async () => {
    const { service, project, runId } = await projectWithRun()
    const file = join(outDir(), 'taken.txt')
    writeFileSync(file, 'keep me')
    const reply = await ask(service, 'runs.export', { project: project.id, runId, directory: file })
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(!reply.ok && reply.error.message).toMatch(/^directory: .*taken\.txt is a file/)
    expect(readFileSync(file, 'utf8')).toBe('keep me')
  })

  it('refuses to replace export files already in the folder unless overwrite', async () => {
    const { service, project, runId } = await projectWithRun()
    const dir = outDir()
    writeFileSync(join(dir, 'run.json'), '{"mine": true}')
    const reply = await ask(service, 'runs.export', { project: project.id, runId, directory: dir })
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(!reply.ok && reply.error.message).toMatch(/directory: .* already holds run\.json/)
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toBe('{"mine": true}')
    await call(service, 'runs.export', {
      project: project.id,
      runId,
      directory: dir,
      overwrite: true,
    })
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).run.id).toBe(runId)
  })

  it('a file that cannot be written leaves no temporary file behind', async () => {
    const { service, project, runId } = await projectWithRun()
    const dir = outDir()
    mkdirSync(join(dir, 'run.json', 'inside'), { recursive: true }) // run.json: a full folder
    const reply = await ask(service, 'runs.export', {
      project: project.id,
      runId,
      directory: dir,
      overwrite: true,
    })
    expect(reply.ok).toBe(false)
    expect(!reply.ok && reply.error.code).not.toBe('INTERNAL')
    expect(readdirSync(dir)).toEqual(['run.json'])
    expect(readdirSync(join(dir, 'run.json'))).toEqual(['inside'])
  })
})
