import { executor, isNative } from '../backend/compute.ts'
import type { Program } from '../backend/program.ts'

/**
 * Products of the rotation side's float64 matrices on the native backend: a 128×128
 * product takes ~4 ms in JavaScript and ~0.1 ms as a native float64 GEMM, and optimizers
 * do several per step. Below this many multiply-adds a JS loop beats the call overhead.
 */
const NATIVE_MIN_MADDS = 48 ** 3

function productProgram(
  shapes: readonly [number, number, number, number],
  transA: boolean,
  transB: boolean,
): Program<'a' | 'b', 'c', 'float64'> {
  const [ar, ac, br, bc] = shapes
  return {
    key: `gemm64:${ar}x${ac}:${br}x${bc}:${Number(transA)}${Number(transB)}`,
    dtype: 'float64',
    inputs: { a: { shape: [ar, ac] }, b: { shape: [br, bc] } },
    outputs: ['c'],
    build: (ops, s) => ({ c: ops.matmul(s.a, s.b, { transA, transB }) }),
  }
}

/**
 * op(A)·op(B) natively when it pays, else null (the caller's loop computes it). `a` and
 * `b` are row-major with the given shapes.
 */
export function nativeProduct(
  a: Float64Array,
  aShape: readonly [number, number],
  b: Float64Array,
  bShape: readonly [number, number],
  transA: boolean,
  transB: boolean,
): Float64Array | null {
  const inner = transA ? aShape[0] : aShape[1]
  const rows = transA ? aShape[1] : aShape[0]
  const cols = transB ? bShape[0] : bShape[1]
  if (!isNative() || rows * inner * cols < NATIVE_MIN_MADDS) return null
  const program = productProgram([...aShape, ...bShape], transA, transB)
  return executor().run(program, { a: { data: a, shape: aShape }, b: { data: b, shape: bShape } }).c
}
