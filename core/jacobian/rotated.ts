import { tf } from '../backend/tf.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { LayerData } from './layer-data.ts'

/**
 * Bound on J entries materialised at once (DESIGN.md §2). 2M float32 = 8 MB: measured on
 * the wasm backend, chunks this size keep matmul speed while the copies between tfjs and
 * JS stay cheap (larger chunks spend more time allocating than computing).
 */
export const MAX_CHUNK_ENTRIES = 2 * 1024 * 1024

export function chunkSize(data: LayerData, maxEntries = MAX_CHUNK_ENTRIES): number {
  return Math.max(1, Math.floor(maxEntries / (data.outDim * data.inDim)))
}

/**
 * One layer in given bases, J(x) = R_out·D(x)·M with M = W·R_inᵀ, ready to produce
 * Jacobians and gradient contractions chunk by chunk. The big products are dense tfjs
 * matmuls over the stacked samples: stack(R_out·D_x) is an [n·d_out × d_out] matrix, so
 * a chunk's Jacobians are one [n·d_out × d_in] product instead of n small ones.
 * Transposes are formed once up front: the wasm backend's transposed matmuls are ~10×
 * slower than plain ones.
 */
export class RotatedLayer {
  readonly outDim: number
  readonly inDim: number
  private readonly rOut: Float32Array | null
  private readonly m: tf.Tensor2D
  private mT: tf.Tensor2D | null = null

  constructor(data: LayerData, rIn: Mat | null, rOut: Mat | null) {
    this.outDim = data.outDim
    this.inDim = data.inDim
    this.rOut = rOut ? Float32Array.from(rOut.data) : null
    this.m = tf.tidy(() => {
      const w = tf.tensor2d(data.weight, [data.outDim, data.inDim])
      if (!rIn) return w
      const rInT = tf.tensor2d(transposeF32(Float32Array.from(rIn.data), rIn.rows, rIn.cols), [
        rIn.cols,
        rIn.rows,
      ])
      return tf.matMul(w, rInT)
    })
  }

  /** M = W·R_inᵀ as a float32 array ([d_out × d_in] row-major). */
  weightInRotated(): Float32Array {
    // A copy: on the CPU backend dataSync can hand back the model's own weight array.
    return Float32Array.from(this.m.dataSync())
  }

  /**
   * Jacobians of `count` inputs with derivative rows `d` ([count × d_out]), back to back
   * as [count × d_out × d_in]. `d` null is D = I (the logit layer; count must be 1).
   */
  jacobians(d: Float32Array | null, count: number): Float32Array {
    const { outDim, inDim } = this
    if (!this.rOut) {
      // Neuron basis at the output: J(x) = diag(d_x)·M, a row scaling, no matmul.
      const m = this.m.dataSync() as Float32Array
      if (!d) return Float32Array.from(m)
      const j = new Float32Array(count * outDim * inDim)
      for (let x = 0; x < count; x++) {
        for (let i = 0; i < outDim; i++) {
          const s = d[x * outDim + i]
          if (s === 0) continue
          const base = (x * outDim + i) * inDim
          const row = i * inDim
          for (let c = 0; c < inDim; c++) j[base + c] = s * m[row + c]
        }
      }
      return j
    }
    const p = d ? scaledStack(this.rOut, d, count, outDim) : this.rOut
    const rows = d ? count * outDim : outDim
    return matmulToArray(p, rows, outDim, this.m)
  }

  /**
   * Adds Σ_x G_x·Mᵀ·D_x (the Euclidean gradient w.r.t. R_out, before averaging) into
   * `acc` ([d_out × d_out], float64). `g` holds ∂S/∂J for the chunk.
   */
  accumulateGradOut(
    g: Float32Array,
    d: Float32Array | null,
    count: number,
    acc: Float64Array,
  ): void {
    const { outDim, inDim } = this
    this.mT ??= tf.tidy(() => tf.transpose(this.m) as tf.Tensor2D)
    const rows = d ? count * outDim : outDim
    const h = matmulToArray(g, rows, inDim, this.mT)
    if (!d) {
      for (let e = 0; e < acc.length; e++) acc[e] += h[e]
      return
    }
    for (let x = 0; x < count; x++) {
      const dx = x * outDim
      for (let i = 0; i < outDim; i++) {
        const hb = (x * outDim + i) * outDim
        const ab = i * outDim
        for (let c = 0; c < outDim; c++) acc[ab + c] += h[hb + c] * d[dx + c]
      }
    }
  }

  /**
   * Adds Σ_x (R_out·D_x)ᵀ·G_x into `acc` ([d_out × d_in], float64). The gradient w.r.t.
   * R_in is then (acc)ᵀ·W / n: ∂/∂R_in ⟨G, R_out·D·W·R_inᵀ⟩ = Gᵀ·R_out·D·W.
   */
  accumulateGradInFactor(
    g: Float32Array,
    d: Float32Array | null,
    count: number,
    acc: Float64Array,
  ): void {
    const { outDim, inDim } = this
    const r = this.rOut ?? identityF32(outDim)
    // (R_out·D_x)ᵀ blocks side by side: [d_out × count·d_out], formed directly transposed.
    const rows = d ? count * outDim : outDim
    const pt = new Float32Array(outDim * rows)
    for (let x = 0; x < (d ? count : 1); x++) {
      for (let i = 0; i < outDim; i++) {
        for (let c = 0; c < outDim; c++) {
          // (R·D_x)ᵀ[c][i] = R[i][c]·d_x[c]
          pt[c * rows + x * outDim + i] = r[i * outDim + c] * (d ? d[x * outDim + c] : 1)
        }
      }
    }
    const gt = tf.tensor2d(g, [rows, inDim])
    const prod = matmulToArray(pt, outDim, rows, gt)
    gt.dispose()
    for (let e = 0; e < acc.length; e++) acc[e] += prod[e]
  }

  dispose(): void {
    this.m.dispose()
    this.mT?.dispose()
  }
}

/**
 * A·B for A given as a float32 array, read back as one. (Not inside tf.tidy: tidy walks
 * a returned typed array element by element looking for tensors.)
 */
function matmulToArray(a: Float32Array, rows: number, cols: number, b: tf.Tensor2D): Float32Array {
  const at = tf.tensor2d(a, [rows, cols])
  const out = tf.matMul(at, b)
  try {
    return out.dataSync() as Float32Array
  } finally {
    at.dispose()
    out.dispose()
  }
}

/** stack_x (R·diag(d_x)) as [count·n × n] row-major. */
function scaledStack(r: Float32Array, d: Float32Array, count: number, n: number): Float32Array {
  const p = new Float32Array(count * n * n)
  for (let x = 0; x < count; x++) {
    const dx = x * n
    for (let i = 0; i < n; i++) {
      const pb = (x * n + i) * n
      const rb = i * n
      for (let c = 0; c < n; c++) p[pb + c] = r[rb + c] * d[dx + c]
    }
  }
  return p
}

function transposeF32(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]
  return t
}

function identityF32(n: number): Float32Array {
  const r = new Float32Array(n * n)
  for (let i = 0; i < n; i++) r[i * n + i] = 1
  return r
}

/** Visits the data in chunks with each chunk's derivative rows (null for D = I). */
export function forEachChunk(
  data: LayerData,
  visit: (d: Float32Array | null, count: number, start: number) => void,
  maxEntries = MAX_CHUNK_ENTRIES,
): void {
  if (!data.derivatives) {
    visit(null, 1, 0)
    return
  }
  const size = chunkSize(data, maxEntries)
  for (let start = 0; start < data.n; start += size) {
    const count = Math.min(size, data.n - start)
    visit(
      data.derivatives.subarray(start * data.outDim, (start + count) * data.outDim),
      count,
      start,
    )
  }
}
