/**
 * One entry point for model import: picks the reader from the file extension.
 *   .safetensors → PyTorch nn.Linear state_dict (import-safetensors.ts)
 *   .json        → TensorFlow.js LayersModel model.json + shards (import-tfjs.ts)
 */
import { fileError } from '../../errors.ts'
import type { Activation, MlpParams } from '../mlp.ts'
import { importSafetensorsModel } from './import-safetensors.ts'
import { importTfjsModel } from './import-tfjs.ts'

export const SUPPORTED_MODEL_FORMATS =
  '.safetensors (PyTorch nn.Linear state_dict) or .json (TensorFlow.js LayersModel model.json)'

/**
 * For safetensors, `activation` overrides the file's metadata (default relu). A tfjs model
 * names its own activation; an explicit `activation` that contradicts it is an error, since
 * overriding it would import a different network.
 */
export function importModel(file: string, activation?: Activation): MlpParams {
  const ext = extensionOf(file)
  if (ext === '.safetensors') return importSafetensorsModel(file, activation)
  if (ext === '.json') {
    const params = importTfjsModel(file)
    if (activation === undefined || activation === params.activation) return params
    if (params.layers.length === 1) return { ...params, activation }
    throw fileError(
      file,
      `the model's hidden layers use ${params.activation} but activation ${activation} was requested`,
    )
  }
  throw fileError(
    file,
    `unsupported model file extension ${ext === '' ? '(none)' : `"${ext}"`}; expected ${SUPPORTED_MODEL_FORMATS}`,
  )
}

function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot).toLowerCase()
}
