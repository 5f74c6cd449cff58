import { createRouter, createWebHashHistory, type RouteLocationRaw } from 'vue-router'

/**
 * Hash history: the same bundle works from Electron's app:// origin and the web host, and
 * a reload never asks the server for a path it does not have. Projects are named in the
 * query by their stable id (`ProjectInfo.id`), so a link survives a rename; the backend
 * takes a file path there too (older links, the recent list).
 */
export function createAppRouter() {
  return createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', name: 'projects', component: () => import('./views/ProjectsView.vue') },
      { path: '/project', name: 'project', component: () => import('./views/ProjectView.vue') },
      { path: '/run', name: 'run', component: () => import('./views/RunView.vue') },
      { path: '/compare', name: 'compare', component: () => import('./views/CompareView.vue') },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
}

export const routes = {
  projects: (): RouteLocationRaw => ({ name: 'projects' }),
  project: (project: string): RouteLocationRaw => ({ name: 'project', query: { project } }),
  /**
   * The project with its New run form open: with the defaults (or the last run's values),
   * or with the config of the run `cloneOf`.
   */
  newRun: (project: string, cloneOf?: number): RouteLocationRaw => ({
    name: 'project',
    query: cloneOf ? { project, clone: String(cloneOf) } : { project, new: '1' },
  }),
  /** The project with a run ticked for compare. */
  selectRun: (project: string, runId: number): RouteLocationRaw => ({
    name: 'project',
    query: { project, select: String(runId) },
  }),
  run: (project: string, runId: number): RouteLocationRaw => ({
    name: 'run',
    query: { project, run: String(runId) },
  }),
  compare: (project: string, runIds: readonly number[]): RouteLocationRaw => ({
    name: 'compare',
    query: { project, runs: runIds.join(',') },
  }),
}

/** The project a route names: its id (or a path), from `?project=` or an older link's `?path=`. */
export function projectQuery(query: Readonly<Record<string, unknown>>): string {
  return queryString(query.project) || queryString(query.path)
}

/** A query value as one string ('' when absent). */
export function queryString(value: unknown): string {
  if (Array.isArray(value)) return String(value[0] ?? '')
  return typeof value === 'string' ? value : ''
}
