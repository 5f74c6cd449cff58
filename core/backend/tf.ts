/**
 * TensorFlow.js for the backends built on it (compute.ts picks among all backends):
 * `@tensorflow/tfjs-node` when it is installed, else WebAssembly, else plain CPU.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'

export { tf }

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu'

let nodeTried: Promise<boolean> | null = null

function tryNode(): Promise<boolean> {
  nodeTried ??= (async () => {
    try {
      // Optional dependency: present only where libtensorflow could be installed.
      const name = '@tensorflow/tfjs-node'
      await import(/* @vite-ignore */ name)
      return tf.findBackend('tensorflow') !== null
    } catch {
      return false
    }
  })()
  return nodeTried
}

/** Makes `choice` (or the best available, for 'auto') the TensorFlow.js backend. */
export async function initTfjs(choice: 'auto' | TfjsBackendName): Promise<TfjsBackendName> {
  const order: TfjsBackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice]
  for (const name of order) {
    if (name === 'tensorflow' && !(await tryNode())) continue
    if (tf.getBackend() === name) return name
    try {
      if (await tf.setBackend(name)) {
        await tf.ready()
        return name
      }
    } catch {
      // fall through to the next backend
    }
  }
  throw new Error(`TensorFlow.js backend ${choice} is not available`)
}

export function tfVersion(): string {
  return tf.version_core
}
