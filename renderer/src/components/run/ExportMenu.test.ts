// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { flush } from '../../test/fake-transport.ts'
import ExportMenu from './ExportMenu.vue'

describe('ExportMenu', () => {
  it('lists the files the backend makes and downloads one tensor as .npy', async () => {
    const listFiles = vi.fn(async () => [
      {
        kind: 'rotations' as const,
        filename: 'transforms.safetensors',
        tensors: [
          { name: 'T1', shape: [32, 32] },
          { name: 'Tinv1', shape: [32, 32] },
        ],
      },
      { kind: 'run-json' as const, filename: 'run.json', tensors: [] },
    ])
    const fetchFile = vi.fn(async () => ({
      filename: 'run-3-rotations.T1.npy',
      mimeType: 'application/octet-stream',
      base64: btoa('npy'),
    }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const w = mount(ExportMenu, {
      props: {
        tables: [],
        filePrefix: 'run-3',
        filesReady: true,
        fetchFile,
        listFiles,
        python: ['from safetensors.numpy import load_file'],
      },
    })
    await w.get('[data-testid="run-export"]').trigger('click')
    await flush()
    expect(listFiles).toHaveBeenCalledTimes(1)
    // The file the backend names, not a name of our own (an oblique run's transforms).
    expect(w.get('[data-testid="run-export-menu"]').text()).toContain('transforms.safetensors')
    expect(w.find('[data-testid="export-npy-run-json"]').exists()).toBe(false)
    await w.get('[data-testid="export-npy-rotations"]').trigger('click')
    await w.get('[data-testid="export-npy-rotations-T1"]').trigger('click')
    await flush()
    expect(fetchFile).toHaveBeenCalledWith('rotations', 'npy', 'T1')
    expect(w.emitted('done')).toEqual([['Saved run-3-rotations.T1.npy']])
    click.mockRestore()
  })

  it('offers only the run record until the run has finished', async () => {
    const listFiles = vi.fn(async () => [])
    const w = mount(ExportMenu, {
      props: { tables: [], filePrefix: 'run-3', filesReady: false, fetchFile: vi.fn(), listFiles },
    })
    await w.get('[data-testid="run-export"]').trigger('click')
    await flush()
    expect(listFiles).not.toHaveBeenCalled()
    expect(
      w.findAll('[data-testid^="export-file-"]').map((b) => b.attributes('data-testid')),
    ).toEqual(['export-file-run-json'])
  })
})
