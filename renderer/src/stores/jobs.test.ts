// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport } from '../test/fake-transport.ts'
import { useJobsStore } from './jobs.ts'

const P = '/ws/study.basiscope'
/** Runs are kept by their project's id: a rename moves the file, not the id. */
const ID = 'project-id'

function setup() {
  const fake = fakeTransport({
    'jobs.list': () => [
      {
        jobId: 'j7',
        project: P,
        projectId: ID,
        runId: 7,
        state: 'running',
        queuedAt: '2025-01-01T00:00:00Z',
      },
    ],
    'jobs.cancel': () => null,
  })
  setApiClient(new ApiClient(fake.transport))
  setActivePinia(createPinia())
  return { fake, jobs: useJobsStore() }
}

describe('useJobsStore', () => {
  beforeEach(() => setApiClient(null))

  it('keeps progress per run from events and forgets it when the run ends', () => {
    const { fake, jobs } = setup()
    fake.emit({
      event: 'job.progress',
      payload: {
        jobId: 'j1',
        project: P,
        projectId: 'project-id',
        runId: 4,
        phase: 'rotate',
        message: 'layer 1',
        fraction: 0.4,
        etaSeconds: 12,
      },
    })
    expect(jobs.progressFor(ID, 4)).toMatchObject({ fraction: 0.4, etaSeconds: 12, jobId: 'j1' })
    expect(jobs.progressFor('another-project', 4)).toBeNull()
    fake.emit({
      event: 'run.status',
      payload: { project: P, projectId: 'project-id', runId: 4, status: 'completed', error: null },
    })
    expect(jobs.progressFor(ID, 4)).toBeNull()
  })

  it('asks jobs.list for the job of a run it has no event for, and says when there is none', async () => {
    const { fake, jobs } = setup()
    expect(await jobs.jobIdFor(ID, 7)).toBe('j7')
    await jobs.cancel(ID, 7)
    expect(fake.callsOf('jobs.cancel')).toEqual([{ jobId: 'j7' }])
    await expect(jobs.cancel(ID, 8)).rejects.toThrow('run 8 has no queued or running job')
  })
})
