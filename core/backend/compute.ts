import { BACKEND_NAMES, type BackendChoice, type BackendName } from '../api/config/sections.ts'
import { onnxExecutor } from './onnx/executor.ts'
import { onnxRuntime, onnxRuntimeError, onnxThreads } from './onnx/runtime.ts'
import type { Executor } from './program.ts'
import { initTfjs, tfVersion } from './tf.ts'
import { tfjsExecutor } from './tfjs-executor.ts'

/**
 * The one place that picks the compute backend (DESIGN.md §2), in order of measured speed:
 * - `onnx`: ONNX Runtime's native CPU kernels on every core (npm `onnxruntime-node`);
 * - `tensorflow`: TensorFlow.js on libtensorflow (`@tensorflow/tfjs-node`, optional: it
 *   downloads libtensorflow at install, so it is used only where someone installed it);
 * - `wasm`: TensorFlow.js WebAssembly, single-threaded in Node;
 * - `cpu`: TensorFlow.js in plain JavaScript.
 * Every backend gives the same numbers (tests compare them); every run records the one it used.
 */
export { BACKEND_NAMES, type BackendChoice, type BackendName } from '../api/config/sections.ts'

export interface BackendInfo {
  readonly name: BackendName
  /** Threads the native kernels use (1 for the TensorFlow.js fallbacks but `tensorflow`). */
  readonly threads: number
  /** Versions of what computed: ONNX Runtime's and TensorFlow.js's. */
  readonly versions: Readonly<Record<string, string>>
}

interface Active {
  readonly info: BackendInfo
  readonly executor: Executor
}

let active: Promise<Active> | null = null
let current: Active | null = null

async function select(choice: BackendChoice): Promise<Active> {
  const order: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice]
  const failures: string[] = []
  for (const name of order) {
    if (name === 'onnx') {
      const ort = onnxRuntime()
      if (!ort) {
        failures.push(`onnx: ${onnxRuntimeError()}`)
        continue
      }
      // The JS fallbacks of a few kernels still use TensorFlow.js: any of its backends does.
      const tfjs = await initTfjs('auto')
      return {
        info: {
          name,
          threads: onnxThreads(),
          versions: { onnxruntime: ort.version, tfjs: tfVersion(), tfjsBackend: tfjs },
        },
        executor: onnxExecutor(),
      }
    }
    const tfjs = await initTfjs(name).catch((err: Error) => {
      failures.push(`${name}: ${err.message}`)
      return null
    })
    if (tfjs === name) {
      return {
        info: { name, threads: 1, versions: { tfjs: tfVersion() } },
        executor: tfjsExecutor(),
      }
    }
  }
  throw new Error(`no compute backend available (asked for ${choice}): ${failures.join('; ')}`)
}

/**
 * Initialises the backend once per process; later calls return the same one.
 * BASISCOPE_BACKEND overrides the choice (tests use it to run every backend).
 */
export async function initCompute(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const env = process.env.BASISCOPE_BACKEND || undefined
  if (env !== undefined && env !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(env)) {
    throw new Error(
      `BASISCOPE_BACKEND is "${env}"; expected auto or one of ${BACKEND_NAMES.join(', ')}`,
    )
  }
  active ??= select((env as BackendChoice | undefined) ?? choice)
  current = await active
  return current.info
}

function activeBackend(): Active {
  if (!current) throw new Error('the compute backend is not initialised: call initCompute() first')
  return current
}

/** The executor programs run on. */
export function executor(): Executor {
  return activeBackend().executor
}

export function backendInfo(): BackendInfo {
  return activeBackend().info
}

/** True when the native (ONNX Runtime) kernels are active. */
export function isNative(): boolean {
  return current?.info.name === 'onnx'
}

/**
 * Runs `body` with another backend active, then restores the previous one — for tests
 * and the benchmark, which compare backends in one process.
 */
export async function withBackend<T>(name: BackendName, body: () => T | Promise<T>): Promise<T> {
  const saved = { active, current }
  active = select(name)
  current = await active
  try {
    return await body()
  } finally {
    if (current !== saved.current) current.executor.dispose()
    active = saved.active
    current = saved.current
    if (saved.current && saved.current.info.name !== 'onnx') await initTfjs(saved.current.info.name)
  }
}
