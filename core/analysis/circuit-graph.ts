/**
 * The sparse Jacobians as a graph: nodes are the basis directions of each activation
 * space, edges the strongest mean |J| connections between adjacent spaces. In a basis
 * where the Jacobians are sparse, a handful of edges per layer should carry most of the
 * mass; this is the "circuit" to draw.
 */

/** Mean |J| of weight layer `layer` (1-based): [rows = d_layer × cols = d_{layer-1}]. */
export interface LayerMeanAbs {
  readonly layer: number
  readonly rows: number
  readonly cols: number
  readonly data: ArrayLike<number>
}

export interface CircuitNode {
  /** `L{space}:{index}`, e.g. `L0:17` is input direction 17. */
  readonly id: string
  readonly space: number
  readonly index: number
}

export interface CircuitEdge {
  /** Node id in space layer − 1. */
  readonly from: string
  /** Node id in space layer. */
  readonly to: string
  readonly layer: number
  /** Mean |J| of the connection. */
  readonly weight: number
}

export interface CircuitGraph {
  readonly nodes: CircuitNode[]
  readonly edges: CircuitEdge[]
}

export interface CircuitOptions {
  /** Keep at most this many strongest edges per layer (default 64; Infinity for all). */
  readonly edgesPerLayer?: number
  /** Keep only edges with weight strictly above this (default 0: zero entries never count). */
  readonly threshold?: number
}

export const DEFAULT_EDGES_PER_LAYER = 64

export function nodeId(space: number, index: number): string {
  return `L${space}:${index}`
}

/**
 * Builds the graph. Edges are ordered by layer, then weight descending (ties by the
 * lower output, then input, index); nodes by space, then index. Nodes without an edge
 * are dropped.
 */
export function circuitGraph(
  meanAbsPerLayer: readonly LayerMeanAbs[],
  options: CircuitOptions = {},
): CircuitGraph {
  const perLayer = options.edgesPerLayer ?? DEFAULT_EDGES_PER_LAYER
  const threshold = options.threshold ?? 0
  const edges: CircuitEdge[] = []
  const used = new Map<string, CircuitNode>()
  const layers = [...meanAbsPerLayer].sort((a, b) => a.layer - b.layer)
  for (const { layer, rows, cols, data } of layers) {
    if (data.length !== rows * cols) {
      throw new Error(
        `circuitGraph: layer ${layer} has ${data.length} entries, not ${rows}×${cols}`,
      )
    }
    const candidates: number[] = []
    for (let e = 0; e < data.length; e++) if (data[e] > threshold) candidates.push(e)
    candidates.sort((a, b) => data[b] - data[a] || a - b)
    for (const e of candidates.slice(0, Math.max(0, perLayer))) {
      const i = Math.floor(e / cols)
      const j = e % cols
      const from = node(used, layer - 1, j)
      const to = node(used, layer, i)
      edges.push({ from: from.id, to: to.id, layer, weight: data[e] })
    }
  }
  const nodes = [...used.values()].sort((a, b) => a.space - b.space || a.index - b.index)
  return { nodes, edges }
}

function node(used: Map<string, CircuitNode>, space: number, index: number): CircuitNode {
  const id = nodeId(space, index)
  let n = used.get(id)
  if (!n) {
    n = { id, space, index }
    used.set(id, n)
  }
  return n
}
