// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, setApiClient } from '../../api/client.ts'
import { fakeTransport, flush, runRecord } from '../../test/fake-transport.ts'
import { useNewRunStore } from '../../stores/new-run.ts'
import { useRunsStore } from '../../stores/runs.ts'
import { OPTIMIZER_NAMES, optimizerDefaults } from '../../../../core/api/config/optimizer.ts'
import NewRunForm from './NewRunForm.vue'

/** The project's id, as the project view passes it (the form remembers configs by it). */
const P = 'study-id'

const defaults = {
  seed: 0,
  backend: 'auto',
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 8000, test: 2000, seed: 0 } },
  model: {
    source: 'train',
    hidden: [128, 128],
    activation: 'relu',
    epochs: 8,
    batchSize: 64,
    learningRate: 0.001,
  },
  rotation: {
    scheme: 'forward',
    measure: { name: 'lp', p: 0.5, eps: 0.001 },
    optimizer: { name: 'riemannian-adam', lr: 0.01, batchSize: 64 },
    init: 'identity',
    samples: 1000,
    maxSteps: 100000,
    budgetSeconds: 45,
    gradTol: 1e-6,
    freeInput: false,
    freeOutput: false,
  },
  evaluation: { heldOutSamples: null, nearZeroThreshold: 0.01 },
  analyses: {
    baselines: true,
    generalization: null,
    restarts: null,
    faithfulness: null,
    circuit: null,
    features: null,
  },
}

/** A stand-in for the backend's schema, with its messages, for the fields this test edits. */
function validate(config: Record<string, unknown>) {
  const issues: { path: string; message: string }[] = []
  if (!config.model) return { ok: true, config, issues }
  const model = config.model as Record<string, unknown>
  const epochs = model.epochs
  if (typeof epochs !== 'number') {
    issues.push({
      path: 'model.epochs',
      message: `Invalid input: expected number, received ${typeof epochs}`,
    })
  } else if (epochs < 1) {
    issues.push({ path: 'model.epochs', message: 'Too small: expected number to be >=1' })
  }
  const hidden = model.hidden as unknown[]
  hidden.forEach((h, i) => {
    if (typeof h !== 'number') {
      issues.push({
        path: `model.hidden[${i}]`,
        message: 'Invalid input: expected number, received string',
      })
    }
  })
  const split = (config.data as { split: { train: number; test: number } }).split
  if (split.train + split.test > 10000) {
    issues.push({
      path: 'data.split.test',
      message: `train ${split.train} + test ${split.test} = ${split.train + split.test} exceeds the 10000 embedded MNIST digits`,
    })
  }
  if ('foo' in (config.rotation as object)) {
    issues.push({ path: 'rotation.foo', message: 'unknown key (not part of the run config)' })
  }
  return { ok: issues.length === 0, config: issues.length ? null : config, issues }
}

function setup() {
  const fake = fakeTransport({
    'config.defaults': () => defaults,
    'config.presets': () => [
      {
        id: 'original-method',
        name: 'Original method (seed-gd, forward, lr 1e-4)',
        config: {
          name: 'x',
          rotation: { optimizer: { name: 'seed-gd', lr: 0.0001, batchSize: null } },
        },
      },
      {
        id: 'fast',
        name: 'Fast (Riemannian Adam)',
        config: { rotation: { optimizer: { name: 'riemannian-adam' } } },
      },
    ],
    'config.validate': ({ config }) => validate(config as Record<string, unknown>),
    'runs.list': () => [],
    'runs.start': ({ config, name }) => {
      const run = runRecord(1, {
        name: (name as string | undefined) ?? 'run 1',
        status: 'queued',
        config,
      })
      return { run, jobId: 'job-1', runs: [{ run, jobId: 'job-1' }], group: null }
    },
  })
  setApiClient(new ApiClient(fake.transport))
  const pinia = createPinia()
  setActivePinia(pinia)
  return { fake, pinia }
}

/** Past the form's debounce, then the validation reply. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300))
  await flush()
}

describe('NewRunForm', () => {
  beforeEach(() => localStorage.clear())

  it('puts the backend message under the field it names and refuses to start', async () => {
    const { fake, pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const wrapper = mount(NewRunForm, { props: { project: P }, global: { plugins: [pinia] } })
    await flushPromises()
    await settle()
    const start = () => wrapper.get('[data-testid="start-run"]')
    const epochs = wrapper.get('[data-testid="field-model.epochs"]')
    expect((epochs.element as HTMLInputElement).value).toBe('8')
    expect(start().attributes('disabled')).toBeUndefined()

    // Text that is no number goes to the backend as typed: its schema names the problem.
    await epochs.setValue('abc')
    expect(start().attributes('disabled')).toBeDefined()
    await settle()
    const sent = fake.callsOf('config.validate').at(-1)!.config as typeof defaults
    expect(sent.model.epochs).toBe('abc')
    expect(wrapper.get('[data-testid="field-error-model.epochs"]').text()).toBe(
      'Invalid input: expected number, received string',
    )
    expect(epochs.attributes('aria-invalid')).toBe('true')
    expect(start().attributes('disabled')).toBeDefined()

    // A number is sent as a number.
    await epochs.setValue('-1')
    await settle()
    expect((fake.callsOf('config.validate').at(-1)!.config as typeof defaults).model.epochs).toBe(
      -1,
    )
    expect(wrapper.get('[data-testid="field-error-model.epochs"]').text()).toBe(
      'Too small: expected number to be >=1',
    )

    // Ctrl+Enter cannot get round the disabled button.
    await wrapper
      .get('[data-testid="run-form"]')
      .trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    expect(fake.callsOf('runs.start')).toEqual([])

    // An issue inside a list goes to the list's field.
    await wrapper.get('[data-testid="field-model.hidden"]').setValue('128, x')
    await settle()
    expect(wrapper.get('[data-testid="field-error-model.hidden"]').text()).toContain(
      'expected number',
    )
    await wrapper.get('[data-testid="field-model.hidden"]').setValue('32, 32')

    await epochs.setValue('2')
    await settle()
    expect(wrapper.find('[data-testid="field-error-model.epochs"]').exists()).toBe(false)
    expect(start().attributes('disabled')).toBeUndefined()
    await start().trigger('click')
    await flush()
    const started = fake.callsOf('runs.start')
    expect(started).toHaveLength(1)
    const config = started[0].config as typeof defaults
    expect(config.model.epochs).toBe(2)
    expect(config.model.hidden).toEqual([32, 32])
    expect(wrapper.emitted('started')).toHaveLength(1)
    wrapper.unmount()
  })

  it('merges a preset onto the defaults and shows issues that match no field at the top', async () => {
    const { pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const wrapper = mount(NewRunForm, { props: { project: P }, global: { plugins: [pinia] } })
    await flushPromises()
    await settle()
    await wrapper.get('[data-testid="preset-select"]').setValue('original-method')
    await flush()
    const optimizer = wrapper.get('[data-testid="field-rotation.optimizer.name"]')
    expect((optimizer.element as HTMLSelectElement).value).toBe('seed-gd')
    expect(
      (wrapper.get('[data-testid="field-rotation.optimizer.lr"]').element as HTMLInputElement)
        .value,
    ).toBe('0.0001')
    // The preset's display name is not the run name.
    expect((wrapper.get('[data-testid="field-name"]').element as HTMLInputElement).value).toBe('')

    await wrapper.get('[data-testid="json-toggle"]').setValue(true)
    const json = wrapper.get('[data-testid="config-json"]')
    const edited = JSON.parse((json.element as HTMLTextAreaElement).value)
    edited.rotation.foo = 1
    await json.setValue(JSON.stringify(edited))
    await settle()
    expect(wrapper.get('[data-testid="form-issues"]').text()).toContain('rotation.foo')
    expect(wrapper.get('[data-testid="start-run"]').attributes('disabled')).toBeDefined()
    await json.setValue('{ not json')
    expect(wrapper.get('[data-testid="config-json-error"]').text()).toContain('Not valid JSON')
    wrapper.unmount()
  })

  it('says truthfully which preset the values are, and asks before a preset replaces edits', async () => {
    const { pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const mountForm = async () => {
      const w = mount(NewRunForm, { props: { project: P }, global: { plugins: [pinia] } })
      await flushPromises()
      await settle()
      return w
    }
    const box = (w: Awaited<ReturnType<typeof mountForm>>) =>
      w.get('[data-testid="preset-select"]').element as HTMLSelectElement
    const selectedText = (w: Awaited<ReturnType<typeof mountForm>>) =>
      box(w).selectedOptions[0]?.textContent?.trim()

    let wrapper = await mountForm()
    expect(selectedText(wrapper)).toBe('Defaults')
    // "Fast" completes to the defaults: the form says so instead of pretending they differ.
    expect(wrapper.get('[data-testid="preset-note"]').text()).toBe(
      'Same values as “Defaults” and “Fast (Riemannian Adam)”',
    )

    // An edit is no preset any more.
    await wrapper.get('[data-testid="field-model.epochs"]').setValue('3')
    await settle()
    expect(selectedText(wrapper)).toBe('Edited — no preset')
    expect(wrapper.get('[data-testid="preset-note"]').text()).toMatch(/Edited/)

    // Choosing a preset now asks first; keeping the edits keeps them.
    await wrapper.get('[data-testid="preset-select"]').setValue('original-method')
    await flush()
    expect(wrapper.text()).toContain('Replace your edits?')
    expect(selectedText(wrapper)).toBe('Edited — no preset')
    await wrapper.get('[data-testid="confirm-dismiss"]').trigger('click')
    await flush()
    expect(wrapper.text()).not.toContain('Replace your edits?')
    const epochs = () =>
      (wrapper.get('[data-testid="field-model.epochs"]').element as HTMLInputElement).value
    expect(epochs()).toBe('3')

    // Replacing takes the preset's values.
    await wrapper.get('[data-testid="preset-select"]').setValue('original-method')
    await flush()
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await settle()
    expect(epochs()).toBe('8')
    expect(selectedText(wrapper)).toBe('Original method (seed-gd, forward, lr 1e-4)')
    wrapper.unmount()

    // With a last run remembered, the box names it, not "Defaults".
    useNewRunStore().remember(P, { ...structuredClone(defaults), seed: 7 })
    wrapper = await mountForm()
    expect(selectedText(wrapper)).toBe('Last used in this project')
    expect((wrapper.get('[data-testid="field-seed"]').element as HTMLInputElement).value).toBe('7')
    wrapper.unmount()
  })

  it('shows a cross-field check of the backend under the field it names', async () => {
    const { pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const wrapper = mount(NewRunForm, { props: { project: P }, global: { plugins: [pinia] } })
    await flushPromises()
    await settle()
    await wrapper.get('[data-testid="field-data.split.train"]').setValue('9500')
    await settle()
    expect(wrapper.get('[data-testid="field-error-data.split.test"]').text()).toMatch(
      /exceeds the 10000 embedded MNIST digits/,
    )
    expect(wrapper.get('[data-testid="start-run"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('starts from the config of a run to clone', async () => {
    const { pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const source = runRecord(4, {
      name: 'tuned',
      config: { ...structuredClone(defaults), name: 'tuned', seed: 42 },
    })
    const wrapper = mount(NewRunForm, {
      props: { project: P, cloneOf: source },
      global: { plugins: [pinia] },
    })
    await flushPromises()
    await settle()
    expect(wrapper.get('[data-testid="clone-of"]').text()).toContain('#4 “tuned”')
    expect((wrapper.get('[data-testid="field-seed"]').element as HTMLInputElement).value).toBe('42')
    const box = wrapper.get('[data-testid="preset-select"]').element as HTMLSelectElement
    expect(box.selectedOptions[0].textContent?.trim()).toBe('Run #4 “tuned”')
    wrapper.unmount()
  })

  it('offers the schema’s optimizers and fills a picked one’s defaults from the schema', async () => {
    const { fake, pinia } = setup()
    await useRunsStore().load({ id: P, path: P })
    const wrapper = mount(NewRunForm, { props: { project: P }, global: { plugins: [pinia] } })
    await flushPromises()
    await settle()
    const select = wrapper.get('[data-testid="field-rotation.optimizer.name"]')
    const offered = [...(select.element as HTMLSelectElement).options].map((o) => o.value)
    expect(offered).toEqual([...OPTIMIZER_NAMES])
    expect(offered).not.toContain('oblique-adam')

    const checks = fake.callsOf('config.validate').length
    await select.setValue('landing')
    // At once, before any answer from the backend: the parameters the schema gives landing.
    const value = (path: string) =>
      (wrapper.get(`[data-testid="field-${path}"]`).element as HTMLInputElement).value
    expect(value('rotation.optimizer.attraction')).toBe(
      String(optimizerDefaults('landing').attraction),
    )
    expect(value('rotation.optimizer.lr')).toBe(String(optimizerDefaults('landing').lr))
    expect(wrapper.find('[data-testid="field-rotation.optimizer.warmupSteps"]').exists()).toBe(
      false,
    )
    await settle()
    // One check of the whole config, no round trip to learn the defaults.
    expect(fake.callsOf('config.validate').length).toBe(checks + 1)
    expect(
      (fake.callsOf('config.validate').at(-1)!.config as typeof defaults).rotation.optimizer,
    ).toEqual({ name: 'landing', ...optimizerDefaults('landing') })

    // An analysis turned on gets the schema's parameters for it.
    await wrapper.get('[data-testid="field-analyses.generalization"]').setValue(true)
    expect(value('analyses.generalization.sizes')).toBe('1, 10, 100, 1000')
    wrapper.unmount()
  })
})
