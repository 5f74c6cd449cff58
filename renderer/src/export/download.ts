/**
 * Saving files from the page: a Blob behind a temporary <a download>. The same code works
 * in a browser and in Electron (which shows its save dialog for it), and needs no backend
 * file access.
 */

/** A file name that every OS accepts: no separators or reserved characters. */
export function safeFilename(name: string): string {
  const cleaned = Array.from(name, (ch) => (ch.charCodeAt(0) < 32 ? '-' : ch))
    .join('')
    .replace(/[\\/:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
  return cleaned || 'export'
}

/** Saves what a URL (a blob, or a same-origin download link) holds under a file name. */
export function downloadUrl(url: string, filename: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = safeFilename(filename)
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  downloadUrl(url, filename)
  // Revoke later: some browsers start the download only after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadText(text: string, filename: string, mimeType: string): void {
  downloadBlob(new Blob([text], { type: `${mimeType};charset=utf-8` }), filename)
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** A file as `runs.exportFile` returns it. */
export function downloadExportedFile(file: {
  filename: string
  mimeType: string
  base64: string
}): void {
  downloadBlob(new Blob([base64ToBytes(file.base64)], { type: file.mimeType }), file.filename)
}
