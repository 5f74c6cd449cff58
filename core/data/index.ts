/** Datasets, their sources (embedded MNIST, IDX files) and train/test splits. */
export type { Dataset } from './dataset.ts'
export { gatherLabels, gatherRows, sha256Float32 } from './dataset.ts'
export { EMBEDDED_MNIST_SHA256, loadEmbeddedMnist } from './mnist-embedded.ts'
export type { IdxImages, IdxLabels } from './idx.ts'
export { loadIdxDataset, readIdxImages, readIdxLabels } from './idx.ts'
export type { Split } from './split.ts'
export { randomSplit, readSplitFile, validateSplit } from './split.ts'
