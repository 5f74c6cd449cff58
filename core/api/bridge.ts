import type { EventMessage, Reply } from './contract.ts'

/**
 * What the Electron preload puts on `window.basiscope` (and nothing more): the one API
 * contract as `call`, backend events, the application menu's actions and native file
 * pickers. The web mode's WebSocket client offers the same `call`/`onEvent` shape, so
 * the renderer never knows which transport it is on.
 */
export interface BasiscopeBridge {
  /** Sends one request (`{id, command, params}`) and resolves with its reply envelope. */
  call(request: { id: number; command: string; params: unknown }): Promise<Reply>
  /** Subscribes to backend events; returns an unsubscribe function. */
  onEvent(listener: (message: EventMessage) => void): () => void
  /** Subscribes to application-menu actions; returns an unsubscribe function. */
  onMenu(listener: (action: MenuAction) => void): () => void
  /** Shows a native file dialog; resolves with the chosen path, or null when cancelled. */
  pickPath(request: PickPathRequest): Promise<string | null>
}

export const MENU_ACTIONS = [
  'project.new',
  'project.open',
  'project.import',
  'project.export',
  'run.new',
  'run.cancel',
  'view.projects',
  'view.compare',
  'view.toggleTheme',
] as const
export type MenuAction = (typeof MENU_ACTIONS)[number]

export type PickPathRequest =
  | { kind: 'open-project' }
  | { kind: 'save-project'; defaultName: string }
  | { kind: 'directory'; title: string }

/** IPC channel names shared by main and preload. */
export const IPC_CHANNELS = {
  call: 'basiscope:call',
  event: 'basiscope:event',
  menu: 'basiscope:menu',
  pickPath: 'basiscope:pick-path',
} as const

/** The global name the preload exposes the bridge under. */
export const BRIDGE_GLOBAL = 'basiscope'

/**
 * Web mode's HTTP routes besides the page and the API's WebSocket (`/api?token=…`). Every
 * POST carries the token in the `X-Basiscope-Token` header and answers with the reply
 * envelope as JSON.
 * - `GET /api/status` (token header optional): `{ok: true, value: {token, message}}` with
 *   `token` 'valid' | 'missing' | 'invalid' — how a tab without the token learns what to do.
 * - `POST /files/export?project=<id or path>`: exports the project to a temporary file and
 *   answers `{download: '/files/download/<ticket>', filename, bytes}`; the download URL
 *   works once, within `DOWNLOAD_TTL_SECONDS`, and needs no token (the ticket is one).
 * - `POST /files/export-run?project=<id or path>&runId=<n>&format=<safetensors|npy>`: the
 *   run's export files (`runs.export`) as one zip, answered and downloaded the same way.
 * - `POST /files/import?filename=<name>` with the `.basiscope` file as the body
 *   (`Content-Type: application/octet-stream`, at most the server's upload limit): imports
 *   it like `projects.import` and answers its ProjectInfo.
 */
export const WEB_ROUTES = {
  api: '/api',
  status: '/api/status',
  exportProject: '/files/export',
  exportRun: '/files/export-run',
  download: '/files/download/',
  importProject: '/files/import',
} as const

/** The HTTP header web-mode requests carry the token in. */
export const TOKEN_HEADER = 'x-basiscope-token'

/** How long a download's one-time URL stays valid. */
export const DOWNLOAD_TTL_SECONDS = 300
