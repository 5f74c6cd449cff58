import type { Executor, Feed } from './program.ts'
import { tf } from './tf.ts'
import { tfjsOps } from './tfjs-ops.ts'

/** Programs executed eagerly by the active TensorFlow.js backend. */
export function tfjsExecutor(): Executor {
  return {
    run(program, feeds, into) {
      type O = (typeof program.outputs)[number]
      const results = tf.tidy(() => {
        const inputs = {} as Record<string, tf.Tensor>
        for (const [name, f] of Object.entries(feeds) as [
          string,
          { data: Float32Array | Float64Array; shape: number[] },
        ][]) {
          // tfjs computes in float32 whatever it is given.
          const data = f.data instanceof Float32Array ? f.data : Float32Array.from(f.data)
          inputs[name] = tf.tensor(data, f.shape)
        }
        return program.build(tfjsOps, inputs as never) as Record<O, tf.Tensor>
      })
      // float64 programs get float64 arrays back, holding float32 values.
      const wide = program.dtype === 'float64'
      const bytes = new Set<string>(program.bytes ?? [])
      const out = {} as Record<O, Float32Array | Float64Array | Uint8Array>
      try {
        for (const name of program.outputs as readonly O[]) {
          const values = results[name].dataSync() as Float32Array
          const target = (into as Partial<Record<O, Feed>> | undefined)?.[name]
          if (target) {
            target.data.set(values)
            out[name] = target.data
          } else {
            // A copy: the CPU backend can hand back an input's own array.
            out[name] = bytes.has(name)
              ? Uint8Array.from(values)
              : wide
                ? Float64Array.from(values)
                : Float32Array.from(values)
          }
        }
      } finally {
        tf.dispose(Object.values(results) as tf.Tensor[])
      }
      return out as never
    },
    dispose() {},
  }
}
