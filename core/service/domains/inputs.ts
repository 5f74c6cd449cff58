import type { DomainHandlers, ServiceContext } from '../context.ts'

/** `inputs.*`: a run's held-out inputs for the explorer — one input's Jacobians, and how to pick it. */
export function inputHandlers(ctx: ServiceContext): DomainHandlers<'inputs'> {
  const { projects, explorer } = ctx
  /** The project and the run (NOT_FOUND when there is no such run). */
  const runOf = async (ref: string, runId: number) => {
    const project = await projects.get(ref)
    return { project, run: project.store.getRun(runId) }
  }
  return {
    'inputs.jacobians': async ({ project, runId, input }) => {
      const p = await runOf(project, runId)
      return explorer.inputJacobians(p.project, p.run, input)
    },
    'inputs.list': async ({ project, runId, ...page }) => {
      const p = await runOf(project, runId)
      return explorer.heldOutInputs(p.project, p.run, page)
    },
    'inputs.mostChanged': async ({ project, runId, ...ask }) => {
      const p = await runOf(project, runId)
      return explorer.mostChanged(p.project, p.run, ask)
    },
    'inputs.cancelRanking': async ({ project, runId, layer }) => {
      const p = await runOf(project, runId)
      return explorer.cancelRanking(p.project, p.run, layer)
    },
  }
}
