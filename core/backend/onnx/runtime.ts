import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { encodeModel, type GraphSpec } from './onnx-proto.ts'

/**
 * ONNX Runtime (npm `onnxruntime-node`, whose CPU kernels — MLAS — ship inside the package
 * and use every core), loaded when present. Its install script only fetches GPU libraries
 * and is never run (package.json `allowScripts`).
 *
 * Sessions run through the package's native binding, which is synchronous: the public
 * `InferenceSession.run` only defers that same call with setImmediate and wraps it in a
 * promise. The engine's loops are synchronous compute in a worker process, so they call
 * the binding directly (onnxruntime-node is pinned to an exact version for this reason).
 */

interface OrtTensor {
  readonly type: string
  readonly dims: readonly number[]
  readonly data: unknown
}

interface OrtTensorConstructor {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor
  new (type: 'float64', data: Float64Array, dims: readonly number[]): OrtTensor
  new (type: 'uint8', data: Uint8Array, dims: readonly number[]): OrtTensor
}

interface BindingSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, OrtTensor | null>,
    options: object,
  ): Record<string, OrtTensor>
  dispose(): void
}

interface OrtModule {
  readonly Tensor: OrtTensorConstructor
  readonly version: string
  newSession(): BindingSession
}

let loaded: OrtModule | null | undefined
let loadError: string | null = null

/** ONNX Runtime, or null when it is not installed or cannot load on this platform. */
export function onnxRuntime(): OrtModule | null {
  if (loaded !== undefined) return loaded
  try {
    const require = createRequire(import.meta.url)
    const ort = require('onnxruntime-node') as { Tensor: OrtTensorConstructor }
    const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as {
      binding: { InferenceSession: new () => BindingSession }
      initOrt: () => void
    }
    const { version } = require('onnxruntime-node/package.json') as { version: string }
    initOrt()
    loaded = { Tensor: ort.Tensor, version, newSession: () => new binding.InferenceSession() }
  } catch (err) {
    loadError = (err as Error).message
    loaded = null
  }
  return loaded
}

/** Why onnxRuntime() returned null, for the backend report. */
export function onnxRuntimeError(): string | null {
  return loadError
}

/** Threads per session: every core (BASISCOPE_THREADS overrides, e.g. to share a machine). */
export function onnxThreads(): number {
  const env = Number(process.env.BASISCOPE_THREADS)
  return Number.isInteger(env) && env > 0 ? env : availableParallelism()
}

export type Float = Float32Array | Float64Array
export type Values = Float | Uint8Array

export interface Feed {
  readonly data: Values
  readonly shape: readonly number[]
}

/** One compiled graph, run synchronously. */
export class OnnxSession {
  private readonly session: BindingSession

  constructor(
    private readonly ort: OrtModule,
    graph: GraphSpec,
    readonly outputs: readonly string[],
  ) {
    const bytes = encodeModel(graph)
    this.session = ort.newSession()
    this.session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: onnxThreads(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      // The engine alternates ONNX calls with JS work on the same cores: idle pool threads
      // that spin between calls take those cores from it.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    })
  }

  /**
   * Runs the graph. Outputs given in `into` are written in place (no allocation: fresh
   * outputs of hundreds of MB cost page faults); the others come back as new arrays.
   */
  run(
    feeds: Readonly<Record<string, Feed>>,
    into: Readonly<Record<string, Feed>> = {},
  ): Record<string, Values> {
    const tensors: Record<string, OrtTensor> = {}
    for (const [name, f] of Object.entries(feeds)) tensors[name] = this.tensor(f)
    const fetches: Record<string, OrtTensor | null> = {}
    for (const name of this.outputs) fetches[name] = into[name] ? this.tensor(into[name]) : null
    const result = this.session.run(tensors, fetches, {})
    const out: Record<string, Float32Array> = {}
    for (const name of this.outputs) {
      out[name] = into[name]
        ? (into[name].data as Float32Array)
        : (result[name].data as Float32Array)
    }
    return out
  }

  private tensor(f: Feed): OrtTensor {
    if (f.data instanceof Float64Array) return new this.ort.Tensor('float64', f.data, f.shape)
    if (f.data instanceof Uint8Array) return new this.ort.Tensor('uint8', f.data, f.shape)
    return new this.ort.Tensor('float32', f.data, f.shape)
  }

  dispose(): void {
    this.session.dispose()
  }
}
