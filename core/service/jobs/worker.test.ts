import { describe, expect, it } from 'vitest'
import type { FromWorker, ToWorker } from './protocol.ts'
import { runWorker } from './worker.ts'

describe('job worker', () => {
  it('refuses a start whose cache entries are not keys with JSON values, naming the entry', async () => {
    const sent: FromWorker[] = []
    let deliver: (m: ToWorker) => void = () => {}
    const done = runWorker(
      (m) => sent.push(m),
      (h) => (deliver = h),
    )
    deliver({
      type: 'start',
      config: {},
      baseDir: '.',
      cache: [
        { key: 'baselines:a', value: { rows: [] } },
        { key: 'baselines:b', value: () => 0 },
      ],
    })
    await done
    expect(sent.map((m) => m.type)).toEqual(['ready', 'failed'])
    const failed = sent[1] as Extract<FromWorker, { type: 'failed' }>
    expect(failed.error.code).toBe('INVALID_ARGUMENT')
    expect(failed.error.message).toMatch(/^start\.cache is invalid:\n[^\n]+\n\s*→ at \[1\]\.value$/)
  })
})
