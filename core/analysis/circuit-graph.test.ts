import { describe, expect, it } from 'vitest'
import { circuitGraph, nodeId } from './circuit-graph.ts'

// Spaces 0 (3 dirs) → 1 (2 dirs) → 2 (2 dirs).
const LAYER1 = { layer: 1, rows: 2, cols: 3, data: [0.9, 0, 0.2, 0, 0.05, 0.5] }
const LAYER2 = { layer: 2, rows: 2, cols: 2, data: [0.3, 0, 0, 0.7] }

describe('circuitGraph', () => {
  it('keeps every nonzero connection by default and names nodes L{space}:{index}', () => {
    const g = circuitGraph([LAYER2, LAYER1])
    expect(g.edges).toEqual([
      { from: 'L0:0', to: 'L1:0', layer: 1, weight: 0.9 },
      { from: 'L0:2', to: 'L1:1', layer: 1, weight: 0.5 },
      { from: 'L0:2', to: 'L1:0', layer: 1, weight: 0.2 },
      { from: 'L0:1', to: 'L1:1', layer: 1, weight: 0.05 },
      { from: 'L1:1', to: 'L2:1', layer: 2, weight: 0.7 },
      { from: 'L1:0', to: 'L2:0', layer: 2, weight: 0.3 },
    ])
    expect(g.nodes.map((n) => n.id)).toEqual([
      'L0:0',
      'L0:1',
      'L0:2',
      'L1:0',
      'L1:1',
      'L2:0',
      'L2:1',
    ])
    expect(g.nodes[2]).toEqual({ id: 'L0:2', space: 0, index: 2 })
  })

  it('keeps the top edges per layer and drops nodes left without edges', () => {
    const g = circuitGraph([LAYER1, LAYER2], { edgesPerLayer: 1 })
    expect(g.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['L0:0->L1:0', 'L1:1->L2:1'])
    expect(g.nodes.map((n) => n.id)).toEqual(['L0:0', 'L1:0', 'L1:1', 'L2:1'])
  })

  it('applies a threshold, alone or with a cap', () => {
    const g = circuitGraph([LAYER1, LAYER2], { threshold: 0.25, edgesPerLayer: Infinity })
    expect(g.edges.map((e) => e.weight)).toEqual([0.9, 0.5, 0.7, 0.3])
    expect(g.nodes.map((n) => n.id)).toEqual(['L0:0', 'L0:2', 'L1:0', 'L1:1', 'L2:0', 'L2:1'])
    const capped = circuitGraph([LAYER1, LAYER2], { threshold: 0.4, edgesPerLayer: 1 })
    expect(capped.edges.map((e) => e.weight)).toEqual([0.9, 0.7])
    const none = circuitGraph([LAYER1], { threshold: 1 })
    expect(none).toEqual({ nodes: [], edges: [] })
  })

  it('defaults to 64 edges per layer, strongest first, ties by index', () => {
    const data = Array.from({ length: 100 }, (_, e) => (e < 10 ? 1 : 1 / (e + 1)))
    const g = circuitGraph([{ layer: 3, rows: 10, cols: 10, data }])
    expect(g.edges).toHaveLength(64)
    expect(g.edges.slice(0, 10).map((e) => e.to)).toEqual(new Array(10).fill(nodeId(3, 0)))
    expect(g.edges[0].from).toBe('L2:0')
    expect(g.edges[9].from).toBe('L2:9')
    expect(g.edges[63].weight).toBe(1 / 64)
  })

  it('rejects data of the wrong size', () => {
    expect(() => circuitGraph([{ layer: 1, rows: 2, cols: 2, data: [1, 2, 3] }])).toThrow(/2×2/)
  })
})
