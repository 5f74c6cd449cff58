import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { BACKEND_NAMES, backendInfo, executor, initCompute, withBackend } from './compute.ts'
import { onnxRuntime } from './onnx/runtime.ts'
import type { Program } from './program.ts'

beforeAll(async () => {
  await initCompute()
})

/** A program touching every op class: GEMM with transposes, broadcasting, reductions, compares. */
const program: Program<'a' | 'b', 'c' | 'rows' | 'mask' | 'bins', 'float32', 'bins'> = {
  key: 'test-compute-mix',
  inputs: { a: { shape: ['n', 3] }, b: { shape: [4, 3] } },
  outputs: ['c', 'rows', 'mask', 'bins'],
  bytes: ['bins'],
  build(ops, s) {
    const c = ops.add(ops.matmul(s.a, s.b, { transB: true }), ops.constant([1, 2, 3, 4], [4]))
    return {
      c,
      rows: ops.reduceSumSquare(ops.tanh(c), [1]),
      mask: ops.mul(ops.greater(c, 0.5), ops.exp(ops.neg(ops.abs(c)))),
      bins: ops.clip(ops.floor(ops.mul(ops.abs(c), 3)), 0, 9),
    }
  },
}

describe('compute backends', () => {
  it('picks the native backend when ONNX Runtime is installed, or the one BASISCOPE_BACKEND names', () => {
    const info = backendInfo()
    const forced = process.env.BASISCOPE_BACKEND
    expect(info.name).toBe(forced ?? (onnxRuntime() ? 'onnx' : info.name))
    expect(BACKEND_NAMES).toContain(info.name)
    expect(info.threads).toBeGreaterThanOrEqual(1)
    expect(Object.keys(info.versions)).toContain('tfjs')
  })

  it('runs one program to the same numbers on every available backend', async () => {
    const a = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i + 1))
    const b = Float32Array.from({ length: 4 * 3 }, (_, i) => Math.cos(2 * i))
    const feeds = { a: { data: a, shape: [5, 3] }, b: { data: b, shape: [4, 3] } }
    const here = executor().run(program, feeds)
    expect(here.bins).toBeInstanceOf(Uint8Array)
    expect(here.c).toBeInstanceOf(Float32Array)
    // float64 reference for c = a·bᵀ + [1, 2, 3, 4]
    const c64 = Array.from({ length: 20 }, (_, e) => {
      const [i, j] = [Math.floor(e / 4), e % 4]
      let s = j + 1
      for (let k = 0; k < 3; k++) s += a[i * 3 + k] * b[j * 3 + k]
      return s
    })
    expectAllClose(here.c, c64, { rtol: 1e-6, atol: 1e-6 })
    for (const name of ['onnx', 'wasm', 'cpu'] as const) {
      if (name === 'onnx' && !onnxRuntime()) continue
      const there = await withBackend(name, () => executor().run(program, feeds))
      for (const out of ['c', 'rows', 'mask'] as const) {
        expectAllClose(there[out], here[out], { rtol: 1e-5, atol: 1e-6, label: `${name} ${out}` })
      }
      expect(Array.from(there.bins), name).toEqual(Array.from(here.bins))
    }
    expect(backendInfo().name).toBe(process.env.BASISCOPE_BACKEND ?? 'onnx')
  })

  it('computes float64 programs in float64 on the native backend', async () => {
    if (!onnxRuntime()) return
    const p: Program<'x', 'y', 'float64'> = {
      key: 'test-compute-f64',
      dtype: 'float64',
      inputs: { x: { shape: [2] } },
      outputs: ['y'],
      build: (ops, s) => ({ y: ops.sub(ops.add(s.x, 1e-12), s.x) }),
    }
    const y = await withBackend(
      'onnx',
      () => executor().run(p, { x: { data: Float64Array.of(1, 2), shape: [2] } }).y,
    )
    expect(y).toBeInstanceOf(Float64Array)
    // 1e-12 survives next to 1 in float64 (it would vanish in float32).
    expect(Math.abs(y[0] - 1e-12)).toBeLessThan(1e-15)
  })

  it('falls back to TensorFlow.js when ONNX Runtime cannot load, and a run records it', () => {
    const script = [
      "import { initCompute } from './core/backend/compute.ts'",
      "import { runPipeline } from './core/experiment/pipeline.ts'",
      "import { parseRunConfig } from './core/experiment/config.ts'",
      'const info = await initCompute()',
      'const config = parseRunConfig({',
      "  data: { source: 'mnist-embedded', split: { kind: 'random', train: 300, test: 100, seed: 1 } },",
      "  model: { source: 'train', hidden: [12, 8], epochs: 2 },",
      '  rotation: { samples: 50, maxSteps: 5, budgetSeconds: 10 },',
      '  analyses: { baselines: false },',
      '})',
      'const s = await runPipeline(config, { outDir: null })',
      'console.log(JSON.stringify({ name: info.name, backend: s.backend, diff: s.functionPreservation.maxAbsLogitDiff }))',
    ].join('\n')
    const root = resolve(import.meta.dirname, '../..')
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        './test/helpers/hide-onnx.cjs',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, BASISCOPE_BACKEND: '' } },
    )
    expect(r.status, r.stderr.slice(-2000)).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(out.name).toBe('wasm')
    expect(out.backend).toBe('wasm')
    expect(out.diff).toBeLessThan(1e-4)
  })
})
