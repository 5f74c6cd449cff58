/**
 * Imports an MLP from a safetensors file laid out as a PyTorch state_dict of nn.Linear layers:
 * `<name>.weight` [out, in] and `<name>.bias` [out] for each layer, in any header order.
 * Layers are ordered by natural sort of `<name>` (fc1 < fc2 < fc10; `0` < `2` < `4` from
 * nn.Sequential; `layers.0` < `layers.1` < … < `layers.10`), and their shapes must chain.
 *
 * F32 is taken as is. F16, BF16 and F64 are accepted and converted to float32 (F16/BF16
 * exactly; F64 rounded, and an F64 value too large for float32 is an error).
 */
import { fileError } from '../../errors.ts'
import { ACTIVATIONS, type Activation } from '../../api/config/sections.ts'
import type { DenseLayer, MlpParams } from '../mlp.ts'
import type { SafetensorsTensor } from './safetensors.ts'
import { formatShape } from '../../data/checks.ts'
import { readSafetensors } from './safetensors.ts'

/**
 * The activation is, in order of precedence: the explicit argument, the file's
 * `__metadata__.activation` (relu|tanh|gelu), else relu.
 */
export function importSafetensorsModel(file: string, activation?: Activation): MlpParams {
  const { tensors, metadata } = readSafetensors(file)
  const act = resolveActivation(file, activation, metadata.activation)

  const groups = new Map<string, { weight?: string; bias?: string }>()
  for (const name of tensors.keys()) {
    const m = /^(.+)\.(weight|bias)$/.exec(name)
    if (!m) {
      throw fileError(
        file,
        `tensor "${name}" is not a layer weight or bias; expected <name>.weight/<name>.bias pairs (a PyTorch nn.Linear state_dict)`,
      )
    }
    const g = groups.get(m[1]) ?? {}
    if (m[2] === 'weight') g.weight = name
    else g.bias = name
    groups.set(m[1], g)
  }
  if (groups.size === 0) {
    throw fileError(
      file,
      'no layers: the file holds no tensors; expected <name>.weight/<name>.bias pairs (a PyTorch nn.Linear state_dict)',
    )
  }

  const prefixes = [...groups.keys()].sort(naturalCompare)
  const layers: DenseLayer[] = []
  let previous: string | undefined
  for (const prefix of prefixes) {
    const g = groups.get(prefix)!
    if (g.weight === undefined) {
      throw fileError(file, `tensor "${g.bias}" has no matching weight "${prefix}.weight"`)
    }
    if (g.bias === undefined) {
      throw fileError(file, `tensor "${g.weight}" has no matching bias "${prefix}.bias"`)
    }
    const w = tensors.get(g.weight)!
    const b = tensors.get(g.bias)!
    if (w.shape.length !== 2) {
      throw fileError(
        file,
        `tensor "${g.weight}": shape ${formatShape(w.shape)} is not 2-D; expected [out, in]`,
      )
    }
    const [outDim, inDim] = w.shape
    if (outDim === 0 || inDim === 0) {
      throw fileError(
        file,
        `tensor "${g.weight}": shape ${formatShape(w.shape)} has a zero dimension`,
      )
    }
    if (b.shape.length !== 1 || b.shape[0] !== outDim) {
      throw fileError(
        file,
        `tensor "${g.bias}": shape ${formatShape(b.shape)} does not fit "${g.weight}" with ${outDim} outputs; expected [${outDim}]`,
      )
    }
    if (previous !== undefined) {
      const prevOut = layers[layers.length - 1].outDim
      if (inDim !== prevOut) {
        throw fileError(
          file,
          `layer ${g.weight} expects input ${inDim} but ${previous} outputs ${prevOut} (layers in natural order: ${prefixes.join(', ')})`,
        )
      }
    }
    layers.push({
      inDim,
      outDim,
      weight: toFiniteFloat32(file, g.weight, w, inDim),
      bias: toFiniteFloat32(file, g.bias, b),
    })
    previous = g.weight
  }
  return { sizes: [layers[0].inDim, ...layers.map((l) => l.outDim)], activation: act, layers }
}

function resolveActivation(
  file: string,
  explicit: Activation | undefined,
  fromMetadata: string | undefined,
): Activation {
  if (explicit !== undefined) {
    if (!ACTIVATIONS.includes(explicit)) {
      throw fileError(
        file,
        `activation ${JSON.stringify(explicit)} was requested; expected one of ${ACTIVATIONS.join(', ')}`,
      )
    }
    return explicit
  }
  if (fromMetadata === undefined) return 'relu'
  if (!(ACTIVATIONS as readonly string[]).includes(fromMetadata)) {
    throw fileError(
      file,
      `metadata "activation" is ${JSON.stringify(fromMetadata)}; expected one of ${ACTIVATIONS.join(', ')}`,
    )
  }
  return fromMetadata as Activation
}

/** Float32 copy of a floating-point tensor, rejecting NaN/±∞ (and F64 values beyond float32). */
function toFiniteFloat32(
  file: string,
  name: string,
  t: SafetensorsTensor,
  rowLength?: number,
): Float32Array {
  const at = (i: number): string =>
    rowLength === undefined
      ? `flat index ${i}`
      : `flat index ${i} (row ${Math.floor(i / rowLength)}, column ${i % rowLength})`
  let out: Float32Array
  switch (t.dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      out = t.data as Float32Array
      break
    case 'F64': {
      const src = t.data as Float64Array
      out = new Float32Array(src.length)
      for (let i = 0; i < src.length; i++) {
        out[i] = src[i]
        if (Number.isFinite(src[i]) && !Number.isFinite(out[i])) {
          throw fileError(
            file,
            `tensor "${name}": value ${src[i]} at ${at(i)} does not fit in float32`,
          )
        }
      }
      break
    }
    default:
      throw fileError(
        file,
        `tensor "${name}": dtype ${t.dtype} is not floating point; expected F32 (F16, BF16 and F64 are converted)`,
      )
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw fileError(file, `tensor "${name}": value at ${at(i)} is ${out[i]}`)
    }
  }
  return out
}

/**
 * Natural order: digit runs compare as numbers (so "fc2" < "fc10", "layers.9" < "layers.10"),
 * everything else by code unit. Ties (e.g. "fc01" vs "fc1") fall back to plain comparison.
 */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? []
  const rb = b.match(/\d+|\D+/g) ?? []
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]
    const y = rb[i]
    if (isDigits(x) && isDigits(y)) {
      const xs = x.replace(/^0+(?=\d)/, '')
      const ys = y.replace(/^0+(?=\d)/, '')
      if (xs.length !== ys.length) return xs.length - ys.length
      if (xs !== ys) return xs < ys ? -1 : 1
    } else if (x !== y) {
      return x < y ? -1 : 1
    }
  }
  if (ra.length !== rb.length) return ra.length - rb.length
  return a < b ? -1 : a > b ? 1 : 0
}

function isDigits(s: string): boolean {
  return s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57
}
