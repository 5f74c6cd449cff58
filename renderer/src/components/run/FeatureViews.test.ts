// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { artifactNames } from '../../../../core/api/artifacts.ts'
import type { ArtifactInfo } from '../../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { ApiClient, setApiClient } from '../../api/client.ts'
import { fakeTransport } from '../../test/fake-transport.ts'
import FeatureViews from './FeatureViews.vue'

/** Four directions per hidden space, two digits each; the tensors' values do not matter here. */
const DIRECTIONS = 4
const TOP = 2
const artifact = (id: number, kind: string, name: string, shape: number[]): ArtifactInfo => ({
  id,
  runId: 1,
  kind,
  name,
  dtype: 'float32',
  shape,
  meta: null,
  bytes: 4 * shape.reduce((a, b) => a * b, 1),
})
const artifacts = [
  artifact(1, 'feature-inputs', artifactNames.featureInputs(1), [DIRECTIONS, TOP, 784]),
  artifact(2, 'feature-inputs', artifactNames.featureInputs(2), [DIRECTIONS, TOP, 784]),
  artifact(3, 'feature-template', artifactNames.featureTemplates(1), [DIRECTIONS, 784]),
]

/**
 * Hidden 1: direction 1 dead (spread 0, zero template). Hidden 2: direction 2 dead — its
 * top inputs are the first inputs in dataset order, as ties come out — and direction 3 only
 * float noise above zero.
 */
function summary(spreads: boolean) {
  const space = (s: number, spread: number[]) => ({
    space: s,
    top: Array.from({ length: DIRECTIONS }, (_, d) => [2 * d, 2 * d + 1]),
    ...(spreads ? { spread } : {}),
  })
  return {
    model: { layers: [784, DIRECTIONS, DIRECTIONS, 10] },
    data: { heldOutSamples: 100 },
    analyses: {
      features: [space(1, [1.4, 0, 2.1, 0.9]), space(2, [0.5, 1.2, 0, 3e-9])],
    },
  } as unknown as StoredRunSummary
}

function render(spreads = true) {
  const templates = new Array(DIRECTIONS * 784).fill(0.1)
  templates.fill(0, 784, 2 * 784) // direction 1 reads nothing
  const transport = fakeTransport({
    'artifacts.get': ({ artifactId }) => {
      const info = artifacts.find((a) => a.id === artifactId)!
      const n = info.shape!.reduce((a, b) => a * b, 1)
      return {
        info,
        tensor: {
          dtype: 'float32',
          shape: info.shape,
          data: info.id === 3 ? templates : new Array(n).fill(0.5),
        },
      }
    },
  })
  setApiClient(new ApiClient(transport.transport))
  const pinia = createPinia()
  setActivePinia(pinia)
  return mount(FeatureViews, {
    props: { summary: summary(spreads), artifacts, filePrefix: 'run-1' },
    global: { plugins: [pinia] },
  })
}

const inactiveDirections = (w: ReturnType<typeof render>) =>
  w
    .findAll('[data-direction]')
    .filter((c) => c.find('[data-testid="feature-inactive"]').exists())
    .map((c) => Number(c.attributes('data-direction')))

describe('FeatureViews', () => {
  afterEach(() => setApiClient(null))

  it('flags the dead directions of every hidden space and shows them no top inputs', async () => {
    const w = render()
    await flushPromises()
    expect(inactiveDirections(w)).toEqual([1])
    await w.get('[data-testid="features-space-2"]').trigger('click')
    await flushPromises()
    // Hidden 2 has no input templates: the recorded spread says which directions are dead.
    expect(inactiveDirections(w)).toEqual([2, 3])
    expect(w.text()).toContain('4 directions (2 inactive)')
    const card = (d: number) => w.get(`[data-direction="${d}"]`)
    expect(card(2).find('[data-testid="feature-no-inputs"]').exists()).toBe(true)
    expect(card(2).find('canvas').exists()).toBe(false)
    expect(card(0).find('[data-testid="feature-no-inputs"]').exists()).toBe(false)
    expect(card(0).find('canvas').exists()).toBe(true)
  })

  it('falls back to zero input templates for runs recorded without spreads', async () => {
    const w = render(false)
    await flushPromises()
    expect(inactiveDirections(w)).toEqual([1])
    await w.get('[data-testid="features-space-2"]').trigger('click')
    await flushPromises()
    expect(inactiveDirections(w)).toEqual([])
  })
})
