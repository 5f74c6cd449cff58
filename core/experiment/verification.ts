import type { ObliqueSummary, RunSummary } from '../api/summary.ts'
import { type Mat, orthogonalityError } from '../linalg/matrix.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import type { MlpParams } from '../model/mlp.ts'
import { columnNormError, conditionNumber, inverseError } from '../rotation/oblique/manifold.ts'
import type { BasisChange, Transform } from '../rotation/transform.ts'
import type { RunInputs } from './inputs.ts'

/**
 * The run's proof that the function is unchanged: the network with every learned change of
 * basis inserted (T_k⁻¹·T_k, rotations Rᵀ·R), run as such on the held-out inputs, against
 * the original network's logits.
 */
export function functionPreservation(
  params: MlpParams,
  changes: readonly (Transform | null)[],
  inputs: RunInputs,
  originalLogits: Float32Array,
): RunSummary['functionPreservation'] {
  return functionCheck(params, changes, inputs.heldX, inputs.heldY, originalLogits)
}

/** The same check on any inputs `x` (their labels `y`; `original`: the network's own logits). */
export function functionCheck(
  params: MlpParams,
  changes: readonly (Transform | null)[],
  x: Float32Array,
  y: Uint8Array,
  originalLogits: Float32Array,
): RunSummary['functionPreservation'] {
  const n = y.length
  const classes = params.sizes[params.sizes.length - 1]
  const original = originalLogits.subarray(0, n * classes)
  const changed = predictLogits(params, x, n, changes)
  let maxAbsLogitDiff = 0
  for (let i = 0; i < original.length; i++) {
    maxAbsLogitDiff = Math.max(maxAbsLogitDiff, Math.abs(original[i] - changed[i]))
  }
  return {
    maxAbsLogitDiff,
    accuracyBefore: accuracy(original, y, classes),
    accuracyAfter: accuracy(changed, y, classes),
    samples: n,
  }
}

/**
 * Rotations: max |RᵀR − I|, the numerical error. Oblique: max |MᵀM − I| of the direction
 * matrices M = T⁻¹ (unit columns), the largest |cos| between two learned directions — how
 * oblique the basis is, by design, not an error; their checks are `obliqueChecks`.
 */
export function orthogonality(changes: readonly (BasisChange | null)[]): number {
  return Math.max(
    0,
    ...changes.map((c) =>
      c ? orthogonalityError(c.kind === 'oblique' ? c.inverse : c.forward) : 0,
    ),
  )
}

/**
 * What an oblique run checks about its transforms, per space and at worst: κ₂(T), how far
 * the basis directions (columns of T⁻¹) are from unit length, and max |T·T⁻¹ − I| of the
 * F32 copies that are stored and exported.
 */
export function obliqueChecks(
  changes: readonly (BasisChange | null)[],
  maxCondition: number,
): ObliqueSummary {
  const f32 = (m: Mat): Mat => ({ ...m, data: Float64Array.from(Float32Array.from(m.data)) })
  const spaces = changes.flatMap((t, space) =>
    t
      ? [
          {
            space,
            condition: conditionNumber(t.forward),
            columnNormError: columnNormError(t.inverse),
            inverseError: inverseError(f32(t.forward), f32(t.inverse)),
          },
        ]
      : [],
  )
  const worst = (key: 'condition' | 'columnNormError' | 'inverseError'): number =>
    Math.max(0, ...spaces.map((s) => s[key]))
  return {
    maxCondition,
    condition: worst('condition'),
    columnNormError: worst('columnNormError'),
    inverseError: worst('inverseError'),
    spaces,
  }
}
