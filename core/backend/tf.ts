/**
 * The one place that picks the TensorFlow.js backend (DESIGN.md §2):
 * `@tensorflow/tfjs-node` when it is installed, else WebAssembly, else plain CPU.
 * Every run records the backend it used.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'

export { tf }

export type BackendName = 'tensorflow' | 'wasm' | 'cpu'
export type BackendChoice = 'auto' | BackendName

let initialised: Promise<BackendName> | null = null

async function tryNode(): Promise<boolean> {
  try {
    // Optional dependency: present only where libtensorflow could be installed.
    const name = '@tensorflow/tfjs-node'
    await import(/* @vite-ignore */ name)
    return tf.findBackend('tensorflow') !== null
  } catch {
    return false
  }
}

async function select(choice: BackendChoice): Promise<BackendName> {
  const order: BackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice]
  for (const name of order) {
    if (name === 'tensorflow' && !(await tryNode())) continue
    try {
      if (await tf.setBackend(name)) {
        await tf.ready()
        return name
      }
    } catch {
      // fall through to the next backend
    }
  }
  throw new Error(`no TensorFlow.js backend available (asked for ${choice})`)
}

/** Initialise once per process; later calls return the same backend. */
export function initBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  const env = process.env.BASISCOPE_BACKEND as BackendChoice | undefined
  initialised ??= select(env ?? choice)
  return initialised
}

export function tfVersion(): string {
  return tf.version_core
}
