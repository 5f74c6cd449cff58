import { artifactNames } from '../api/artifacts.ts'
import { layerAt } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { BasisChange } from '../rotation/transform.ts'
import type { RunContext } from './run-context.ts'

/**
 * The run's tensors: each learned basis as it acts (R, or an oblique run's T with T⁻¹
 * beside it — never stored as a rotation) and the model's weights.
 */
export function emitRunArtifacts(
  run: RunContext,
  params: MlpParams,
  changes: readonly (BasisChange | null)[],
): void {
  changes.forEach((c, space) => {
    if (!c) return
    const shape = [c.forward.rows, c.forward.cols]
    if (c.kind === 'rotation') {
      run.artifact({
        kind: 'rotation',
        name: artifactNames.rotation(space),
        meta: { space },
        shape,
        data: Float32Array.from(c.forward.data),
      })
      return
    }
    run.artifact({
      kind: 'transform',
      name: artifactNames.transform(space),
      meta: { space, transform: 'oblique', note: 'ã = T·a; invertible, not orthogonal' },
      shape,
      data: Float32Array.from(c.forward.data),
    })
    run.artifact({
      kind: 'transform-inverse',
      name: artifactNames.transformInverse(space),
      meta: { space, transform: 'oblique', note: 'a = Tinv·ã; columns = unit basis directions' },
      shape,
      data: Float32Array.from(c.inverse.data),
    })
  })
  params.layers.forEach((l, i) => {
    const k = layerAt(i)
    for (const [part, data, shape] of [
      ['weight', l.weight, [l.outDim, l.inDim]],
      ['bias', l.bias, [l.outDim]],
    ] as const) {
      run.artifact({
        kind: 'model-weight',
        name: artifactNames.weight(k, part),
        meta: { layer: k, activation: params.activation },
        shape,
        data,
      })
    }
  })
}
