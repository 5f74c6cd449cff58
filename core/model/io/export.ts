/**
 * Exports to safetensors: the model itself, the learned rotations, and the weights as they
 * read rotated activations.
 *
 * Conventions (DESIGN.md §1): layer k (1-based) maps a_{k-1} ∈ R^{d_{k-1}} to a_k ∈ R^{d_k};
 * rotations act on the hidden activation spaces, ã_k = R_k a_k for k = 1..L-1, with R_0 = I
 * (the input is not rotated) and R_L = I (the logits are not rotated). `rotations[k-1]` is R_k.
 */
import { BasiscopeError, fileError } from '../../errors.ts'
import type { Mat } from '../../linalg/matrix.ts'
import { matmul, matmulNT, orthogonalityError } from '../../linalg/matrix.ts'
import type { Activation, MlpParams } from '../mlp.ts'
import type { TensorToWrite } from './safetensors.ts'
import { formatShape } from '../../data/checks.ts'
import { readSafetensors, writeSafetensors } from './safetensors.ts'

/**
 * max |RᵀR − I| allowed for a rotation. Generous enough for float32 storage of large
 * rotations, tight enough to catch anything that is not a rotation.
 */
export const ORTHOGONALITY_TOLERANCE = 1e-3

const ROTATED_WEIGHTS_FORMAT = 'basiscope-rotated-weights'

// ---------------------------------------------------------------- the model

/**
 * Writes `fc1.weight`, `fc1.bias`, …, `fc{L}.weight`, `fc{L}.bias` (F32, weight [out, in]) with
 * metadata {format: 'basiscope-mlp', activation, sizes: JSON array} on top of `metadata`.
 * importSafetensorsModel reads it back unchanged.
 */
export function exportModelSafetensors(
  params: MlpParams,
  file: string,
  metadata?: Record<string, string>,
): void {
  checkParams(params)
  const tensors: TensorToWrite[] = []
  params.layers.forEach((l, i) => {
    tensors.push({
      name: `fc${i + 1}.weight`,
      dtype: 'F32',
      shape: [l.outDim, l.inDim],
      data: l.weight,
    })
    tensors.push({ name: `fc${i + 1}.bias`, dtype: 'F32', shape: [l.outDim], data: l.bias })
  })
  writeSafetensors(file, tensors, {
    ...metadata,
    format: 'basiscope-mlp',
    activation: params.activation,
    sizes: JSON.stringify(params.sizes),
  })
}

// ---------------------------------------------------------------- rotations

const ROTATION_CONVENTION =
  'R{k} rotates hidden activation space k (k = 1..L-1): ã_k = R_k a_k; F32 row-major d_k×d_k'

/**
 * Writes `R1` … `R{m}` (F32 d×d, row-major; `rotations[k-1]` → `R{k}`) with metadata
 * {format: 'basiscope-rotations', convention, dims: JSON array} on top of `metadata`.
 * Every rotation must be square, finite and orthogonal (INVALID_ARGUMENT otherwise).
 */
export function exportRotationsSafetensors(
  rotations: readonly Mat[],
  file: string,
  metadata?: Record<string, string>,
): void {
  rotations.forEach((r, i) => checkRotationArgument(r, `rotations[${i}]`))
  writeSafetensors(
    file,
    rotations.map((r, i) => rotationTensor(r, i + 1)),
    {
      ...metadata,
      format: 'basiscope-rotations',
      convention: ROTATION_CONVENTION,
      dims: JSON.stringify(rotations.map((r) => r.rows)),
    },
  )
}

/**
 * Reads rotations written by exportRotationsSafetensors (or the R{k} of a rotated-weights
 * file): tensors R1 … R{m}, contiguous, each square, finite and orthogonal, as float64 Mats
 * with `result[k-1]` = R_k. F32, F64, F16 and BF16 are accepted. If `sizes` (d_0 … d_L) is
 * given, there must be exactly L-1 rotations and R_k must be sizes[k]×sizes[k].
 */
export function readRotationsSafetensors(file: string, sizes?: readonly number[]): Mat[] {
  const { tensors, metadata } = readSafetensors(file)
  const skipLayers = metadata.format === ROTATED_WEIGHTS_FORMAT
  const found = new Map<number, string>()
  for (const name of tensors.keys()) {
    const m = /^R([1-9]\d*)$/.exec(name)
    if (m) {
      found.set(Number(m[1]), name)
      continue
    }
    if (skipLayers && /^fc\d+\.(weight_rotated_in|bias)$/.test(name)) continue
    throw fileError(file, `tensor "${name}" is not a rotation; expected tensors R1 … R{m}`)
  }
  const m = found.size
  for (let k = 1; k <= m; k++) {
    if (!found.has(k)) {
      const have = [...found.keys()].sort((a, b) => a - b).map((j) => `R${j}`)
      throw fileError(
        file,
        `rotation R${k} is missing (found ${have.join(', ')}); expected R1 … R${m}`,
      )
    }
  }
  if (sizes !== undefined && m !== sizes.length - 2) {
    throw fileError(
      file,
      `holds ${m} rotation${m === 1 ? '' : 's'} but a model with sizes ${formatShape(sizes)} has ${sizes.length - 2} hidden layers, so expected R1 … R${sizes.length - 2}`,
    )
  }
  const out: Mat[] = []
  for (let k = 1; k <= m; k++) {
    const name = `R${k}`
    const t = tensors.get(name)!
    if (t.dtype !== 'F32' && t.dtype !== 'F64' && t.dtype !== 'F16' && t.dtype !== 'BF16') {
      throw fileError(
        file,
        `tensor "${name}": dtype ${t.dtype} is not floating point; expected F32`,
      )
    }
    if (t.shape.length !== 2 || t.shape[0] !== t.shape[1] || t.shape[0] === 0) {
      throw fileError(
        file,
        `tensor "${name}": shape ${formatShape(t.shape)} is not a square matrix`,
      )
    }
    const d = t.shape[0]
    if (sizes !== undefined && d !== sizes[k]) {
      throw fileError(
        file,
        `tensor "${name}": shape [${d}, ${d}] does not fit hidden layer ${k} of width ${sizes[k]}; expected [${sizes[k]}, ${sizes[k]}]`,
      )
    }
    const data = Float64Array.from(t.data as Float32Array | Float64Array)
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw fileError(
          file,
          `tensor "${name}": value at flat index ${i} (row ${Math.floor(i / d)}, column ${i % d}) is ${data[i]}`,
        )
      }
    }
    const r: Mat = { rows: d, cols: d, data }
    const err = orthogonalityError(r)
    if (!(err <= ORTHOGONALITY_TOLERANCE)) {
      throw fileError(
        file,
        `tensor "${name}" is not orthogonal: max |RᵀR − I| = ${err.toPrecision(3)} (tolerance ${ORTHOGONALITY_TOLERANCE})`,
      )
    }
    out.push(r)
  }
  return out
}

// ---------------------------------------------------------------- rotated weights

export interface RotatedLayer {
  readonly inDim: number
  readonly outDim: number
  /**
   * W_k R_{k-1}ᵀ, [out, in] row-major: the weight that reads the rotated input ã_{k-1}.
   * This is what a rotated network uses: ã_k = R_k σ(W_k R_{k-1}ᵀ ã_{k-1} + b_k).
   */
  readonly weightRotatedIn: Float64Array
  /**
   * W̃_k = R_k W_k R_{k-1}ᵀ, [out, in]: the linear part of the layer with both sides in
   * rotated coordinates (it maps ã_{k-1} to R_k z_k). Because σ acts elementwise in the
   * original basis, W̃_k is not a layer of an equivalent network except for k = L, where
   * R_L = I and it equals weightRotatedIn.
   */
  readonly weightConjugated: Float64Array
  /** b_k, unchanged: the bias is added before σ, in the original basis. */
  readonly bias: Float64Array
  /** b̃_k = R_k b_k, the bias of R_k z_k (the companion of weightConjugated). */
  readonly biasRotated: Float64Array
  /** R_k for k < L; null for the output layer (R_L = I). */
  readonly rotationOut: Mat | null
}

export interface RotatedWeights {
  readonly sizes: readonly number[]
  readonly activation: Activation
  readonly layers: readonly RotatedLayer[]
}

/**
 * The model seen through rotations (`rotations[k-1]` = R_k, k = 1..L-1; R_0 = R_L = I),
 * computed in float64. See RotatedLayer for which quantity is which.
 */
export function rotatedWeights(params: MlpParams, rotations: readonly Mat[]): RotatedWeights {
  checkParams(params)
  checkRotationsFit(params, rotations)
  const L = params.layers.length
  const layers = params.layers.map((l, i): RotatedLayer => {
    const k = i + 1
    const w: Mat = { rows: l.outDim, cols: l.inDim, data: Float64Array.from(l.weight) }
    const rIn = k > 1 ? rotations[k - 2] : null
    const rOut = k < L ? rotations[k - 1] : null
    const wIn = rIn ? matmulNT(w, rIn) : w
    const wConj = rOut ? matmul(rOut, wIn) : wIn
    const bias = Float64Array.from(l.bias)
    const biasRotated = rOut ? matmul(rOut, { rows: l.outDim, cols: 1, data: bias }).data : bias
    return {
      inDim: l.inDim,
      outDim: l.outDim,
      weightRotatedIn: wIn.data,
      weightConjugated: wConj.data,
      bias,
      biasRotated,
      rotationOut: rOut,
    }
  })
  return { sizes: [...params.sizes], activation: params.activation, layers }
}

/**
 * Writes, for k = 1..L: `fc{k}.weight_rotated_in` = W_k R_{k-1}ᵀ (F32 [out, in]) and
 * `fc{k}.bias` = b_k (F32 [out]); and `R{k}` (F32 d_k×d_k) for k = 1..L-1. The rotated network
 * is ã_k = R_k σ(fc{k}.weight_rotated_in · ã_{k-1} + fc{k}.bias) for k < L, with ã_0 = x, and
 * logits = fc{L}.weight_rotated_in · ã_{L-1} + fc{L}.bias. (R_k cannot be folded into the
 * weights because σ sits between them.) The metadata states this formula, the activation and
 * the sizes. readRotationsSafetensors reads the R{k} back from this file.
 */
export function exportRotatedWeightsSafetensors(
  params: MlpParams,
  rotations: readonly Mat[],
  file: string,
  metadata?: Record<string, string>,
): void {
  const rotated = rotatedWeights(params, rotations)
  const tensors: TensorToWrite[] = []
  rotated.layers.forEach((l, i) => {
    const k = i + 1
    tensors.push({
      name: `fc${k}.weight_rotated_in`,
      dtype: 'F32',
      shape: [l.outDim, l.inDim],
      data: Float32Array.from(l.weightRotatedIn),
    })
    tensors.push({
      name: `fc${k}.bias`,
      dtype: 'F32',
      shape: [l.outDim],
      data: Float32Array.from(l.bias),
    })
  })
  rotations.forEach((r, i) => tensors.push(rotationTensor(r, i + 1)))
  const L = params.layers.length
  writeSafetensors(file, tensors, {
    ...metadata,
    format: ROTATED_WEIGHTS_FORMAT,
    activation: params.activation,
    sizes: JSON.stringify(params.sizes),
    formula:
      `ã_k = R_k σ(fc{k}.weight_rotated_in · ã_{k-1} + fc{k}.bias) for k = 1..${L - 1}, ã_0 = x; ` +
      `logits = fc${L}.weight_rotated_in · ã_${L - 1} + fc${L}.bias; ` +
      'fc{k}.weight_rotated_in = W_k R_{k-1}ᵀ with R_0 = I; the original activations are a_k = R_kᵀ ã_k',
  })
}

// ---------------------------------------------------------------- validation

function rotationTensor(r: Mat, k: number): TensorToWrite {
  return { name: `R${k}`, dtype: 'F32', shape: [r.rows, r.cols], data: Float32Array.from(r.data) }
}

function invalid(where: string, problem: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', `${where}: ${problem}`, where)
}

function checkParams(params: MlpParams): void {
  const { sizes, layers } = params
  if (layers.length === 0) throw invalid('params.layers', 'the model has no layers')
  if (sizes.length !== layers.length + 1) {
    throw invalid(
      'params.sizes',
      `${sizes.length} sizes for ${layers.length} layers; expected ${layers.length + 1}`,
    )
  }
  layers.forEach((l, i) => {
    const where = `params.layers[${i}]`
    if (l.inDim !== sizes[i] || l.outDim !== sizes[i + 1]) {
      throw invalid(where, `is ${l.outDim}×${l.inDim} but sizes say ${sizes[i + 1]}×${sizes[i]}`)
    }
    if (l.weight.length !== l.outDim * l.inDim) {
      throw invalid(
        `${where}.weight`,
        `has ${l.weight.length} values; expected ${l.outDim}×${l.inDim}`,
      )
    }
    if (l.bias.length !== l.outDim) {
      throw invalid(`${where}.bias`, `has ${l.bias.length} values; expected ${l.outDim}`)
    }
    for (const [part, values] of [
      ['weight', l.weight],
      ['bias', l.bias],
    ] as const) {
      const i = values.findIndex((v) => !Number.isFinite(v))
      if (i >= 0) throw invalid(`${where}.${part}`, `value at flat index ${i} is ${values[i]}`)
    }
  })
}

function checkRotationArgument(r: Mat, where: string): void {
  if (r.rows !== r.cols || r.rows === 0 || r.data.length !== r.rows * r.cols) {
    throw invalid(
      where,
      `is ${r.rows}×${r.cols} with ${r.data.length} values; expected a square matrix`,
    )
  }
  const i = r.data.findIndex((v) => !Number.isFinite(v))
  if (i >= 0) throw invalid(where, `value at flat index ${i} is ${r.data[i]}`)
  const err = orthogonalityError(r)
  if (!(err <= ORTHOGONALITY_TOLERANCE)) {
    throw invalid(where, `is not orthogonal: max |RᵀR − I| = ${err.toPrecision(3)}`)
  }
}

function checkRotationsFit(params: MlpParams, rotations: readonly Mat[]): void {
  const hidden = params.layers.length - 1
  if (rotations.length !== hidden) {
    throw invalid(
      'rotations',
      `${rotations.length} rotations for a model with ${hidden} hidden layers (sizes ${formatShape(params.sizes)}); expected ${hidden}`,
    )
  }
  rotations.forEach((r, i) => {
    const d = params.sizes[i + 1]
    checkRotationArgument(r, `rotations[${i}]`)
    if (r.rows !== d)
      throw invalid(
        `rotations[${i}]`,
        `is ${r.rows}×${r.cols} but hidden layer ${i + 1} has width ${d}`,
      )
  })
}
