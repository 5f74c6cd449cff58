import { resolve } from 'node:path'
import type { RunConfig } from '../api/run-config.ts'
import {
  type Dataset,
  type Split,
  gatherLabels,
  gatherRows,
  loadEmbeddedMnist,
  loadIdxDataset,
  randomSplit,
  readSplitFile,
} from '../data/index.ts'
import type { Warn } from '../data/checks.ts'
import { BasiscopeError } from '../errors.ts'

/** The run's data: the dataset, its split, and the gathered train and test rows. */
export interface RunData {
  readonly dataset: Dataset
  readonly split: Split
  readonly xTrain: Float32Array
  readonly yTrain: Uint8Array
  readonly xTest: Float32Array
  readonly yTest: Uint8Array
}

/** `warn` hears what the data files held but the run ignores (e.g. a split file's metadata keys). */
export function loadRunData(config: RunConfig, baseDir: string, warn: Warn = () => {}): RunData {
  const { dataset, split } = datasetAndSplit(config, baseDir, warn)
  return {
    dataset,
    split,
    xTrain: gatherRows(dataset, split.train),
    yTrain: gatherLabels(dataset, split.train),
    xTest: gatherRows(dataset, split.test),
    yTest: gatherLabels(dataset, split.test),
  }
}

function datasetAndSplit(
  config: RunConfig,
  baseDir: string,
  warn: Warn,
): { dataset: Dataset; split: Split } {
  const data = config.data
  const at = (p: string): string => resolve(baseDir, p)
  if (data.source === 'mnist-embedded') {
    const dataset = loadEmbeddedMnist()
    if (data.split.kind === 'idx-files') {
      throw new BasiscopeError(
        'INVALID_CONFIG',
        'data.split.kind: "idx-files" needs data.source "mnist-idx"; use "random" or "file"',
        'data.split.kind',
      )
    }
    const split =
      data.split.kind === 'random'
        ? randomSplit(dataset.n, data.split.train, data.split.test, data.split.seed)
        : readSplitFile(at(data.split.file), dataset.n, warn)
    return { dataset, split }
  }
  const train = loadIdxDataset(at(data.trainImages), at(data.trainLabels))
  const test = loadIdxDataset(at(data.testImages), at(data.testLabels))
  if (train.width !== test.width || train.height !== test.height) {
    throw new BasiscopeError(
      'INVALID_CONFIG',
      `data.testImages: ${at(data.testImages)} holds ${test.width}×${test.height} images but the train images ${at(data.trainImages)} are ${train.width}×${train.height}; they must match`,
      'data.testImages',
    )
  }
  const dataset = concatenate(train, test)
  const split: Split =
    data.split.kind === 'idx-files'
      ? {
          train: Array.from({ length: train.n }, (_, i) => i),
          test: Array.from({ length: test.n }, (_, i) => train.n + i),
        }
      : data.split.kind === 'random'
        ? randomSplit(dataset.n, data.split.train, data.split.test, data.split.seed)
        : readSplitFile(at(data.split.file), dataset.n, warn)
  return { dataset, split }
}

/** IDX train and test files as one dataset: train examples first, then test. */
function concatenate(train: Dataset, test: Dataset): Dataset {
  const images = new Float32Array(train.images.length + test.images.length)
  images.set(train.images)
  images.set(test.images, train.images.length)
  const labels = new Uint8Array(train.n + test.n)
  labels.set(train.labels)
  labels.set(test.labels, train.n)
  return { ...train, name: `${train.name}+${test.name}`, n: train.n + test.n, images, labels }
}
