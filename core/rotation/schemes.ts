import type { RunConfig } from '../api/run-config.ts'

/**
 * Which rotations are optimized against which layers, in what order (DESIGN.md §1).
 * Activation spaces are 0..L; weight layer k maps space k-1 to space k.
 */
export type SchemeName = RunConfig['rotation']['scheme']

export interface Stage {
  /** Activation-space indices optimized in this stage. */
  readonly free: number[]
  /** 1-based weight layers whose objectives are summed. */
  readonly layers: number[]
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
  free: readonly number[],
): Stage[] {
  const isFree = new Set(free)
  if (scheme === 'pairwise') {
    // X→Y and Y→Z optimized independently: every hidden space gets one basis as the
    // output of the layer before and one as the input of the layer after.
    return range(1, layerCount).flatMap((k) => [
      ...(isFree.has(k) ? [{ free: [k], layers: [k], isolated: { side: 'out' as const } }] : []),
      ...(isFree.has(k - 1)
        ? [{ free: [k - 1], layers: [k], isolated: { side: 'in' as const } }]
        : []),
    ])
  }
  if (scheme === 'joint') {
    const all = [...isFree].sort((a, b) => a - b)
    return all.length ? [{ free: all, layers: range(1, layerCount) }] : []
  }
  const order = scheme === 'forward' ? range(1, layerCount) : range(1, layerCount).reverse()
  const settled = new Set<number>()
  const stages: Stage[] = []
  for (const k of order) {
    const mine = [k - 1, k].filter((i) => isFree.has(i) && !settled.has(i))
    if (!mine.length) continue
    mine.forEach((i) => settled.add(i))
    stages.push({ free: mine, layers: [k] })
  }
  return stages
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

/** The spaces a config frees: every hidden space, and the pixels and logits if asked. */
export function freeSpaces(config: RunConfig, layerCount: number): number[] {
  const rot = config.rotation
  return [
    ...(rot.freeInput ? [0] : []),
    ...range(1, layerCount - 1),
    ...(rot.freeOutput ? [layerCount] : []),
  ]
}
