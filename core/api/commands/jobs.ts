import { z } from 'zod'

export const jobInfoSchema = z.object({
  jobId: z.string(),
  /** The project file's path, and its stable id. */
  project: z.string(),
  projectId: z.string(),
  runId: z.number().int(),
  state: z.enum(['queued', 'running', 'finished']),
  queuedAt: z.string(),
})
export type JobInfo = z.infer<typeof jobInfoSchema>

/** `jobs.*`: the queued and running jobs. */
export const jobCommands = {
  'jobs.list': { params: z.strictObject({}), result: z.array(jobInfoSchema) },
  'jobs.cancel': { params: z.strictObject({ jobId: z.string().min(1) }), result: z.null() },
} as const
