import type { RunConfig } from '../api/run-config.ts'
import {
  type Layer,
  type Space,
  hiddenSpaces,
  layerIn,
  layerOut,
  layerRange,
  asSpace,
} from '../model/indices.ts'

/**
 * Which rotations are optimized against which layers, in what order (DESIGN.md §1).
 * Activation spaces are 0..L; weight layer k maps space k-1 to space k (../model/indices.ts).
 */
export type SchemeName = RunConfig['rotation']['scheme']

export interface Stage {
  /** The activation spaces optimized in this stage. */
  readonly free: Space[]
  /** The weight layers whose objectives are summed. */
  readonly layers: Layer[]
  /**
   * pairwise only: the stage sees every other space in the neuron basis (not the bases
   * other stages found), and says which side of its layer the free rotation is on.
   */
  readonly isolated?: { readonly side: 'in' | 'out' }
}

/**
 * forward: layer 1, 2, …, L in turn; each optimizes the free rotations of its two
 * spaces not already settled (input side preferred). backward: the same from layer L
 * down. joint: every free rotation against the sum of all layer objectives. pairwise:
 * each layer alone, once for its output basis and once for its input basis.
 * Stages with nothing free are left out.
 */
export function planStages(
  scheme: SchemeName,
  layerCount: number,
  free: readonly Space[],
): Stage[] {
  const isFree = new Set(free)
  if (scheme === 'pairwise') {
    // X→Y and Y→Z optimized independently: every hidden space gets one basis as the
    // output of the layer before and one as the input of the layer after.
    return layerRange(layerCount).flatMap((k) => [
      ...(isFree.has(layerOut(k))
        ? [{ free: [layerOut(k)], layers: [k], isolated: { side: 'out' as const } }]
        : []),
      ...(isFree.has(layerIn(k))
        ? [{ free: [layerIn(k)], layers: [k], isolated: { side: 'in' as const } }]
        : []),
    ])
  }
  if (scheme === 'joint') {
    const all = [...isFree].sort((a, b) => a - b)
    return all.length ? [{ free: all, layers: layerRange(layerCount) }] : []
  }
  const order = scheme === 'forward' ? layerRange(layerCount) : layerRange(layerCount).reverse()
  const settled = new Set<Space>()
  const stages: Stage[] = []
  for (const k of order) {
    const mine = [layerIn(k), layerOut(k)].filter((s) => isFree.has(s) && !settled.has(s))
    if (!mine.length) continue
    mine.forEach((s) => settled.add(s))
    stages.push({ free: mine, layers: [k] })
  }
  return stages
}

/** The spaces a config frees: every hidden space, and the pixels and logits if asked. */
export function freeSpaces(config: RunConfig, layerCount: number): Space[] {
  const rot = config.rotation
  return [
    ...(rot.freeInput ? [asSpace(0)] : []),
    ...hiddenSpaces(layerCount),
    ...(rot.freeOutput ? [asSpace(layerCount)] : []),
  ]
}
