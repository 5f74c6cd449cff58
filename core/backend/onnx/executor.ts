import type { DType, Executor, Feed, Program } from '../program.ts'
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

  const compile = <I extends string, O extends string, D extends DType, U extends O>(
    program: Program<I, O, D, U>,
  ): OnnxSession => {
    const found = sessions.get(program.key)
    if (found) {
      // Least recently used goes first: re-insert on every use.
      sessions.delete(program.key)
      sessions.set(program.key, found)
      return found
    }
    const g = new GraphBuilder(program.dtype ?? 'float32')
    const inputs = {} as Record<I, Sym>
    for (const name of Object.keys(program.inputs) as I[]) {
      inputs[name] = g.input(name, program.inputs[name].shape)
    }
    const outputs = program.build<Sym>(g, inputs)
    const bytes = new Set<string>(program.bytes ?? [])
    for (const name of program.outputs) g.output(name, outputs[name], bytes.has(name))
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
      ) as never
    },
    dispose() {
      for (const s of sessions.values()) s.dispose()
      sessions.clear()
    },
  }
}
