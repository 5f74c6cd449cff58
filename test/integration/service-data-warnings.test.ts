import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EventMessage } from '../../core/api/contract.ts'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import { call, serviceFactory, statusIs, tinyConfig, waitForEvent } from '../helpers/service.ts'

/**
 * Issue 13, real-world data files in a service run: a split file's metadata keys are
 * ignored, and the run says so — live, as a progress warning, and in its stored summary —
 * as does the default rotation.samples capped to a short train list.
 */
describe('service: a run over a split file with metadata keys', () => {
  const services = serviceFactory()
  const dir = mkdtempSync(join(tmpdir(), 'trust-inputs-svc-'))
  afterAll(async () => {
    await services.closeAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it('completes, with both warnings streamed and kept in the summary', async () => {
    const service = services.make()
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'Warnings' })
    const split = join(dir, 'split.json')
    const list = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
    writeFileSync(
      split,
      JSON.stringify({ description: 'python', train: list(0, 80), test: list(80, 40) }),
    )
    const config = {
      ...tinyConfig,
      data: { split: { kind: 'file', file: split } },
      rotation: { maxSteps: 4, budgetSeconds: 5 },
      analyses: { baselines: false },
    }
    const warnings: string[] = []
    const off = service.subscribe((m: EventMessage) => {
      if (m.event !== 'job.progress') return
      const message = (m.payload as { message?: string }).message
      if (message?.startsWith('warning: ')) warnings.push(message)
    })
    const { run } = await call<{ run: RunRecord }>(service, 'runs.start', {
      project: project.id,
      config,
    })
    const end = await waitForEvent(service, statusIs(run.id, 'completed', 'failed'))
    off()
    expect(end.payload).toMatchObject({ status: 'completed' })
    const ignored = `${split}: ignoring unknown key "description" (only "train", "test" are read)`
    const capped = `rotation.samples: the default 1000 is more than the 80 inputs of the train list of ${split}; using all 80`
    expect(warnings).toEqual([`warning: ${ignored}`, `warning: ${capped}`])
    const { summary } = await call<{
      summary: { warnings?: string[]; data: { objectiveSamples: number } }
    }>(service, 'runs.get', { project: project.id, runId: run.id })
    expect(summary.warnings).toEqual([ignored, capped])
    expect(summary.data.objectiveSamples).toBe(80)
  })
})
