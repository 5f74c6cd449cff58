import { ProtoWriter } from './protobuf.ts'

/**
 * ONNX models as protocol buffers (onnx/onnx.proto): just the messages a computation graph
 * over float tensors needs. Field numbers are the schema's; ONNX Runtime rejects a model
 * that gets any of them wrong, so the runtime tests cover this file too.
 */

/** TensorProto.DataType values this project uses. */
export const ELEM_TYPE = { float32: 1, uint8: 2, int64: 7, bool: 9, float64: 11 } as const
export type ElemType = keyof typeof ELEM_TYPE

/** A dimension: a size, or the name of a size fixed only when the model runs. */
export type Dim = number | string

export interface ValueInfo {
  readonly name: string
  readonly type: ElemType
  /** null: rank and sizes left to the runtime (outputs whose shape follows from the inputs). */
  readonly shape: readonly Dim[] | null
}

export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }

export interface NodeSpec {
  readonly op: string
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  readonly attributes?: Readonly<Record<string, AttributeValue>>
  readonly domain?: string
}

export interface InitializerSpec {
  readonly name: string
  readonly type: 'float32' | 'int64' | 'float64'
  readonly dims: readonly number[]
  readonly values: readonly number[] | Float32Array | Float64Array
}

export interface GraphSpec {
  readonly name: string
  readonly nodes: readonly NodeSpec[]
  readonly inputs: readonly ValueInfo[]
  readonly outputs: readonly ValueInfo[]
  readonly initializers: readonly InitializerSpec[]
}

/** IR version 8 with opset 18: reductions take their axes as an input from opset 18 on. */
export const IR_VERSION = 8
export const OPSET = 18

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const

function valueInfo(v: ValueInfo): ProtoWriter {
  const tensor = new ProtoWriter().int(1, ELEM_TYPE[v.type])
  if (v.shape) {
    const shape = new ProtoWriter()
    for (const d of v.shape) {
      const dim = new ProtoWriter()
      if (typeof d === 'string') dim.string(2, d)
      else dim.int(1, d)
      shape.message(1, dim)
    }
    tensor.message(2, shape)
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor))
}

function attribute(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name)
  switch (a.kind) {
    case 'int':
      w.int(3, a.value)
      break
    case 'float':
      w.float(2, a.value)
      break
    case 'string':
      w.bytes(4, new TextEncoder().encode(a.value))
      break
    case 'ints':
      for (const v of a.value) w.int(8, v)
      break
  }
  return w.int(20, ATTRIBUTE_TYPE[a.kind])
}

function node(n: NodeSpec, index: number): ProtoWriter {
  const w = new ProtoWriter()
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  w.string(3, `${n.op.toLowerCase()}_${index}`)
  w.string(4, n.op)
  for (const [name, a] of Object.entries(n.attributes ?? {})) w.message(5, attribute(name, a))
  if (n.domain) w.string(7, n.domain)
  return w
}

function initializer(t: InitializerSpec): ProtoWriter {
  const w = new ProtoWriter()
  for (const d of t.dims) w.int(1, d)
  w.int(2, ELEM_TYPE[t.type])
  w.string(8, t.name)
  const raw =
    t.type === 'float32'
      ? new Uint8Array(Float32Array.from(t.values).buffer)
      : t.type === 'float64'
        ? new Uint8Array(Float64Array.from(t.values).buffer)
        : new Uint8Array(BigInt64Array.from(Array.from(t.values, (v) => BigInt(v))).buffer)
  // raw_data is little-endian by the spec, as typed arrays are on every platform we ship.
  return w.bytes(9, raw)
}

export function encodeModel(graph: GraphSpec, producer = 'basiscope'): Uint8Array {
  const g = new ProtoWriter()
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)))
  g.string(2, graph.name)
  for (const t of graph.initializers) g.message(5, initializer(t))
  for (const v of graph.inputs) g.message(11, valueInfo(v))
  for (const v of graph.outputs) g.message(12, valueInfo(v))
  const opset = new ProtoWriter().string(1, '').int(2, OPSET)
  return new ProtoWriter()
    .int(1, IR_VERSION)
    .message(8, opset)
    .string(2, producer)
    .message(7, g)
    .finish()
}
