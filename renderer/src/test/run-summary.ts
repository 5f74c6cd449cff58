import type { StoredRunSummary } from '../../../core/api/summary.ts'

/** Held-out metrics of one basis, in the summary's field order. */
export const heldOut = (
  nearZero: number,
  hoyerSparsity: number,
  measure: number,
  fanIn: number,
) => ({
  nearZero,
  hoyerSparsity,
  measure,
  fanIn,
})
const layer = (
  k: number,
  before: ReturnType<typeof heldOut>,
  after: ReturnType<typeof heldOut>,
) => ({
  layer: k,
  shape: [4, 3] as const,
  optimized: k === 1,
  optimizer: k === 1 ? 'riemannian-adam' : null,
  steps: 10,
  seconds: 1,
  stopReason: 'budget',
  objectiveStart: 10,
  objectiveEnd: 8,
  heldOut: { before, after },
  trace: [],
})

/** A small finished run: two layers, baselines and faithfulness of layer 1. */
export const exampleSummary = {
  config: { analyses: { features: { top: 9 } } },
  model: {
    layers: [3, 4, 2],
    trainHistory: [
      { epoch: 1, loss: 2, accuracy: 0.5 },
      { epoch: 2, loss: 1, accuracy: 0.8 },
    ],
  },
  rotation: {
    layers: [
      layer(1, heldOut(0.2, 0.3, 100, 5), heldOut(0.4, 0.35, 80, 4)),
      layer(2, heldOut(0, 0.1, 5, 2), heldOut(0.1, 0.1, 5, 2)),
    ],
  },
  functionPreservation: {
    maxAbsLogitDiff: 2e-6,
    accuracyBefore: 0.9,
    accuracyAfter: 0.9,
    samples: 100,
  },
  analyses: {
    baselines: [
      {
        layer: 1,
        bases: {
          learned: heldOut(0.4, 0, 0, 0),
          pca: heldOut(0.3, 0, 0, 0),
          neuron: heldOut(0.2, 0, 0, 0),
        },
      },
    ],
    faithfulness: [
      {
        layer: 1,
        fullAccuracy: 0.9,
        bases: {
          learned: {
            curve: [
              { k: 1, accuracy: 0.1 },
              { k: 12, accuracy: 0.9 },
            ],
            fewest: { '0.01': 5, '0.001': null },
          },
        },
      },
    ],
  },
} as unknown as StoredRunSummary
