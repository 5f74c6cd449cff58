import type { TensorOps } from '../tensor-ops.ts'
import {
  type AttributeValue,
  type Dim,
  ELEM_TYPE,
  type GraphSpec,
  type InitializerSpec,
  type NodeSpec,
  type ValueInfo,
} from './onnx-proto.ts'

/** A tensor of a graph under construction: the name of the value it stands for. */
export interface Sym {
  readonly __sym: string
}

const sym = (name: string): Sym => ({ __sym: name })
const INT = (value: number): AttributeValue => ({ kind: 'int', value })

/**
 * Builds an ONNX graph by running a program against it: every TensorOps call adds a node
 * and returns the symbol of its output. Scalars and constants become initializers, shared
 * when equal, so a program with its constants baked in is one cached session.
 */
export class GraphBuilder implements TensorOps<Sym> {
  /** Every input, output and constant of the graph has this type. */
  constructor(private readonly dtype: 'float32' | 'float64' = 'float32') {}

  private readonly nodes: NodeSpec[] = []
  private readonly initializers: InitializerSpec[] = []
  private readonly inputs: ValueInfo[] = []
  private readonly outputs: ValueInfo[] = []
  private readonly constants = new Map<string, Sym>()
  private counter = 0

  input(name: string, shape: readonly Dim[]): Sym {
    this.inputs.push({ name, type: this.dtype, shape })
    return sym(name)
  }

  /** Marks `value` as the graph output `name` (an Identity node renames it; `bytes`: a Cast). */
  output(name: string, value: Sym, bytes = false): void {
    this.nodes.push(
      bytes
        ? {
            op: 'Cast',
            inputs: [value.__sym],
            outputs: [name],
            attributes: { to: INT(ELEM_TYPE.uint8) },
          }
        : { op: 'Identity', inputs: [value.__sym], outputs: [name] },
    )
    this.outputs.push({ name, type: bytes ? 'uint8' : this.dtype, shape: null })
  }

  spec(name: string): GraphSpec {
    return {
      name,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: this.initializers,
    }
  }

  private fresh(): string {
    return `v_${this.counter++}`
  }

  private node(
    op: string,
    inputs: readonly Sym[],
    attributes?: Record<string, AttributeValue>,
  ): Sym {
    const out = this.fresh()
    this.nodes.push({ op, inputs: inputs.map((s) => s.__sym), outputs: [out], attributes })
    return sym(out)
  }

  private init(type: InitializerSpec['type'], values: ArrayLike<number>, dims: readonly number[]) {
    const list = Array.from(values)
    const key = `${type}:${dims.join('x')}:${list.join(',')}`
    const found = this.constants.get(key)
    if (found) return found
    const name = `const_${this.constants.size}`
    this.initializers.push({ name, type, dims, values: list })
    const s = sym(name)
    this.constants.set(key, s)
    return s
  }

  private int64s(values: readonly number[]): Sym {
    return this.init('int64', values, [values.length])
  }

  private operand(v: Sym | number): Sym {
    return typeof v === 'number' ? this.scalar(v) : v
  }

  private unary(op: string) {
    return (a: Sym): Sym => this.node(op, [a])
  }

  private binary(op: string) {
    return (a: Sym | number, b: Sym | number): Sym =>
      this.node(op, [this.operand(a), this.operand(b)])
  }

  /** Casts an integer or bool result to the graph's float type. */
  private toFloat(v: Sym): Sym {
    return this.node('Cast', [v], { to: { kind: 'int', value: ELEM_TYPE[this.dtype] } })
  }

  /** A comparison as 0/1 floats: ONNX compares to bool. */
  private compare(op: string) {
    return (a: Sym, b: Sym | number): Sym => this.toFloat(this.node(op, [a, this.operand(b)]))
  }

  scalar(value: number): Sym {
    return this.init(this.dtype, [value], [])
  }

  constant(values: ArrayLike<number>, shape: readonly number[]): Sym {
    return this.init(this.dtype, values, shape)
  }

  matmul(a: Sym, b: Sym, options: { transA?: boolean; transB?: boolean } = {}): Sym {
    if (!options.transA && !options.transB) return this.node('MatMul', [a, b])
    // Gemm reads transposed 2-D operands without copying them.
    return this.node('Gemm', [a, b], {
      transA: { kind: 'int', value: options.transA ? 1 : 0 },
      transB: { kind: 'int', value: options.transB ? 1 : 0 },
    })
  }

  add = this.binary('Add')
  sub = this.binary('Sub')
  mul = this.binary('Mul')
  div = this.binary('Div')
  maximum = this.binary('Max')
  minimum = this.binary('Min')

  clip(a: Sym, lo: number, hi: number): Sym {
    return this.node('Clip', [a, this.scalar(lo), this.scalar(hi)])
  }

  pow(a: Sym, exponent: number): Sym {
    return this.node('Pow', [a, this.scalar(exponent)])
  }

  neg = this.unary('Neg')
  abs = this.unary('Abs')
  sign = this.unary('Sign')
  sqrt = this.unary('Sqrt')
  exp = this.unary('Exp')
  log = this.unary('Log')
  tanh = this.unary('Tanh')
  relu = this.unary('Relu')
  erf = this.unary('Erf')
  floor = this.unary('Floor')

  greater = this.compare('Greater')
  less = this.compare('Less')
  equal = this.compare('Equal')

  reduceSum(a: Sym, axes: readonly number[], keepDims = false): Sym {
    return this.node('ReduceSum', [a, this.int64s(axes)], {
      keepdims: { kind: 'int', value: keepDims ? 1 : 0 },
    })
  }

  reduceMax(a: Sym, axes: readonly number[], keepDims = false): Sym {
    return this.node('ReduceMax', [a, this.int64s(axes)], { keepdims: INT(keepDims ? 1 : 0) })
  }

  reduceSumSquare(a: Sym, axes: readonly number[], keepDims = false): Sym {
    return this.node('ReduceSumSquare', [a, this.int64s(axes)], { keepdims: INT(keepDims ? 1 : 0) })
  }

  argMax(a: Sym, axis: number): Sym {
    const index = this.node('ArgMax', [a], {
      axis: { kind: 'int', value: axis },
      keepdims: { kind: 'int', value: 0 },
    })
    return this.toFloat(index)
  }

  logSoftmax(a: Sym): Sym {
    return this.node('LogSoftmax', [a], { axis: { kind: 'int', value: -1 } })
  }

  reshape(a: Sym, shape: readonly number[]): Sym {
    return this.node('Reshape', [a, this.int64s(shape)])
  }

  transpose(a: Sym, perm: readonly number[]): Sym {
    return this.node('Transpose', [a], { perm: { kind: 'ints', value: perm } })
  }

  expandDims(a: Sym, axis: number): Sym {
    return this.node('Unsqueeze', [a, this.int64s([axis])])
  }
}
