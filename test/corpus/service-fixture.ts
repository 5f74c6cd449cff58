import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BasiscopeService } from '../../core/service/service.ts'
import { createProject } from '../../core/store/project-store.ts'

/** What the API corpus files share: a real service on a workspace of its own. */
export interface ServiceFixture {
  readonly service: BasiscopeService
  readonly workspace: string
  /** The id of a project of the workspace, with one recorded run (no results yet). */
  readonly project: string
  readonly runId: number
}

/** A fresh workspace (under the system temp folder, `prefix-…`) with one project and run. */
export function serviceFixture(prefix: string): ServiceFixture {
  const workspace = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const store = createProject(join(workspace, 'study.basiscope'), 'Study')
  const project = store.info().id
  const runId = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} }).id
  store.close()
  const service = new BasiscopeService({
    workspaceDir: workspace,
    exportDir: mkdtempSync(join(tmpdir(), `${prefix}-out-`)),
    recordRecents: false,
  })
  return { service, workspace, project, runId }
}
