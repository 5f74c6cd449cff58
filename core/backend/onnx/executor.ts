import type { Executor, Feed, Program } from '../program.ts'
import { GraphBuilder, type Sym } from './graph-builder.ts'
import { onnxRuntime, OnnxSession } from './runtime.ts'

/**
 * Sessions kept compiled at once. A session holds its arena (intermediates of the largest
 * chunk it ran), so the bound is on memory as much as on count; a run uses a few dozen
 * programs (layers × measures × kernels).
 */
const MAX_SESSIONS = 48

/** Programs compiled to ONNX graphs, each built once per key and run synchronously. */
export function onnxExecutor(): Executor {
  const ort = onnxRuntime()
  if (!ort) throw new Error('ONNX Runtime is not available')
  const sessions = new Map<string, OnnxSession>()

  const compile = <I extends string, O extends string>(program: Program<I, O>): OnnxSession => {
    const found = sessions.get(program.key)
    if (found) {
      // Least recently used goes first: re-insert on every use.
      sessions.delete(program.key)
      sessions.set(program.key, found)
      return found
    }
    const g = new GraphBuilder()
    const inputs = {} as Record<I, Sym>
    for (const name of Object.keys(program.inputs) as I[]) {
      const spec = program.inputs[name]
      inputs[name] = g.input(name, spec.shape, spec.type ?? 'float32')
    }
    const outputs = program.build<Sym>(g, inputs)
    for (const name of program.outputs) g.output(name, outputs[name])
    const session = new OnnxSession(ort, g.spec(program.key), program.outputs)
    sessions.set(program.key, session)
    if (sessions.size > MAX_SESSIONS) {
      const [oldest] = sessions.keys()
      sessions.get(oldest)!.dispose()
      sessions.delete(oldest)
    }
    return session
  }

  return {
    run(program, feeds, into) {
      return compile(program).run(
        feeds as Record<string, Feed>,
        (into ?? {}) as Record<string, Feed>,
      ) as Record<(typeof program.outputs)[number], Float32Array>
    },
    dispose() {
      for (const s of sessions.values()) s.dispose()
      sessions.clear()
    },
  }
}
