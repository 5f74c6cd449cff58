import { executor } from '../../core/backend/compute.ts'
import type { Program } from '../../core/backend/program.ts'
import type { TensorOps } from '../../core/backend/tensor-ops.ts'

let counter = 0

/** Runs f on a vector through the active backend's executor (a one-off program). */
export function runUnary(
  f: <T>(ops: TensorOps<T>, x: T) => T,
  values: ArrayLike<number>,
): Float32Array {
  const program: Program<'x', 'y'> = {
    key: `test-unary-${counter++}`,
    inputs: { x: { shape: ['n'] } },
    outputs: ['y'],
    build: (ops, s) => ({ y: f(ops, s.x) }),
  }
  const x = Float32Array.from(values)
  return executor().run(program, { x: { data: x, shape: [x.length] } }).y
}
