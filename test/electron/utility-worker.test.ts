import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { UtilityProcess } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { FromWorker } from '../../core/service/jobs/protocol.ts'
import { STDERR_TAIL_CHARS, utilityProcessWorkerFactory } from '../../electron/utility-worker.ts'

function fakeProcess() {
  return Object.assign(new EventEmitter(), {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    postMessage: vi.fn(),
    kill: vi.fn(() => true),
  })
}

function setup() {
  const child = fakeProcess()
  const fork = vi.fn(() => child as unknown as UtilityProcess)
  const handle = utilityProcessWorkerFactory(fork, '/app/out/main/worker.js')()
  return { child, fork, handle }
}

describe('utilityProcess worker handle', () => {
  it('forks the worker bundle as a named utility process with piped output', () => {
    const { fork } = setup()
    expect(fork).toHaveBeenCalledWith('/app/out/main/worker.js', [], {
      serviceName: 'basiscope-job',
      stdio: 'pipe',
    })
  })

  it('maps send, messages, exit and kill onto the process', () => {
    const { child, handle } = setup()
    const messages: FromWorker[] = []
    handle.onMessage((m) => messages.push(m))
    const exits: unknown[][] = []
    handle.onExit((...args) => exits.push(args))

    handle.send({ type: 'cancel' })
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'cancel' })
    const artifact = { type: 'artifact', artifact: { data: new Float32Array([1, 2]) } }
    child.emit('message', artifact)
    expect(messages).toEqual([artifact])

    handle.kill()
    expect(child.kill).toHaveBeenCalledOnce()
    child.emit('exit', 15)
    expect(exits).toEqual([[15, null, '']])
    // A gone process is neither written to nor killed again.
    handle.send({ type: 'cancel' })
    handle.kill()
    expect(child.postMessage).toHaveBeenCalledOnce()
    expect(child.kill).toHaveBeenCalledOnce()
  })

  it('reports the tail of stderr and fatal errors with the exit', async () => {
    const { child, handle } = setup()
    let tail = ''
    handle.onExit((_code, _signal, stderr) => (tail = stderr))
    child.stderr.write('x'.repeat(STDERR_TAIL_CHARS))
    child.stderr.write('Error: out of memory\n')
    await new Promise((r) => setImmediate(r))
    child.emit('error', 'FatalError', 'v8::Heap', 'report')
    child.emit('exit', 1)
    expect(tail.length).toBeLessThanOrEqual(STDERR_TAIL_CHARS)
    expect(tail).toContain('Error: out of memory')
    expect(tail).toContain('FatalError at v8::Heap')
  })
})
