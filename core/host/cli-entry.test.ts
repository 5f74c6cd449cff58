import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/** The real `basiscope` command (bin/basiscope.js → cli-entry.ts) with its output cut short. */

const BIN = join(import.meta.dirname, '../../bin/basiscope.js')
const dir = mkdtempSync(join(tmpdir(), 'trust-web-cli-entry-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Far more listing than a pipe buffers (64 KiB), so writes go on after `head` has gone.
for (let i = 0; i < 1500; i++) writeFileSync(join(dir, `p${i}.basiscope`), 'not a project')

describe('basiscope with a closed output', () => {
  it('`projects list DIR | head -1` ends quietly with exit 0', () => {
    const shell = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `node "${BIN}" projects list "${dir}" | head -1`],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(shell.stdout.split('\n').filter(Boolean)).toHaveLength(1)
    expect(shell.stderr).not.toMatch(/EPIPE|at .+:\d+:\d+/)
    expect(shell.stderr).toBe('')
    expect(shell.status).toBe(0) // pipefail: the CLI's own status
  }, 60_000)

  it('a closed stderr ends it quietly too', async () => {
    const child = spawn('node', [BIN, 'projects', 'show', join(dir, 'missing.basiscope')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stderr.destroy() // the reader is gone before the CLI writes its error
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const code = await new Promise<number | null>((done) => child.on('close', done))
    expect(stdout).toBe('')
    expect(code).toBe(0)
  }, 60_000)
})
