import type { Dim } from './onnx/onnx-proto.ts'
import type { Feed } from './onnx/runtime.ts'
import type { TensorOps } from './tensor-ops.ts'

export type { Feed } from './onnx/runtime.ts'

export interface InputSpec {
  /** Sizes, or names of sizes that vary between calls (batch and chunk lengths). */
  readonly shape: readonly Dim[]
}

/** The float type a program computes in, inputs and outputs alike. */
export type DType = 'float32' | 'float64'
export type ArrayOf<D extends DType> = D extends 'float64' ? Float64Array : Float32Array

/**
 * A computation written once against TensorOps and run by whichever backend is active:
 * compiled to an ONNX graph (one cached session per key) or executed eagerly by
 * TensorFlow.js. `key` names the computation with every constant baked into it, so two
 * programs with equal keys build equal graphs.
 */
export interface Program<
  I extends string,
  O extends string,
  D extends DType = 'float32',
  U extends O = never,
> {
  readonly key: string
  /**
   * float32 unless asked (the rotation side's small matrices stay float64 so rotations stay
   * orthogonal to ~1e-13). The TensorFlow.js backends compute in float32 whatever is asked.
   */
  readonly dtype?: D
  readonly inputs: Readonly<Record<I, InputSpec>>
  readonly outputs: readonly O[]
  /**
   * Outputs returned as bytes (integers 0–255, such as histogram buckets): a quarter of
   * the memory traffic of float32 for outputs as large as a chunk's Jacobians.
   */
  readonly bytes?: readonly U[]
  build<T>(ops: TensorOps<T>, inputs: Readonly<Record<I, T>>): Record<O, T>
}

/** What a program returns: row-major arrays in its float type, bytes where it asked. */
export type Outputs<O extends string, D extends DType, U extends O> = {
  [K in O]: K extends U ? Uint8Array : ArrayOf<D>
}

/** Runs programs on one backend. */
export interface Executor {
  run<I extends string, O extends string, D extends DType = 'float32', U extends O = never>(
    program: Program<I, O, D, U>,
    feeds: Readonly<Record<I, Feed>>,
    into?: Readonly<Partial<Record<O, Feed>>>,
  ): Outputs<O, D, U>
  /** Frees cached compiled programs. */
  dispose(): void
}

/** The shape of a feed for `spec`, with each named size read off the data's length. */
export function feedOf(data: Float32Array | Float64Array, spec: InputSpec): Feed {
  const fixed = spec.shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1)
  const named = spec.shape.filter((d) => typeof d === 'string').length
  if (named > 1) throw new Error('feedOf: give the shape of feeds with more than one named size')
  const free = fixed === 0 ? 0 : data.length / fixed
  if (!Number.isInteger(free) || (named === 0 && data.length !== fixed)) {
    throw new Error(`feedOf: ${data.length} values do not fit shape [${spec.shape.join(', ')}]`)
  }
  return { data, shape: spec.shape.map((d) => (typeof d === 'number' ? d : free)) }
}
