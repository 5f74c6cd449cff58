// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport } from '../test/fake-transport.ts'
import { mergeConfig, useNewRunStore } from './new-run.ts'

const defaults = {
  seed: 0,
  rotation: {
    scheme: 'forward',
    optimizer: { name: 'riemannian-adam', lr: 0.01, beta1: 0.9 },
    measure: { name: 'lp', p: 0.5, eps: 0.001 },
  },
}

describe('mergeConfig', () => {
  it('merges objects but replaces one variant by another', () => {
    const merged = mergeConfig(defaults, {
      rotation: { optimizer: { name: 'seed-gd', lr: 1e-4 }, measure: { p: 1 } },
    })
    expect(merged).toEqual({
      seed: 0,
      rotation: {
        scheme: 'forward',
        optimizer: { name: 'seed-gd', lr: 1e-4 },
        measure: { name: 'lp', p: 1, eps: 0.001 },
      },
    })
    // The base is not touched.
    expect(defaults.rotation.optimizer.name).toBe('riemannian-adam')
  })
})

describe('useNewRunStore', () => {
  beforeEach(() => {
    localStorage.clear()
    const fake = fakeTransport({
      'config.defaults': () => defaults,
      'config.presets': () => [
        {
          id: 'original-method',
          name: 'Original method (seed-gd)',
          config: {
            name: 'Original method (seed-gd)',
            rotation: { optimizer: { name: 'seed-gd' } },
          },
        },
      ],
    })
    setApiClient(new ApiClient(fake.transport))
    setActivePinia(createPinia())
  })

  it('merges a preset onto the defaults without taking its display name as run name', async () => {
    const store = useNewRunStore()
    await store.load()
    const config = store.fromPreset(store.presets[0])
    expect(config.name).toBeUndefined()
    expect((config.rotation as { optimizer: unknown }).optimizer).toEqual({ name: 'seed-gd' })
  })

  it('remembers the last config per project, without the run name', () => {
    const store = useNewRunStore()
    expect(store.lastConfig('/a')).toBeNull()
    store.remember('/a', { name: 'first', seed: 3 })
    expect(store.lastConfig('/a')).toEqual({ seed: 3 })
    expect(store.lastConfig('/b')).toBeNull()
  })
})
