import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Mat } from '../../linalg/matrix.ts'
import { identity, orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import type { Activation, DenseLayer, MlpParams } from '../mlp.ts'
import {
  exportModelSafetensors,
  exportRotatedWeightsSafetensors,
  exportRotationsSafetensors,
  readRotationsSafetensors,
  rotatedWeights,
} from './export.ts'
import { importSafetensorsModel } from './import-safetensors.ts'
import { readSafetensors, writeSafetensors } from './safetensors.ts'
import { givensOrthogonal, tmpDir } from '../../../test/helpers/io-fixtures.ts'
import { thrown } from '../../../test/helpers/errors.ts'

const dir = tmpDir()
let count = 0
const fresh = (): string => path.join(dir, `f${count++}.safetensors`)

function randomMlp(sizes: number[], activation: Activation, seed: number): MlpParams {
  const rng = createRng(seed)
  const layers: DenseLayer[] = []
  for (let k = 0; k + 1 < sizes.length; k++) {
    const inDim = sizes[k]
    const outDim = sizes[k + 1]
    layers.push({
      inDim,
      outDim,
      weight: Float32Array.from({ length: outDim * inDim }, () => rng.normal()),
      bias: Float32Array.from({ length: outDim }, () => rng.normal()),
    })
  }
  return { sizes, activation, layers }
}

/** Naive A·Bᵀ for the checks, independent of linalg/matrix. */
function naiveNT(a: Float64Array, rows: number, inner: number, b: Mat): Float64Array {
  const out = new Float64Array(rows * b.rows)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0
      for (let p = 0; p < inner; p++) s += a[i * inner + p] * b.data[j * b.cols + p]
      out[i * b.rows + j] = s
    }
  }
  return out
}

function matVec(a: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): number[] {
  const out: number[] = []
  for (let i = 0; i < rows; i++) {
    let s = 0
    for (let j = 0; j < cols; j++) s += a[i * cols + j] * x[j]
    out.push(s)
  }
  return out
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol)
  }
}

describe('exportModelSafetensors', () => {
  it('round-trips through importSafetensorsModel, with fc1 … fc11 in order', () => {
    const sizes = [7, 6, 5, 4, 3, 4, 5, 6, 5, 4, 3, 2]
    const params = randomMlp(sizes, 'gelu', 1)
    const file = fresh()
    exportModelSafetensors(params, file, { run: 'abc', format: 'ignored' })
    const back = importSafetensorsModel(file)
    expect(back.sizes).toEqual(sizes)
    expect(back.activation).toBe('gelu')
    back.layers.forEach((l, i) => {
      expect(l.weight).toEqual(params.layers[i].weight)
      expect(l.bias).toEqual(params.layers[i].bias)
    })
    const { tensors, metadata } = readSafetensors(file)
    expect(metadata).toEqual({
      run: 'abc',
      format: 'basiscope-mlp',
      activation: 'gelu',
      sizes: JSON.stringify(sizes),
    })
    expect(tensors.get('fc1.weight')!.shape).toEqual([6, 7])
    expect(tensors.get('fc11.bias')!.shape).toEqual([2])
  })

  it('rejects inconsistent params', () => {
    const params = randomMlp([3, 2], 'relu', 2)
    const e = thrown(() => exportModelSafetensors({ ...params, sizes: [3, 4] }, fresh()))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toContain('params.layers[0]')
    const nan = { ...params.layers[0], bias: new Float32Array([0, NaN]) }
    const e2 = thrown(() => exportModelSafetensors({ ...params, layers: [nan] }, fresh()))
    expect(e2.message).toContain('params.layers[0].bias: value at flat index 1 is NaN')
  })
})

describe('rotations files', () => {
  it('round-trip R1 … R{L-1} as float64 Mats', () => {
    const rs = [givensOrthogonal(4, 1), givensOrthogonal(3, 2)]
    const file = fresh()
    exportRotationsSafetensors(rs, file, { run: 'x' })
    const back = readRotationsSafetensors(file, [5, 4, 3, 2])
    expect(back.map((r) => [r.rows, r.cols])).toEqual([
      [4, 4],
      [3, 3],
    ])
    back.forEach((r, i) => {
      expect(r.data).toBeInstanceOf(Float64Array)
      expectClose(r.data, rs[i].data, 1e-7)
    })
    const { tensors, metadata } = readSafetensors(file)
    expect([...tensors.keys()].sort()).toEqual(['R1', 'R2'])
    expect(metadata.format).toBe('basiscope-rotations')
    expect(metadata.run).toBe('x')
    expect(readRotationsSafetensors(file)).toHaveLength(2)
  })

  it('reject bad rotations on write', () => {
    const notOrthogonal: Mat = { rows: 2, cols: 2, data: new Float64Array([1, 1, 0, 1]) }
    const e = thrown(() => exportRotationsSafetensors([identity(2), notOrthogonal], fresh()))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toContain('rotations[1]: is not orthogonal')
  })

  describe('readRotationsSafetensors errors name the file and the tensor', () => {
    const write = (tensors: Record<string, { shape: number[]; data: number[] }>): string => {
      const file = fresh()
      writeSafetensors(
        file,
        Object.entries(tensors).map(([name, t]) => ({
          name,
          dtype: 'F32' as const,
          shape: t.shape,
          data: Float32Array.from(t.data),
        })),
      )
      return file
    }
    const eye = (d: number) => ({ shape: [d, d], data: Array.from(identity(d).data) })
    const errorOf = (file: string, sizes?: number[]): string => {
      const e = thrown(() => readRotationsSafetensors(file, sizes))
      expect(e.code).toBe('INVALID_FILE')
      expect(e.message.startsWith(`${file}: `)).toBe(true)
      return e.message
    }

    it('names not contiguous, or not rotations', () => {
      expect(errorOf(write({ R1: eye(2), R3: eye(2) }))).toContain(
        'rotation R2 is missing (found R1, R3); expected R1 … R2',
      )
      expect(errorOf(write({ R1: eye(2), 'fc1.weight': eye(2) }))).toContain(
        'tensor "fc1.weight" is not a rotation',
      )
      expect(errorOf(write({ R0: eye(2) }))).toContain('tensor "R0" is not a rotation')
    })

    it('not square, not finite, not orthogonal', () => {
      expect(errorOf(write({ R1: { shape: [2, 3], data: [1, 0, 0, 0, 1, 0] } }))).toContain(
        'tensor "R1": shape [2, 3] is not a square matrix',
      )
      expect(
        errorOf(write({ R1: eye(2), R2: { shape: [2, 2], data: [1, 0, Infinity, 1] } })),
      ).toContain('tensor "R2": value at flat index 2 (row 1, column 0) is Infinity')
      expect(errorOf(write({ R1: { shape: [2, 2], data: [2, 0, 0, 1] } }))).toContain(
        'tensor "R1" is not orthogonal: max |RᵀR − I| = 3.00',
      )
    })

    it('not fitting the given sizes', () => {
      const file = write({ R1: eye(4), R2: eye(3) })
      expect(errorOf(file, [5, 4, 2])).toContain(
        'holds 2 rotations but a model with sizes [5, 4, 2] has 1 hidden layers, so expected R1 … R1',
      )
      expect(errorOf(file, [5, 4, 4, 2])).toContain(
        'tensor "R2": shape [3, 3] does not fit hidden layer 2 of width 4; expected [4, 4]',
      )
    })
  })
})

describe('rotated weights', () => {
  const sizes = [3, 4, 3, 2]
  const params = randomMlp(sizes, 'relu', 7)
  const rotations = [givensOrthogonal(4, 11), givensOrthogonal(3, 12)]

  it('uses a genuinely random orthogonal matrix in the test', () => {
    expect(orthogonalityError(rotations[0])).toBeLessThan(1e-12)
    // Far from diagonal: most of its mass is off the diagonal.
    let off = 0
    rotations[0].data.forEach((v, i) => (off += i % 5 === 0 ? 0 : v * v))
    expect(off).toBeGreaterThan(1)
  })

  it('computes W̃_k = W_k R_{k-1}ᵀ, R_k W_k R_{k-1}ᵀ and R_k b_k', () => {
    const rw = rotatedWeights(params, rotations)
    expect(rw.sizes).toEqual(sizes)
    const W = params.layers.map((l) => Float64Array.from(l.weight))
    // Layer 1 reads the unrotated input (R_0 = I).
    expectClose(rw.layers[0].weightRotatedIn, W[0], 0)
    expectClose(rw.layers[1].weightRotatedIn, naiveNT(W[1], 3, 4, rotations[0]), 1e-12)
    expectClose(rw.layers[2].weightRotatedIn, naiveNT(W[2], 2, 3, rotations[1]), 1e-12)
    // W_2 R_1ᵀ entry (0, 1) by hand: Σ_p W_2[0, p] R_1[1, p]
    let e01 = 0
    for (let p = 0; p < 4; p++) e01 += W[1][p] * rotations[0].data[1 * 4 + p]
    expect(rw.layers[1].weightRotatedIn[1]).toBeCloseTo(e01, 12)
    // Conjugated: R_2 (W_2 R_1ᵀ); the output layer has R_L = I.
    const wIn2 = rw.layers[1].weightRotatedIn
    const conj: number[] = []
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0
        for (let p = 0; p < 3; p++) s += rotations[1].data[i * 3 + p] * wIn2[p * 4 + j]
        conj.push(s)
      }
    }
    expectClose(rw.layers[1].weightConjugated, conj, 1e-12)
    expectClose(rw.layers[2].weightConjugated, rw.layers[2].weightRotatedIn, 0)
    expectClose(
      rw.layers[0].biasRotated,
      matVec(rotations[0].data, 4, 4, params.layers[0].bias),
      1e-12,
    )
    expect(rw.layers[2].rotationOut).toBeNull()
    expect(rw.layers[0].rotationOut).toBe(rotations[0])
  })

  it('the rotated network computes R_k a_k and the same logits', () => {
    const rw = rotatedWeights(params, rotations)
    const relu = (v: number[]) => v.map((x) => Math.max(0, x))
    const x = [0.3, -1.2, 0.8]
    let a = x
    let aRot = x
    for (let k = 0; k < 3; k++) {
      const l = params.layers[k]
      const z = matVec(l.weight, l.outDim, l.inDim, a).map((v, i) => v + l.bias[i])
      const zRot = matVec(rw.layers[k].weightRotatedIn, l.outDim, l.inDim, aRot).map(
        (v, i) => v + l.bias[i],
      )
      if (k < 2) {
        a = relu(z)
        aRot = matVec(rotations[k].data, l.outDim, l.outDim, relu(zRot))
        expectClose(aRot, matVec(rotations[k].data, l.outDim, l.outDim, a), 1e-9)
      } else {
        expectClose(zRot, z, 1e-9)
      }
    }
  })

  it('exports fc{k}.weight_rotated_in, fc{k}.bias and R{k} with the formula', () => {
    const file = fresh()
    exportRotatedWeightsSafetensors(params, rotations, file)
    const { tensors, metadata } = readSafetensors(file)
    expect([...tensors.keys()].sort()).toEqual([
      'R1',
      'R2',
      'fc1.bias',
      'fc1.weight_rotated_in',
      'fc2.bias',
      'fc2.weight_rotated_in',
      'fc3.bias',
      'fc3.weight_rotated_in',
    ])
    const rw = rotatedWeights(params, rotations)
    rw.layers.forEach((l, i) => {
      const t = tensors.get(`fc${i + 1}.weight_rotated_in`)!
      expect(t.shape).toEqual([l.outDim, l.inDim])
      expect(t.data).toEqual(Float32Array.from(l.weightRotatedIn))
      expect(tensors.get(`fc${i + 1}.bias`)!.data).toEqual(params.layers[i].bias)
    })
    expect(metadata.format).toBe('basiscope-rotated-weights')
    expect(metadata.activation).toBe('relu')
    expect(metadata.sizes).toBe('[3,4,3,2]')
    expect(metadata.formula).toContain(
      'ã_k = R_k σ(fc{k}.weight_rotated_in · ã_{k-1} + fc{k}.bias)',
    )
    // The rotations can be read back from the same file.
    const back = readRotationsSafetensors(file, sizes)
    back.forEach((r, i) => expectClose(r.data, rotations[i].data, 1e-7))
  })

  it('rejects rotations that do not fit the model', () => {
    const e = thrown(() => rotatedWeights(params, [rotations[0]]))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toContain('1 rotations for a model with 2 hidden layers')
    const e2 = thrown(() => rotatedWeights(params, [rotations[1], rotations[0]]))
    expect(e2.message).toContain('rotations[0]: is 3×3 but hidden layer 1 has width 4')
  })
})
