import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * A process killed while it creates projects never leaves a file under a project's name
 * that is not a whole project (found by `npm run stress`: the name used to be reserved with
 * an empty file, and a kill before the finished file was renamed over it left a 0-byte
 * "project" every later open refused).
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-create-kill-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// Creates projects one after another, as fast as it can, until it is killed.
const CREATOR = `
import { createProject } from ${JSON.stringify(path.resolve('core/store/project-store.ts'))}
const [dir, prefix] = process.argv.slice(1)
let i = 0
process.stdout.write('ready')
for (;;) createProject(dir + '/' + prefix + '-' + i++ + '.basiscope', 'P').close()
`

function createUntilKilled(afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CREATOR, dir, `k${afterMs}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), afterMs))
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`the creator stopped: ${stderr}`)),
    )
  })
}

describe('createProject under SIGKILL', () => {
  it('leaves only whole projects under project names', async () => {
    for (const ms of [40, 75, 110, 160, 230]) await createUntilKilled(ms)
    const projects = fs.readdirSync(dir).filter((f) => f.endsWith('.basiscope'))
    expect(projects.length).toBeGreaterThan(5) // it did create some
    // A whole project starts with SQLite's header; a reserved name would be 0 bytes.
    const notWhole = projects.filter(
      (f) => fs.readFileSync(path.join(dir, f)).subarray(0, 16).toString() !== 'SQLite format 3\0',
    )
    expect(notWhole).toEqual([])
  })
})
