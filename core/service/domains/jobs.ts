import { BasiscopeError } from '../../errors.ts'
import type { DomainHandlers, ServiceContext } from '../context.ts'

/** `jobs.*`: the queue of runs in worker processes. */
export function jobHandlers(ctx: ServiceContext): DomainHandlers<'jobs'> {
  return {
    'jobs.list': () => ctx.runner.list(),
    'jobs.cancel': ({ jobId }) => {
      if (!ctx.runner.cancel(jobId)) {
        throw new BasiscopeError('NOT_FOUND', `no queued or running job ${jobId}`)
      }
      return null
    },
  }
}
