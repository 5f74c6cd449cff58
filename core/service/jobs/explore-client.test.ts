import { describe, expect, it } from 'vitest'
import { ExploreClient } from './explore-client.ts'
import type { ExploreTask } from './explore-protocol.ts'
import type { FromWorker, ToWorker } from './protocol.ts'
import type { WorkerHandle } from './runner.ts'

/**
 * A scripted worker process: it says ready when told to, answers every task with its
 * kind, and can crash. The client's bookkeeping is what is tested here; the real worker
 * processes are in test/integration/service-inputs.test.ts.
 */
class ScriptedWorker implements WorkerHandle {
  readonly received: ToWorker[] = []
  killed = false
  private message: (m: FromWorker) => void = () => {}
  private exit: (code: number | null, signal: string | null, tail: string) => void = () => {}
  answer = true

  send(m: ToWorker): void {
    this.received.push(m)
    if (m.type === 'task' && this.answer) {
      queueMicrotask(() =>
        this.message({ type: 'task-done', taskId: m.taskId, value: m.task.kind }),
      )
    }
  }
  onMessage(h: (m: FromWorker) => void): void {
    this.message = h
  }
  onExit(h: (code: number | null, signal: string | null, tail: string) => void): void {
    this.exit = h
  }
  kill(): void {
    this.killed = true
  }
  ready(): void {
    this.message({ type: 'ready' })
  }
  crash(tail: string): void {
    this.exit(null, 'SIGSEGV', tail)
  }
}

const task = { kind: 'index', source: {} } as unknown as ExploreTask

function client(idleMs = 60_000) {
  const workers: ScriptedWorker[] = []
  const c = new ExploreClient(() => {
    const w = new ScriptedWorker()
    workers.push(w)
    return w
  }, idleMs)
  return { c, workers }
}

describe('ExploreClient', () => {
  it('starts one worker on the first task and holds tasks until it is ready', async () => {
    const { c, workers } = client()
    const a = c.run(task).result
    const b = c.run(task).result
    expect(workers).toHaveLength(1)
    expect(workers[0].received).toEqual([])
    workers[0].ready()
    await expect(Promise.all([a, b])).resolves.toEqual(['index', 'index'])
    expect(workers[0].received.map((m) => m.type)).toEqual(['task', 'task'])
    c.close()
  })

  it('fails the tasks of a crashed worker, naming how it ended, and starts afresh', async () => {
    const { c, workers } = client()
    const answered = c.run(task).result
    workers[0].ready()
    await expect(answered).resolves.toBe('index')
    workers[0].answer = false
    const pending = c.run(task).result
    workers[0].crash('out of memory\n')
    await expect(pending).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'the explore worker was killed (SIGSEGV): out of memory',
    })
    const again = c.run(task).result
    expect(workers).toHaveLength(2)
    workers[1].ready()
    await expect(again).resolves.toBe('index')
    c.close()
  })

  it('stops the worker once idle, and sends cancels only for tasks it still runs', async () => {
    const { c, workers } = client(20)
    const t = c.run(task)
    workers[0].ready()
    await t.result
    c.cancel(t.taskId)
    expect(workers[0].received.filter((m) => m.type === 'task-cancel')).toEqual([])
    await new Promise((r) => setTimeout(r, 60))
    expect(workers[0].killed).toBe(true)
    c.close()
  })

  it('fails what is pending with CANCELLED when closed, and takes no more tasks', async () => {
    const { c, workers } = client()
    const pending = c.run(task).result
    c.close()
    expect(workers[0].killed).toBe(true)
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(c.run(task).result).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
