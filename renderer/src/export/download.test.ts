// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { base64ToBytes, downloadBlob, downloadExportedFile, safeFilename } from './download.ts'

describe('downloads', () => {
  afterEach(() => vi.restoreAllMocks())

  it('makes file names every OS accepts', () => {
    expect(safeFilename('run 3: layer/1 "before"?')).toBe('run 3- layer-1 -before-')
    expect(safeFilename('a\u0000b')).toBe('a-b')
    expect(safeFilename('  ')).toBe('export')
  })

  it('decodes base64 to bytes', () => {
    expect(Array.from(base64ToBytes(btoa('\u0000\u0001\u00ff')))).toEqual([0, 1, 255])
  })

  it('clicks a temporary <a download> for the blob and removes it', () => {
    const create = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x')
    const clicks: { href: string; download: string }[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push({ href: this.href, download: this.download })
    })
    downloadBlob(new Blob(['x']), 'run-1-held-out.csv')
    expect(create).toHaveBeenCalledTimes(1)
    expect(clicks).toEqual([{ href: 'blob:x', download: 'run-1-held-out.csv' }])
    expect(document.querySelectorAll('a').length).toBe(0)
  })

  it('saves a runs.exportFile result under its own name and type', async () => {
    let blob: Blob | null = null
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blob = b as Blob
      return 'blob:y'
    })
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    downloadExportedFile({
      filename: 'run-2-rotations.safetensors',
      mimeType: 'application/octet-stream',
      base64: btoa('abc'),
    })
    expect(blob!.type).toBe('application/octet-stream')
    expect(await blob!.text()).toBe('abc')
  })
})
