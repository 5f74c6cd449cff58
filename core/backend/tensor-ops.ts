/**
 * The tensor vocabulary programs are written in (program.ts): one definition of a
 * computation — the forward pass, a training step, a fused Jacobian objective — runs on
 * every backend. ONNX Runtime implements it by building a graph (onnx/graph-builder.ts),
 * TensorFlow.js by executing eagerly (tfjs-ops.ts). Shapes broadcast as in NumPy on both.
 * `T` is the backend's tensor handle; plain numbers are scalar constants.
 */
export interface TensorOps<T> {
  scalar(value: number): T
  /** A constant tensor (row-major values). */
  constant(values: ArrayLike<number>, shape: readonly number[]): T

  /** a·b over the last two axes; 2-D operands may be transposed in place. */
  matmul(a: T, b: T, options?: { readonly transA?: boolean; readonly transB?: boolean }): T
  add(a: T, b: T | number): T
  sub(a: T | number, b: T | number): T
  mul(a: T, b: T | number): T
  div(a: T | number, b: T | number): T
  maximum(a: T, b: T | number): T
  minimum(a: T, b: T | number): T
  /** a limited to [lo, hi]. */
  clip(a: T, lo: number, hi: number): T
  pow(a: T, exponent: number): T

  neg(a: T): T
  abs(a: T): T
  sign(a: T): T
  sqrt(a: T): T
  exp(a: T): T
  log(a: T): T
  tanh(a: T): T
  relu(a: T): T
  erf(a: T): T
  floor(a: T): T

  /** 1 where a > b, else 0 (float). */
  greater(a: T, b: T | number): T
  /** 1 where a < b, else 0 (float). */
  less(a: T, b: T | number): T
  /** 1 where a = b, else 0 (float). */
  equal(a: T, b: T | number): T

  reduceSum(a: T, axes: readonly number[], keepDims?: boolean): T
  reduceMax(a: T, axes: readonly number[], keepDims?: boolean): T
  /** Σ a² over the axes, without forming a². */
  reduceSumSquare(a: T, axes: readonly number[], keepDims?: boolean): T
  /** Index of the largest entry along an axis, as a float. */
  argMax(a: T, axis: number): T
  logSoftmax(a: T): T

  /** New shape with one dimension of -1 at most. */
  reshape(a: T, shape: readonly number[]): T
  transpose(a: T, perm: readonly number[]): T
  expandDims(a: T, axis: number): T
}
