import { initSchema } from '../../api/config/sections.ts'
import { type RunConfig } from '../../api/run-config.ts'
import { BasiscopeError } from '../../errors.ts'
import type { LayerData } from '../../jacobian/layer-data.ts'
import { type Mat, identity } from '../../linalg/matrix.ts'
import type { Rng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import { type LayerSide, jtjEigenbasis } from './jtj-eigenbasis.ts'
import { pcaRotation } from './pca.ts'
import { type L4Result, type VarimaxOptions, l4Rotation, varimaxMatrix } from './varimax.ts'

export { canonicalSigns } from './canonical.ts'
export { type LayerSide, jtjEigenbasis, meanJacobianGram } from './jtj-eigenbasis.ts'
export { type PcaOptions, covariance, pcaRotation } from './pca.ts'
export {
  type L4Options,
  type L4Result,
  type VarimaxOptions,
  type VarimaxSource,
  l4Rotation,
  meanAbsJacobian,
  meanJacobian,
  stackedJacobians,
  varimaxMatrix,
  varimaxRotation,
} from './varimax.ts'

/**
 * Initial rotations for one activation space. Every kind returns an orthogonal n × n
 * `Mat` whose ROWS are the new basis directions (ã = R·a), like the rotations the
 * optimizers produce.
 *   identity  the neuron basis.
 *   random    Haar-distributed (needs `rng`).
 *   pca       eigenvectors of the activations' covariance, descending variance (needs
 *             `activations`).
 *   jtj       eigenvectors of mean J·Jᵀ (side 'out': this space is layer k's output) or
 *             mean Jᵀ·J (side 'in': this space is layer k's input), descending (needs
 *             `layer`, `side`).
 *   varimax   ℓ4 (or varimax) rotation of the layer's Jacobians as seen from this side
 *             (default: the mean Jacobian; see varimax.ts for the sources), from the
 *             identity plus `varimaxStarts − 1` Haar starts from `rng`, keeping the best
 *             criterion (needs `layer`, `side`).
 */
export type InitKind = RunConfig['rotation']['init']

export const INIT_KINDS: readonly InitKind[] = initSchema.options

export interface InitContext {
  /** Width n of the activation space. */
  readonly dim: number
  /** 'random'; 'varimax' with more than one start. */
  readonly rng?: Rng
  /** 'pca': activations of this space on some inputs, [n × dim] row-major float32. */
  readonly activations?: Float32Array
  /** 'jtj', 'varimax': a weight layer adjacent to this space. */
  readonly layer?: LayerData
  /** Which side of `layer` this space is: 'out' (R_k of layer k) or 'in' (R_{k−1}). */
  readonly side?: LayerSide
  /** 'varimax': the current rotation on the layer's other side; null = neuron basis. */
  readonly otherBasis?: Mat | null
  /** 'varimax': source matrix and ℓ4 options (default: mean Jacobian, γ = 0). */
  readonly varimax?: VarimaxOptions
  /** 'varimax': number of starts (identity first, then Haar from `rng`); default 1. */
  readonly varimaxStarts?: number
}

export function initialRotation(kind: InitKind, ctx: InitContext): Mat {
  const n = ctx.dim
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new BasiscopeError('INVALID_ARGUMENT', `init '${kind}' needs ${what}`, 'init')
    }
    return value
  }
  switch (kind) {
    case 'identity':
      return identity(n)
    case 'random':
      return haarRotation(n, need(ctx.rng, 'an rng'))
    case 'pca': {
      const acts = need(ctx.activations, 'activations')
      if (acts.length % n !== 0) {
        throw new BasiscopeError(
          'INVALID_ARGUMENT',
          `init 'pca': ${acts.length} activation values are not rows of width ${n}`,
          'init',
        )
      }
      return pcaRotation(acts, acts.length / n, n)
    }
    case 'jtj': {
      const { layer, side } = layerAndSide(ctx, kind, need)
      return jtjEigenbasis(layer, side)
    }
    case 'varimax': {
      const { layer, side } = layerAndSide(ctx, kind, need)
      const other = ctx.otherBasis ?? null
      const starts = Math.max(1, ctx.varimaxStarts ?? 1)
      const m = varimaxMatrix(layer, side, other, ctx.varimax)
      let best: L4Result = l4Rotation(m, ctx.varimax)
      for (let s = 1; s < starts; s++) {
        const start = haarRotation(n, need(ctx.rng, 'an rng for more than one start'))
        const r = l4Rotation(m, { ...ctx.varimax, start })
        if (r.objective > best.objective) best = r
      }
      return best.rotation
    }
  }
}

function layerAndSide(
  ctx: InitContext,
  kind: InitKind,
  need: <T>(value: T | undefined, what: string) => T,
): { layer: LayerData; side: LayerSide } {
  const layer = need(ctx.layer, 'layer data')
  const side = need(ctx.side, "a side ('in' or 'out')")
  const width = side === 'out' ? layer.outDim : layer.inDim
  if (width !== ctx.dim) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `init '${kind}': layer ${layer.layer}'s ${side}put width is ${width}, not ${ctx.dim}`,
      'init',
    )
  }
  return { layer, side }
}
