/**
 * Exports for oblique runs (config `rotation.transform: "oblique"`): the learned invertible
 * transforms with their inverses, and the weights as they read transformed activations.
 * Nothing here is called a rotation or checked for orthogonality — T is not orthogonal;
 * what is checked is that T and T⁻¹ invert each other.
 *
 * Conventions (DESIGN.md §1 with R_k → T_k): ã_k = T_k·a_k and a_k = T_k⁻¹·ã_k for the
 * hidden spaces k = 1..L-1 (T_0 = T_L = I); the columns of T_k⁻¹ are the learned basis
 * directions in neuron coordinates, each of unit length. `transforms[k-1]` is T_k.
 */
import { BasiscopeError } from '../../errors.ts'
import { type Mat, matmul } from '../../linalg/matrix.ts'
import type { Transform } from '../forward.ts'
import type { MlpParams } from '../mlp.ts'
import type { TensorToWrite } from './safetensors.ts'
import { writeSafetensors } from './safetensors.ts'

/**
 * max |T·T⁻¹ − I| accepted. Generous enough for F32 copies of transforms with condition
 * numbers up to ~1e4 (the default bound), tight enough to catch a wrong or missing inverse.
 */
export const INVERSE_TOLERANCE = 1e-2

const TRANSFORMS_FORMAT = 'basiscope-oblique-transforms'
const TRANSFORMED_WEIGHTS_FORMAT = 'basiscope-transformed-weights'
const CONVENTION =
  'T{k} transforms hidden activation space k (k = 1..L-1): ã_k = T_k a_k, a_k = Tinv_k ã_k; ' +
  'T_k is invertible, not orthogonal; the columns of Tinv_k are the unit-length basis directions; ' +
  'F32 row-major d_k×d_k'

/**
 * Writes `T1`, `Tinv1`, … `T{m}`, `Tinv{m}` (F32 d×d row-major; `transforms[k-1]` → k) with
 * metadata {format: 'basiscope-oblique-transforms', convention, dims} on top of `metadata`.
 * Each pair must be square, finite and mutually inverse (INVALID_ARGUMENT otherwise).
 */
export function exportObliqueTransformsSafetensors(
  transforms: readonly Transform[],
  file: string,
  metadata?: Record<string, string>,
): void {
  transforms.forEach((t, i) => checkTransform(t, `transforms[${i}]`))
  writeSafetensors(
    file,
    transforms.flatMap((t, i) => transformTensors(t, i + 1)),
    {
      ...metadata,
      format: TRANSFORMS_FORMAT,
      convention: CONVENTION,
      dims: JSON.stringify(transforms.map((t) => t.forward.rows)),
    },
  )
}

/**
 * Writes, for k = 1..L: `fc{k}.weight_transformed_in` = W_k·T_{k-1}⁻¹ (F32 [out, in]) and
 * `fc{k}.bias` = b_k; and `T{k}`, `Tinv{k}` for k = 1..L-1. The transformed network is
 * ã_k = T_k σ(fc{k}.weight_transformed_in · ã_{k-1} + fc{k}.bias), ã_0 = x, and
 * logits = fc{L}.weight_transformed_in · ã_{L-1} + fc{L}.bias.
 */
export function exportTransformedWeightsSafetensors(
  params: MlpParams,
  transforms: readonly Transform[],
  file: string,
  metadata?: Record<string, string>,
): void {
  const L = params.layers.length
  if (transforms.length !== L - 1) {
    throw invalid(
      'transforms',
      `${transforms.length} transforms for a model with ${L - 1} hidden layers; expected ${L - 1}`,
    )
  }
  transforms.forEach((t, i) => {
    checkTransform(t, `transforms[${i}]`)
    if (t.forward.rows !== params.sizes[i + 1]) {
      throw invalid(
        `transforms[${i}]`,
        `is ${t.forward.rows}×${t.forward.cols} but hidden layer ${i + 1} has width ${params.sizes[i + 1]}`,
      )
    }
  })
  const tensors: TensorToWrite[] = []
  params.layers.forEach((l, i) => {
    const k = i + 1
    const w: Mat = { rows: l.outDim, cols: l.inDim, data: Float64Array.from(l.weight) }
    const wIn = k > 1 ? matmul(w, transforms[k - 2].inverse) : w
    tensors.push({
      name: `fc${k}.weight_transformed_in`,
      dtype: 'F32',
      shape: [l.outDim, l.inDim],
      data: Float32Array.from(wIn.data),
    })
    tensors.push({ name: `fc${k}.bias`, dtype: 'F32', shape: [l.outDim], data: l.bias })
  })
  transforms.forEach((t, i) => tensors.push(...transformTensors(t, i + 1)))
  writeSafetensors(file, tensors, {
    ...metadata,
    format: TRANSFORMED_WEIGHTS_FORMAT,
    activation: params.activation,
    sizes: JSON.stringify(params.sizes),
    formula:
      `ã_k = T_k σ(fc{k}.weight_transformed_in · ã_{k-1} + fc{k}.bias) for k = 1..${L - 1}, ã_0 = x; ` +
      `logits = fc${L}.weight_transformed_in · ã_${L - 1} + fc${L}.bias; ` +
      'fc{k}.weight_transformed_in = W_k Tinv_{k-1} with Tinv_0 = I; the original activations are a_k = Tinv_k ã_k',
  })
}

function transformTensors(t: Transform, k: number): TensorToWrite[] {
  const f32 = (m: Mat) => Float32Array.from(m.data)
  const shape = [t.forward.rows, t.forward.cols]
  return [
    { name: `T${k}`, dtype: 'F32', shape, data: f32(t.forward) },
    { name: `Tinv${k}`, dtype: 'F32', shape, data: f32(t.inverse) },
  ]
}

function invalid(where: string, problem: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', `${where}: ${problem}`, where)
}

function checkTransform(t: Transform, where: string): void {
  for (const [part, m] of [
    ['forward', t.forward],
    ['inverse', t.inverse],
  ] as const) {
    if (m.rows !== m.cols || m.rows === 0 || m.data.length !== m.rows * m.cols) {
      throw invalid(`${where}.${part}`, `is ${m.rows}×${m.cols}; expected a square matrix`)
    }
    const i = m.data.findIndex((v) => !Number.isFinite(v))
    if (i >= 0) throw invalid(`${where}.${part}`, `value at flat index ${i} is ${m.data[i]}`)
  }
  if (t.inverse.rows !== t.forward.rows) {
    throw invalid(
      where,
      `T is ${t.forward.rows}×${t.forward.rows} but T⁻¹ is ${t.inverse.rows}×${t.inverse.rows}`,
    )
  }
  const p = matmul(t.forward, t.inverse)
  let err = 0
  for (let r = 0; r < p.rows; r++)
    for (let c = 0; c < p.cols; c++)
      err = Math.max(err, Math.abs(p.data[r * p.cols + c] - (r === c ? 1 : 0)))
  if (!(err <= INVERSE_TOLERANCE)) {
    throw invalid(
      where,
      `T and T⁻¹ do not invert each other: max |T·T⁻¹ − I| = ${err.toPrecision(3)}`,
    )
  }
}
