import { z } from 'zod'
import { artifactInfoSchema } from '../records.ts'
import { project, runRef, tensorPayloadSchema } from './fields.ts'

/** `artifacts.*`: the tensors a run stored. */
export const artifactCommands = {
  'artifacts.list': { params: runRef, result: z.array(artifactInfoSchema) },
  'artifacts.get': {
    params: z.strictObject({ project, artifactId: z.number().int().positive() }),
    result: z.object({ info: artifactInfoSchema, tensor: tensorPayloadSchema.nullable() }),
  },
} as const
