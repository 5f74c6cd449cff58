import { type Measure, measureMix } from './measure.ts'

/**
 * Below this ‖J‖₂² a Jacobian counts as all zero in the tensor form (which cannot branch):
 * far under any entry a float32 Jacobian of a trained network has.
 */
const ZERO_SQ = 1e-30

/** hoyer: ‖J‖₁/‖J‖₂ per sample, scale free, between 1 (one entry) and √n (flat). */
export function hoyerMeasure(): Measure {
  return {
    spec: { name: 'hoyer' },
    mix: measureMix({ name: 'hoyer' }),
    square: null,
    evaluate(j, n, size, perSample, grad) {
      for (let x = 0; x < n; x++) {
        const base = x * size
        let l1 = 0
        let sq = 0
        for (let e = base; e < base + size; e++) {
          l1 += Math.abs(j[e])
          sq += j[e] * j[e]
        }
        // An all-zero Jacobian (every unit dead at this input) contributes 0 and no gradient.
        if (sq === 0) {
          if (grad) grad.fill(0, base, base + size)
          continue
        }
        const l2 = Math.sqrt(sq)
        perSample[x] += l1 / l2
        if (grad) {
          // ∂/∂J (‖J‖₁/‖J‖₂) = sign(J)/‖J‖₂ − ‖J‖₁·J/‖J‖₂³
          const a = 1 / l2
          const b = l1 / (l2 * sq)
          for (let e = base; e < base + size; e++) grad[e] = Math.sign(j[e]) * a - j[e] * b
        }
      }
    },
    tensor(ops, j, grad) {
      const l1 = ops.reduceSum(ops.abs(j), [1], true)
      // An all-zero J has l1 = 0 and sign = 0: with sq floored it gives 0 and no gradient.
      const sq = ops.maximum(ops.reduceSum(ops.mul(j, j), [1], true), ZERO_SQ)
      const l2 = ops.sqrt(sq)
      const value = ops.div(l1, l2)
      return {
        perSample: ops.reshape(value, [-1]),
        grad: grad ? ops.sub(ops.div(ops.sign(j), l2), ops.mul(j, ops.div(value, sq))) : null,
      }
    },
  }
}
