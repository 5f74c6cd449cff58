import type { DomainHandlers, ServiceContext } from '../context.ts'

/** `artifacts.*`: the tensors and analysis results a run recorded. */
export function artifactHandlers(ctx: ServiceContext): DomainHandlers<'artifacts'> {
  return {
    'artifacts.list': async ({ project, runId }) => {
      const { store } = await ctx.projects.get(project)
      store.getRun(runId)
      return store.listArtifacts(runId)
    },
    'artifacts.get': async ({ project, artifactId }) => {
      const { store } = await ctx.projects.get(project)
      const info = store.artifactMeta(artifactId)
      const t = store.readArtifactTensor(artifactId)
      return {
        info,
        tensor: t ? { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data) } : null,
      }
    },
  }
}
