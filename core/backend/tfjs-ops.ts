import { tf } from './tf.ts'
import type { TensorOps } from './tensor-ops.ts'

const f = (v: tf.Tensor | number): tf.Tensor | number => v

/** TensorOps executed eagerly by TensorFlow.js (call inside tf.tidy). */
export const tfjsOps: TensorOps<tf.Tensor> = {
  scalar: (v) => tf.scalar(v),
  constant: (values, shape) => tf.tensor(Float32Array.from(values), [...shape]),
  matmul: (a, b, o = {}) => tf.matMul(a, b, o.transA ?? false, o.transB ?? false),
  add: (a, b) => tf.add(a, f(b)),
  sub: (a, b) => tf.sub(f(a), f(b)),
  mul: (a, b) => tf.mul(a, f(b)),
  div: (a, b) => tf.div(f(a), f(b)),
  maximum: (a, b) => tf.maximum(a, f(b)),
  minimum: (a, b) => tf.minimum(a, f(b)),
  clip: (a, lo, hi) => tf.clipByValue(a, lo, hi),
  pow: (a, e) => tf.pow(a, e),
  neg: (a) => tf.neg(a),
  abs: (a) => tf.abs(a),
  sign: (a) => tf.sign(a),
  sqrt: (a) => tf.sqrt(a),
  exp: (a) => tf.exp(a),
  log: (a) => tf.log(a),
  tanh: (a) => tf.tanh(a),
  relu: (a) => tf.relu(a),
  erf: (a) => tf.erf(a),
  floor: (a) => tf.floor(a),
  greater: (a, b) => tf.cast(tf.greater(a, f(b)), 'float32'),
  less: (a, b) => tf.cast(tf.less(a, f(b)), 'float32'),
  equal: (a, b) => tf.cast(tf.equal(a, f(b)), 'float32'),
  reduceSum: (a, axes, keep = false) => tf.sum(a, [...axes], keep),
  reduceMax: (a, axes, keep = false) => tf.max(a, [...axes], keep),
  reduceSumSquare: (a, axes, keep = false) => tf.sum(tf.square(a), [...axes], keep),
  argMax: (a, axis) => tf.cast(tf.argMax(a, axis), 'float32'),
  logSoftmax: (a) => tf.logSoftmax(a),
  reshape: (a, shape) => tf.reshape(a, [...shape]),
  transpose: (a, perm) => tf.transpose(a, [...perm]),
  expandDims: (a, axis) => tf.expandDims(a, axis),
}
