import type { Feed, InputSpec } from '../backend/program.ts'
import type { TensorOps } from '../backend/tensor-ops.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { LayerData } from './layer-data.ts'

/**
 * The batched rotated Jacobians as a program fragment (DESIGN.md §2): for a chunk of c
 * inputs, J(x) = R_out·D(x)·M with M = W·R_inᵀ, all c of them one dense product
 * stack_x(R_out·D_x) · M — an [c·d_out × d_out] by [d_out × d_in] matmul. The native
 * kernels (objective, metrics) build on it and reduce J inside the same graph, so the
 * Jacobians never leave the runtime.
 */
export interface LayerShape {
  readonly outDim: number
  readonly inDim: number
  /** A basis on the input side (R_in; else the identity). */
  readonly rIn: boolean
  /** A basis on the output side (R_out; else the identity). */
  readonly rOut: boolean
  /** D(x) varies with the input (hidden layers); the logit layer has D = I, one J for all. */
  readonly perInput: boolean
}

export type LayerInput = 'w' | 'rin' | 'rout' | 'd'

export function layerShape(data: LayerData, rIn: Mat | null, rOut: Mat | null): LayerShape {
  return {
    outDim: data.outDim,
    inDim: data.inDim,
    rIn: rIn !== null,
    rOut: rOut !== null,
    perInput: data.derivatives !== null,
  }
}

export function shapeKey(s: LayerShape): string {
  return `${s.outDim}x${s.inDim}:${Number(s.rIn)}${Number(s.rOut)}${Number(s.perInput)}`
}

/** The program inputs a layer shape needs; `c` is the chunk's number of inputs. */
export function layerInputs(s: LayerShape): Partial<Record<LayerInput, InputSpec>> {
  return {
    w: { shape: [s.outDim, s.inDim] },
    ...(s.rIn ? { rin: { shape: [s.inDim, s.inDim] } } : {}),
    ...(s.rOut ? { rout: { shape: [s.outDim, s.outDim] } } : {}),
    ...(s.perInput ? { d: { shape: ['c', s.outDim] } } : {}),
  }
}

export interface LayerJacobians<T> {
  /** The chunk's Jacobians, one row of d_out·d_in entries per input: [c × size]. */
  readonly j: T
  /** M = W·R_inᵀ, [d_out × d_in]. */
  readonly m: T
  /** stack_x(R_out·D_x), [c·d_out × d_out], when R_out and D(x) are both there. */
  readonly p: T | null
}

export function buildJacobians<T>(
  ops: TensorOps<T>,
  s: Readonly<Partial<Record<LayerInput, T>>>,
  shape: LayerShape,
): LayerJacobians<T> {
  const { outDim, inDim } = shape
  const m = shape.rIn ? ops.matmul(s.w!, s.rin!, { transB: true }) : s.w!
  let j: T
  let p: T | null = null
  if (shape.perInput && shape.rOut) {
    // R·diag(d_x) scales the columns of R: [1, d_out, d_out] × [c, 1, d_out].
    const scaled = ops.mul(ops.expandDims(s.rout!, 0), ops.expandDims(s.d!, 1))
    p = ops.reshape(scaled, [-1, outDim])
    j = ops.matmul(p, m)
  } else if (shape.perInput) {
    // Neuron basis at the output: diag(d_x)·M scales rows, no matmul.
    j = ops.mul(ops.expandDims(s.d!, 2), ops.expandDims(m, 0))
  } else {
    j = shape.rOut ? ops.matmul(s.rout!, m) : m
  }
  return { j: ops.reshape(j, [-1, outDim * inDim]), m, p }
}

/** The fixed feeds of a layer (weights and bases), shared by every chunk. */
export function layerFeeds(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
): Partial<Record<LayerInput, Feed>> {
  const f32 = (m: Mat): Feed => ({ data: Float32Array.from(m.data), shape: [m.rows, m.cols] })
  return {
    w: { data: data.weight, shape: [data.outDim, data.inDim] },
    ...(rIn ? { rin: f32(rIn) } : {}),
    ...(rOut ? { rout: f32(rOut) } : {}),
  }
}

/**
 * Entries of J per native call. Large enough that a call's overhead (~30 µs) vanishes and
 * its matmuls run at full speed, small enough that a chunk's intermediates stay in cache
 * (measured on layer 1 of the MNIST MLP: 8 inputs per call ran at 132 GFLOP/s, 64 at 128).
 */
export const NATIVE_CHUNK_ENTRIES = 1 << 20

/**
 * Visits the inputs in chunks with their derivative feed (absent for the logit layer,
 * which is one chunk of one Jacobian standing for all inputs).
 */
export function forEachLayerChunk(
  data: LayerData,
  visit: (d: Feed | null, count: number, start: number) => void,
  maxEntries = NATIVE_CHUNK_ENTRIES,
): void {
  if (!data.derivatives) {
    visit(null, 1, 0)
    return
  }
  const size = Math.max(1, Math.floor(maxEntries / (data.outDim * data.inDim)))
  for (let start = 0; start < data.n; start += size) {
    const count = Math.min(size, data.n - start)
    const rows = data.derivatives.subarray(start * data.outDim, (start + count) * data.outDim)
    visit({ data: rows, shape: [count, data.outDim] }, count, start)
  }
}
