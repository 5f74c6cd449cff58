import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { MalformedCase, Outcome } from './corpus.ts'

/** Runs every case of ./cases/*.ts (see ./corpus.ts for what a case must show). */

const CASES_DIR = join(import.meta.dirname, 'cases')
const caseFiles = readdirSync(CASES_DIR).filter((f) => f.endsWith('.ts'))
const areas: { file: string; cases: MalformedCase[] }[] = []
for (const file of caseFiles) {
  const mod = (await import(join(CASES_DIR, file))) as { cases: MalformedCase[] }
  areas.push({ file, cases: mod.cases })
}

const root = mkdtempSync(join(tmpdir(), 'basiscope-corpus-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Every file under dir with its content hash. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const s = statSync(p)
      if (s.isDirectory()) walk(p)
      else if (s.isFile()) {
        out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'))
      }
    }
  }
  walk(dir)
  return out
}

function messageOf(o: Outcome): string {
  return o.kind === 'cli' ? o.stderr : o.reply.ok ? '' : o.reply.error.message
}

const TIMEOUT_MS = 20_000

function withTimeout<T>(p: Promise<T>, id: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${id}: no answer in ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    )
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    )
  })
}

describe('malformed-input corpus', () => {
  it('has unique case ids and at least 300 cases', () => {
    const ids = areas.flatMap((a) => a.cases.map((c) => c.id))
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeGreaterThanOrEqual(300)
  })

  for (const area of areas) {
    describe(area.file, () => {
      for (const c of area.cases) {
        it(c.id, async () => {
          const dir = mkdtempSync(join(root, 'case-'))
          const ctx = { dir }
          await c.setup?.(ctx)
          const before = snapshot(dir)
          const outcome = await withTimeout(c.run(ctx), c.id)
          const message = messageOf(outcome)
          if (outcome.kind === 'cli') {
            expect(outcome.code, `${c.id}: exit code; stderr: ${outcome.stderr}`).toBe(
              c.exitCode ?? 2,
            )
          } else {
            expect(outcome.reply.ok, `${c.id}: accepted`).toBe(false)
            if (!outcome.reply.ok) {
              if (c.errorCode !== undefined) expect(outcome.reply.error.code).toBe(c.errorCode)
              else expect(outcome.reply.error.code, message).not.toBe('INTERNAL')
            }
          }
          expect(message, `${c.id}: a stack trace`).not.toMatch(/\n\s+at .+:\d+:\d+/)
          for (const m of c.mentions) {
            if (typeof m === 'string') expect(message.toLowerCase()).toContain(m.toLowerCase())
            else expect(message).toMatch(m)
          }
          const after = snapshot(dir)
          for (const [file, hash] of before) {
            expect(after.get(file), `${c.id}: ${file} changed or removed`).toBe(hash)
          }
          const created = [...after.keys()].filter(
            (f) => !before.has(f) && !(c.mayCreate ?? []).includes(f),
          )
          expect(created, `${c.id}: files created`).toEqual([])
        })
      }
    })
  }
})
