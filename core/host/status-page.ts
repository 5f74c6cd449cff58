/**
 * The page web mode serves at `/` while the renderer is not built: proof that the backend
 * runs, and a live view of what it is doing. Self-contained (no build step, no assets);
 * the script is a separate route (`/status.js`) because the CSP forbids inline scripts.
 * Everything shown comes from the API over the WebSocket and is set as text, never HTML.
 */

/** The route the status page loads its script from. */
export const STATUS_SCRIPT_PATH = '/status.js'

export function statusPageHtml(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Basiscope (web mode)</title>
    <style>
      :root { color-scheme: light dark; }
      body {
        margin: 0;
        font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
        color: #1f2328;
        background: #f6f8fa;
      }
      main {
        max-width: 44rem;
        margin: 3rem auto;
        padding: 1.5rem 2rem;
        background: #fff;
        border: 1px solid #d0d7de;
        border-radius: 8px;
      }
      h1 { margin: 0 0 0.25rem; font-size: 1.5rem; }
      h2 { margin: 1.5rem 0 0.5rem; font-size: 1rem; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 1rem 0; }
      dt { color: #59636e; }
      dd { margin: 0; overflow-wrap: anywhere; }
      ul { margin: 0; padding-left: 1.25rem; }
      li { overflow-wrap: anywhere; }
      code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
      .muted { color: #59636e; }
      .error { color: #cf222e; }
      .ok { color: #1a7f37; }
      @media (prefers-color-scheme: dark) {
        body { color: #e6edf3; background: #0d1117; }
        main { background: #161b22; border-color: #30363d; }
        dt, .muted { color: #9198a1; }
        .error { color: #f85149; }
        .ok { color: #3fb950; }
      }
    </style>
    <script src="${STATUS_SCRIPT_PATH}" defer></script>
  </head>
  <body>
    <main>
      <h1>Basiscope</h1>
      <p>Basiscope backend is running (web mode). The desktop UI is not built yet.</p>
      <p id="connection" class="muted">Connecting…</p>
      <dl>
        <dt>Version</dt>
        <dd id="version" class="muted">…</dd>
        <dt>Workspace</dt>
        <dd id="workspace" class="muted">…</dd>
      </dl>
      <h2>Projects</h2>
      <ul id="projects"><li class="muted">…</li></ul>
      <h2>Activity</h2>
      <ul id="activity"><li id="activity-empty" class="muted">No job events yet.</li></ul>
    </main>
  </body>
</html>
`
}

/**
 * The status page's script (plain browser JavaScript, served as `text/javascript`). It reads
 * the token from its own URL, asks for `app.info` and `projects.list`, and lists
 * `job.progress` (one line per job, updated in place) and `run.status` events as they come.
 */
export function statusPageScript(): string {
  return `'use strict'
;(() => {
  const MAX_LINES = 100
  const el = (id) => document.getElementById(id)
  const show = (id, text, cls) => {
    const node = el(id)
    node.textContent = text
    node.className = cls || ''
  }
  const item = (text, cls) => {
    const li = document.createElement('li')
    li.textContent = text
    if (cls) li.className = cls
    return li
  }

  const token = new URLSearchParams(location.search).get('token')
  if (!token) {
    show('connection', 'No access token in the address: open the URL the backend printed (it ends in ?token=…).', 'error')
    return
  }

  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://'
  const socket = new WebSocket(scheme + location.host + '/api?token=' + encodeURIComponent(token))
  let opened = false

  socket.addEventListener('open', () => {
    opened = true
    show('connection', 'Connected to the backend.', 'ok')
    socket.send(JSON.stringify({ id: 1, command: 'app.info', params: {} }))
    socket.send(JSON.stringify({ id: 2, command: 'projects.list', params: {} }))
  })
  socket.addEventListener('close', (e) => {
    if (opened) show('connection', 'Disconnected from the backend (code ' + e.code + '). Reload to reconnect.', 'error')
    else show('connection', 'Could not connect to the backend (is it still running, and is the token current?).', 'error')
  })
  socket.addEventListener('message', (e) => {
    let message
    try {
      message = JSON.parse(e.data)
    } catch {
      return
    }
    if (message && typeof message.event === 'string') onEvent(message.event, message.payload || {})
    else if (message && 'id' in message) onReply(message)
  })

  function onReply(reply) {
    const failed = reply.ok ? null : (reply.error && reply.error.code) + ': ' + (reply.error && reply.error.message)
    if (reply.id === 1) {
      if (failed) return show('version', failed, 'error')
      show('version', String(reply.value.version))
      show('workspace', String(reply.value.workspace))
    } else if (reply.id === 2) {
      const list = el('projects')
      list.replaceChildren()
      if (failed) return list.append(item(failed, 'error'))
      if (reply.value.length === 0) return list.append(item('No projects yet.', 'muted'))
      for (const p of reply.value) {
        if (p.error) list.append(item(p.path + ' (unreadable: ' + p.error + ')', 'error'))
        else list.append(item((p.name || '(unnamed)') + ' — ' + p.path))
      }
    }
  }

  const jobLines = new Map()
  function onEvent(name, p) {
    if (name !== 'job.progress' && name !== 'run.status') return
    const empty = el('activity-empty')
    if (empty) empty.remove()
    const list = el('activity')
    if (name === 'job.progress') {
      const pct = Math.round((Number(p.fraction) || 0) * 100)
      const eta = typeof p.etaSeconds === 'number' ? ', ~' + Math.ceil(p.etaSeconds) + ' s left' : ''
      const text = 'Run ' + p.runId + ' · ' + p.phase + ' ' + pct + '%' + eta + (p.message ? ' — ' + p.message : '')
      let li = jobLines.get(p.jobId)
      if (!li) {
        li = item('')
        jobLines.set(p.jobId, li)
        list.prepend(li)
      }
      li.textContent = text
    } else {
      const cls = p.status === 'failed' ? 'error' : p.status === 'completed' ? 'ok' : ''
      const time = new Date().toLocaleTimeString()
      list.prepend(item(time + ' Run ' + p.runId + ' is now ' + p.status + (p.error ? ': ' + p.error : ''), cls))
    }
    while (list.children.length > MAX_LINES) {
      const last = list.lastElementChild
      for (const [id, li] of jobLines) if (li === last) jobLines.delete(id)
      last.remove()
    }
  }
})()
`
}
