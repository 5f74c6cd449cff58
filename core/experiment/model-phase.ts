import { resolve } from 'node:path'
import { BasiscopeError } from '../errors.ts'
import { requireFinite } from './finite.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { importModel } from '../model/io/import.ts'
import type { MlpParams } from '../model/mlp.ts'
import { trainMlp } from '../model/train.ts'
import type { RunContext } from './run-context.ts'
import type { RunData } from './run-data.ts'
import type { RunSummary } from '../api/summary.ts'

export interface RunModel {
  readonly params: MlpParams
  readonly testLogits: Float32Array
  readonly summary: RunSummary['model']
}

/** The model: trained here (streaming loss and accuracy), or imported from a file. */
export async function prepareModel(run: RunContext, data: RunData): Promise<RunModel> {
  const m = run.config.model
  let params: MlpParams
  let trainSeconds = 0
  let trainHistory: RunSummary['model']['trainHistory'] = []
  if (m.source === 'train') {
    const result = await trainMlp(
      data.xTrain,
      data.yTrain,
      {
        sizes: [data.dataset.dim, ...m.hidden, data.dataset.classes],
        activation: m.activation,
        epochs: m.epochs,
        batchSize: m.batchSize,
        learningRate: m.learningRate,
        seed: m.seed ?? run.config.seed,
      },
      {
        signal: run.signal,
        onProgress: (p) => {
          run.eta.trainingPace(p.fraction, p.seconds)
          const step = (p.epoch - 1) * p.batches + p.batch
          run.metric('train.loss', step, p.loss)
          run.metric('train.accuracy', step, p.accuracy)
          run.metric('train.batchLoss', step, p.batchLoss)
          run.report('train', p.fraction, `training epoch ${p.epoch}/${p.epochs}`, {
            epoch: p.epoch,
            batch: p.batch,
            loss: p.loss,
            accuracy: p.accuracy,
          })
        },
      },
    )
    ;({ params, seconds: trainSeconds, history: trainHistory } = result)
  } else {
    const file = resolve(run.baseDir, m.file)
    params = importModel(file, m.activation)
    checkModelFits(params, data, file)
  }
  run.check()
  const testLogits = predictLogits(params, data.xTest, data.split.test.length)
  const classes = params.sizes[params.sizes.length - 1]
  const which =
    m.source === 'file' ? `the model ${resolve(run.baseDir, m.file)}` : 'the trained model'
  requireFinite(
    `the forward pass of ${which} (its logits on the ${data.split.test.length} test inputs)`,
    testLogits,
    (i) => `logit ${i % classes} of test input ${Math.floor(i / classes)}`,
  )
  const testAccuracy = accuracy(testLogits, data.yTest, data.dataset.classes)
  run.report(
    'train',
    1,
    `model ready: test accuracy ${testAccuracy.toFixed(4)}`,
    { testAccuracy },
    true,
  )
  return {
    params,
    testLogits,
    summary: {
      layers: [...params.sizes],
      activation: params.activation,
      source: m.source,
      testAccuracy,
      trainSeconds,
      trainHistory,
    },
  }
}

function checkModelFits(params: MlpParams, data: RunData, file: string): void {
  const sizes = params.sizes
  const { dim, classes } = data.dataset
  if (sizes[0] !== dim || sizes[sizes.length - 1] !== classes) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${file}: the model maps ${sizes[0]} inputs to ${sizes[sizes.length - 1]} outputs, ` +
        `but the data has ${dim} pixels and ${classes} classes`,
      file,
    )
  }
}
