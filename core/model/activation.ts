import type { TensorOps } from '../backend/tensor-ops.ts'
import type { Activation } from '../api/config/sections.ts'

/** σ(z) for the supported activations. gelu is the exact (erf) form PyTorch uses by default. */
export function activate<T>(ops: TensorOps<T>, z: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return ops.relu(z)
    case 'tanh':
      return ops.tanh(z)
    case 'gelu':
      return ops.mul(ops.mul(z, 0.5), ops.add(ops.erf(ops.mul(z, Math.SQRT1_2)), 1))
  }
}

/** σ'(z), with relu'(0) = 0 as DESIGN.md §1 fixes. */
export function activationDerivative<T>(ops: TensorOps<T>, z: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return ops.greater(z, 0)
    case 'tanh': {
      const t = ops.tanh(z)
      return ops.sub(1, ops.mul(t, t))
    }
    case 'gelu': {
      // Φ(z) + z·φ(z)
      const cdf = ops.mul(ops.add(ops.erf(ops.mul(z, Math.SQRT1_2)), 1), 0.5)
      const pdf = ops.mul(ops.exp(ops.mul(ops.mul(z, z), -0.5)), 1 / Math.sqrt(2 * Math.PI))
      return ops.add(cdf, ops.mul(z, pdf))
    }
  }
}

/** Float64 references, for tests and the independent Jacobian implementation. */
export function activateScalar(z: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? z : 0
    case 'tanh':
      return Math.tanh(z)
    case 'gelu':
      return 0.5 * z * (1 + erf(z * Math.SQRT1_2))
  }
}

/** Abramowitz–Stegun 7.1.26 is only 1e-7; this uses the series/continued fraction to ~1e-15. */
export function erf(x: number): number {
  const ax = Math.abs(x)
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = ax
    let sum = ax
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n
      const add = term / (2 * n + 1)
      sum += add
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum
  }
  // erfc continued fraction (Lentz) for the tail
  let f = ax
  let c = ax
  let d = 0
  for (let n = 1; n < 200; n++) {
    const an = n / 2
    d = ax + an * d
    d = d === 0 ? 1e-300 : 1 / d
    c = ax + an / c
    const delta = c * d
    f *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f
  return Math.sign(x) * (1 - erfc)
}
