import { executor } from '../backend/compute.ts'
import type { Feed, InputSpec, Program } from '../backend/program.ts'
import type { TensorOps } from '../backend/tensor-ops.ts'
import type { Mat } from '../linalg/matrix.ts'
import { activate, activationDerivative } from './activation.ts'
import type { Activation } from '../api/config/sections.ts'
import type { MlpParams } from './mlp.ts'

/**
 * The one forward pass (DESIGN.md §1): evaluation, Jacobian data, analyses and training
 * all run through `forwardLayers`, on whichever backend is active.
 */

/** A change of basis of one activation space, ã = forward·a, a = inverse·ã (Rᵀ for rotations). */
export interface Transform {
  readonly forward: Mat
  readonly inverse: Mat
}

/** The symbols of one layer's parameters inside a program. */
export interface LayerSymbols<T> {
  /** W_k, [d_k × d_{k-1}] as nn.Linear stores it. */
  readonly weight: T
  readonly bias: T
}

export interface ForwardTrace<T> {
  /** Pre-activations z_k for layers from+1 … to (basis independent). */
  readonly z: T[]
  /** Activations of spaces from … to as the layers see them (ã where a basis is changed). */
  readonly a: T[]
}

/**
 * Layers from+1 … to on a batch `x` ([n × d_from], row-major rows) of space `from`:
 * z_k = a_{k-1}·W_kᵀ + b_k, a_k = σ(z_k) for hidden k, the logits z_L for k = L. Where
 * space k has a change of basis T_k (`changes[k]`), the activations are carried as
 * ã_k = T_k·a_k and each layer reads them through T_{k-1}⁻¹ — the network with
 * T_k⁻¹·T_k = I inserted, which computes the same function up to float error.
 */
export function forwardLayers<T>(
  ops: TensorOps<T>,
  x: T,
  layers: readonly LayerSymbols<T>[],
  spec: {
    readonly activation: Activation
    readonly from: number
    readonly last: number
    /** Per space from … to: [T_k, T_k⁻¹] as symbols, or null for the neuron basis. */
    readonly changes?: readonly ({ forward: T; inverse: T } | null)[]
  },
): ForwardTrace<T> {
  const { from, last } = spec
  const change = (k: number) => spec.changes?.[k - from] ?? null
  const z: T[] = []
  const a: T[] = [x]
  let h = x
  layers.forEach((layer, i) => {
    const k = from + i + 1
    const into = change(k - 1)
    // Rows ã·T⁻ᵀ are the neuron-basis activations the layer's weights read.
    const read = into ? ops.matmul(h, into.inverse, { transB: true }) : h
    const zk = ops.add(ops.matmul(read, layer.weight, { transB: true }), layer.bias)
    z.push(zk)
    const out = k < last ? activate(ops, zk, spec.activation) : zk
    const c = change(k)
    h = c ? ops.matmul(out, c.forward, { transB: true }) : out
    a.push(h)
  })
  return { z, a }
}

export interface ForwardOptions {
  /** The space the input rows live in (0 = pixels) and the last one computed (L = logits). */
  readonly from?: number
  readonly to?: number
  /**
   * Changes of basis per space 0 … L (null: neuron basis) inserted as T_k⁻¹·T_k. The input
   * and the output stay in the neuron bases of `from` and `to`; `activations` are returned
   * in the changed bases.
   */
  readonly changes?: readonly (Transform | null)[]
  /** Replacement weights W_k by 1-based layer (ablations). */
  readonly weights?: ReadonlyMap<number, Float32Array>
  /** σ'(z_k) for the hidden layers computed: D_k(x) of the layer Jacobians. */
  readonly derivatives?: boolean
  /** Spaces whose activations to return (in their changed basis, where one is given). */
  readonly activations?: readonly number[]
}

export interface ForwardResult {
  /** Activations of space `to` in its neuron basis (logits when to = L). */
  readonly output: Float32Array
  /** σ'(z_k) [n × d_k] for each hidden layer k in from+1 … min(to, L−1), when asked for. */
  readonly derivatives: Float32Array[]
  readonly activations: Map<number, Float32Array>
}

/** Rows per call: bounds memory on 60k-input sets without hurting matmul speed. */
const FORWARD_ROWS = 4096

export function forward(
  params: MlpParams,
  x: Float32Array,
  n: number,
  options: ForwardOptions = {},
): ForwardResult {
  const L = params.layers.length
  const from = options.from ?? 0
  const to = options.to ?? L
  const sizes = params.sizes
  if (from < 0 || to > L || from > to) throw new Error(`forward: spaces ${from} → ${to}`)
  if (x.length !== n * sizes[from]) {
    throw new Error(`forward: ${x.length} values are not ${n} rows of width ${sizes[from]}`)
  }
  const program = forwardProgram(params, from, to, options)
  const feeds: Record<string, Feed> = {}
  params.layers.slice(from, to).forEach((l, i) => {
    const k = from + i + 1
    feeds[`w${k}`] = { data: options.weights?.get(k) ?? l.weight, shape: [l.outDim, l.inDim] }
    feeds[`b${k}`] = { data: l.bias, shape: [l.outDim] }
  })
  for (let k = from; k <= to; k++) {
    const c = options.changes?.[k]
    if (!c) continue
    feeds[`t${k}`] = { data: Float32Array.from(c.forward.data), shape: [sizes[k], sizes[k]] }
    feeds[`ti${k}`] = { data: Float32Array.from(c.inverse.data), shape: [sizes[k], sizes[k]] }
  }
  const hidden = options.derivatives ? range(from + 1, Math.min(to, L - 1)) : []
  const wanted = options.activations ?? []
  const result: ForwardResult = {
    output: new Float32Array(n * sizes[to]),
    derivatives: hidden.map((k) => new Float32Array(n * sizes[k])),
    activations: new Map(wanted.map((k) => [k, new Float32Array(n * sizes[k])])),
  }
  const run = executor()
  for (let start = 0; start < n; start += FORWARD_ROWS) {
    const m = Math.min(FORWARD_ROWS, n - start)
    const rows = (w: number) => ({ data: new Float32Array(0), shape: [m, w] })
    const into = (arr: Float32Array, w: number): Feed => ({
      ...rows(w),
      data: arr.subarray(start * w, (start + m) * w),
    })
    const outs: Record<string, Feed> = { out: into(result.output, sizes[to]) }
    hidden.forEach((k, i) => (outs[`d${k}`] = into(result.derivatives[i], sizes[k])))
    for (const k of wanted) outs[`a${k}`] = into(result.activations.get(k)!, sizes[k])
    feeds.x = {
      data: x.subarray(start * sizes[from], (start + m) * sizes[from]),
      shape: [m, sizes[from]],
    }
    run.run(program, feeds, outs)
  }
  return result
}

function range(a: number, b: number): number[] {
  return b < a ? [] : Array.from({ length: b - a + 1 }, (_, i) => a + i)
}

function forwardProgram(
  params: MlpParams,
  from: number,
  to: number,
  options: ForwardOptions,
): Program<string, string> {
  const L = params.layers.length
  const sizes = params.sizes
  const changed = range(from, to).map((k) => options.changes?.[k] != null)
  const hidden = options.derivatives ? range(from + 1, Math.min(to, L - 1)) : []
  const wanted = options.activations ?? []
  for (const k of wanted) {
    if (k < from || k > to) throw new Error(`forward: activations of space ${k} are not computed`)
  }
  const inputs: Record<string, InputSpec> = { x: { shape: ['n', sizes[from]] } }
  for (let k = from + 1; k <= to; k++) {
    inputs[`w${k}`] = { shape: [sizes[k], sizes[k - 1]] }
    inputs[`b${k}`] = { shape: [sizes[k]] }
  }
  changed.forEach((c, i) => {
    if (!c) return
    const k = from + i
    inputs[`t${k}`] = { shape: [sizes[k], sizes[k]] }
    inputs[`ti${k}`] = { shape: [sizes[k], sizes[k]] }
  })
  const outputs = ['out', ...hidden.map((k) => `d${k}`), ...wanted.map((k) => `a${k}`)]
  return {
    key: `forward:${sizes.join('-')}:${params.activation}:${from}-${to}:${changed.map(Number).join('')}:${outputs.join(',')}`,
    inputs,
    outputs,
    build(ops, s) {
      const layers = range(from + 1, to).map((k) => ({ weight: s[`w${k}`], bias: s[`b${k}`] }))
      const change = (k: number) =>
        changed[k - from] ? { forward: s[`t${k}`], inverse: s[`ti${k}`] } : null
      // The input arrives in the neuron basis of `from` and the output leaves in that of `to`:
      // T_from on the way in, T_to⁻¹ on the way out, and T_k⁻¹·T_k between the layers.
      const first = change(from)
      const x = first ? ops.matmul(s.x, first.forward, { transB: true }) : s.x
      const trace = forwardLayers(ops, x, layers, {
        activation: params.activation,
        from,
        last: L,
        changes: range(from, to).map(change),
      })
      const result: Record<string, (typeof trace.a)[number]> = {}
      const last = trace.a[trace.a.length - 1]
      const lastChange = change(to)
      result.out = lastChange ? ops.matmul(last, lastChange.inverse, { transB: true }) : last
      hidden.forEach((k) => {
        result[`d${k}`] = activationDerivative(ops, trace.z[k - from - 1], params.activation)
      })
      for (const k of wanted) result[`a${k}`] = trace.a[k - from]
      return result
    },
  }
}

/** Logits of the network (or of the network with changes of basis inserted). */
export function predictLogits(
  params: MlpParams,
  x: Float32Array,
  n: number,
  changes?: readonly (Transform | null)[],
): Float32Array {
  return forward(params, x, n, { changes }).output
}

export function argmaxRows(values: Float32Array, n: number, width: number): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < width; j++) if (values[i * width + j] > values[i * width + best]) best = j
    out[i] = best
  }
  return out
}

export function accuracy(logits: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length
  const pred = argmaxRows(logits, n, classes)
  let ok = 0
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) ok++
  return n === 0 ? 0 : ok / n
}
