import type { Dim } from './onnx/onnx-proto.ts'
import type { Feed } from './onnx/runtime.ts'
import type { TensorOps } from './tensor-ops.ts'

export type { Feed } from './onnx/runtime.ts'

export interface InputSpec {
  /** Sizes, or names of sizes that vary between calls (batch and chunk lengths). */
  readonly shape: readonly Dim[]
  readonly type?: 'float32' | 'float64'
}

/**
 * A computation written once against TensorOps and run by whichever backend is active:
 * compiled to an ONNX graph (one cached session per key) or executed eagerly by
 * TensorFlow.js. `key` names the computation with every constant baked into it, so two
 * programs with equal keys build equal graphs.
 */
export interface Program<I extends string, O extends string> {
  readonly key: string
  readonly inputs: Readonly<Record<I, InputSpec>>
  readonly outputs: readonly O[]
  build<T>(ops: TensorOps<T>, inputs: Readonly<Record<I, T>>): Record<O, T>
}

/** Runs programs on one backend. Outputs are float32, row-major. */
export interface Executor {
  run<I extends string, O extends string>(
    program: Program<I, O>,
    feeds: Readonly<Record<I, Feed>>,
    into?: Readonly<Partial<Record<O, Feed>>>,
  ): Record<O, Float32Array>
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
