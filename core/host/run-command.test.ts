import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeSafetensors } from '../model/io/safetensors.ts'
import { runMain } from '../../test/helpers/cli.ts'

/** `basiscope run` in-process (issue 13): what it refuses before training, and how runs fail. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-inputs-run-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const run = runMain

function write(name: string, text: string | Uint8Array): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}

/** A small, quick run: 60/30 inputs, a tiny network, a few steps, no analyses. */
const quick = {
  model: { hidden: [8], epochs: 1 },
  rotation: { maxSteps: 2, budgetSeconds: 2 },
  analyses: { baselines: false },
}

describe('basiscope run: the config root (D1)', () => {
  for (const [text, found] of [
    ['[]', 'an array'],
    ['null', 'null'],
    ['"x"', 'a string'],
    ['42', 'a number'],
    ['true', 'a boolean'],
    ['[[1], [2]]', 'an array'],
  ] as const) {
    it(`refuses ${text} with exit 2, naming the file and what it found`, async () => {
      const file = write(`root-${found.replace(/\W/g, '')}-${text.length}.json`, text)
      const r = await run(['run', file, '--out', path.join(dir, 'never')])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(
        `${file}: the top level must be a JSON object (a run config), found ${found}`,
      )
      expect(fs.existsSync(path.join(dir, 'never'))).toBe(false)
    })
  }

  it('refuses a section that is not an object even when a flag writes into it', async () => {
    const file = write('rotation-array.json', '{"rotation": []}')
    const r = await run(['run', file, '--samples', '5'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'rotation: expected an object (the rotation section), found an array',
    )
  })
})

describe('basiscope run: counts bounded by their lists (D11) and split files (real-world data)', () => {
  const indices = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
  const split = write(
    'split.json',
    JSON.stringify({
      description: 'a small split',
      n_total: 90,
      train: indices(0, 60),
      test: indices(60, 30),
    }),
  )

  it('an oversized rotation.samples or evaluation.heldOutSamples set by the user: exit 2, before training', async () => {
    for (const [field, section] of [
      ['rotation.samples', { rotation: { ...quick.rotation, samples: 61 } }],
      ['evaluation.heldOutSamples', { evaluation: { heldOutSamples: 31 } }],
    ] as const) {
      const file = write(
        `${field}.json`,
        JSON.stringify({ ...quick, ...section, data: { split: { kind: 'file', file: split } } }),
      )
      const r = await run(['run', file, '--out', path.join(dir, 'never')])
      expect(r.code, r.stderr).toBe(2)
      const [count, list, size] =
        field === 'rotation.samples' ? [61, 'train', 60] : [31, 'test', 30]
      expect(r.stderr).toContain(
        `${field}: ${count} inputs asked for, but the ${list} list of ${split} has only ${size}`,
      )
      expect(r.stderr).not.toContain('training epoch')
    }
  })

  it('the same counts in a random split are refused by the config check itself', async () => {
    const file = write(
      'random.json',
      JSON.stringify({
        data: { split: { train: 100, test: 50 } },
        evaluation: { heldOutSamples: 51 },
      }),
    )
    const r = await run(['run', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      "evaluation.heldOutSamples: 51 inputs asked for, but the split's test list has only 50",
    )
  })

  it('the default samples is capped to a small split file, with a warning; its metadata keys are ignored, with a warning', async () => {
    const file = write(
      'default-samples.json',
      JSON.stringify({ ...quick, data: { split: { kind: 'file', file: split } } }),
    )
    const r = await run(['run', file, '--json', '--out', path.join(dir, 'capped')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(
      `basiscope: warning: ${split}: ignoring unknown keys "description", "n_total" (only "train", "test" are read)`,
    )
    expect(r.stderr).toContain(
      `basiscope: warning: rotation.samples: the default 1000 is more than the 60 inputs of the train list of ${split}; using all 60`,
    )
    const summary = JSON.parse(r.stdout)
    expect(summary.data.objectiveSamples).toBe(60)
    expect(summary.data.heldOutSamples).toBe(30)
    expect(summary.warnings).toHaveLength(2)
  })
})

describe('basiscope run: non-finite results fail the run (D12)', () => {
  it('weights that overflow float32 in the forward pass: exit 1 saying what overflowed, no NaN summary', async () => {
    const big = (n: number) => new Float32Array(n).fill(3e38)
    const file = write(
      'overflow.safetensors',
      encodeSafetensors([
        { name: 'fc1.weight', dtype: 'F32', shape: [4, 784], data: big(4 * 784) },
        { name: 'fc1.bias', dtype: 'F32', shape: [4], data: big(4) },
        { name: 'fc2.weight', dtype: 'F32', shape: [10, 4], data: big(40) },
        { name: 'fc2.bias', dtype: 'F32', shape: [10], data: big(10) },
      ]),
    )
    const out = path.join(dir, 'overflow-out')
    const r = await run([
      'run',
      '--model',
      file,
      '--samples',
      '50',
      '--steps',
      '1',
      '--json',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(
      /the forward pass of the model .*overflow\.safetensors \(its logits on the 2000 test inputs\) is not finite \(logit 0 of test input 0 is (Infinity|NaN)\): the values overflowed float32/,
    )
    expect(fs.existsSync(out)).toBe(false)
  })

  it('a forward pass that fits but a measure that overflows (quartimax, J⁴): exit 1 naming the metric', async () => {
    // |J| ≈ 1e12 fits float32, J⁴ ≈ 1e48 does not; the logits stay small.
    const tensors = [
      {
        name: 'fc1.weight',
        dtype: 'F32' as const,
        shape: [4, 784],
        data: new Float32Array(4 * 784).fill(1e12),
      },
      { name: 'fc1.bias', dtype: 'F32' as const, shape: [4], data: new Float32Array(4) },
      {
        name: 'fc2.weight',
        dtype: 'F32' as const,
        shape: [10, 4],
        data: new Float32Array(40).fill(1e-14),
      },
      { name: 'fc2.bias', dtype: 'F32' as const, shape: [10], data: new Float32Array(10) },
    ]
    const file = write('quartic.safetensors', encodeSafetensors(tensors))
    const r = await run([
      'run',
      '--model',
      file,
      '--measure',
      'quartimax',
      '--samples',
      '50',
      '--json',
      '--out',
      path.join(dir, 'q'),
    ])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(
      /the held-out metrics in the neuron basis, layer 1 is not finite \(the measure is -?Infinity\)/,
    )
  })
})
