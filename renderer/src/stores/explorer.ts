import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { PackedFloat32 } from '../../../core/api/commands/fields.ts'
import type {
  HeldOutInputs,
  InputJacobians,
  MostChanged,
  RankingMetric,
  RankingOrder,
} from '../../../core/api/commands/inputs.ts'
import type { HeldOutMetrics } from '../../../core/api/summary.ts'
import { ApiError, api } from '../api/client.ts'
import { sameProject } from './run-view.ts'

/** Digits on one page of the explorer's grid. */
export const GRID_PAGE = 60
/** Inputs the "most changed" list shows. */
export const MOST_CHANGED_SHOWN = 24

/** One layer's J(x) in one basis, as the explorer draws it (typed arrays, never reactive). */
export interface ExplorerMap {
  readonly data: Float32Array
  readonly maxAbs: number
  readonly metrics: HeldOutMetrics
}

export interface ExplorerLayer {
  readonly layer: number
  readonly rows: number
  readonly cols: number
  readonly neuron: ExplorerMap
  readonly learned: ExplorerMap
}

/** The input in view: the command's answer with its tensors as Float32Arrays. */
export interface ExplorerInput extends Omit<InputJacobians, 'layers' | 'image'> {
  readonly pixels: Float32Array
  readonly width: number
  readonly height: number
  readonly layers: readonly ExplorerLayer[]
}

/** A page of digits (or the most-changed list) with its pixels as bytes. */
export interface DigitPage<T> {
  readonly items: readonly T[]
  readonly pixels: Uint8Array
  readonly width: number
  readonly height: number
}

/** The values of a packed float32 tensor (base64 of little-endian bytes). */
export function unpackFloat32(p: PackedFloat32): Float32Array {
  const text = atob(p.base64)
  const view = new DataView(new ArrayBuffer(text.length))
  for (let i = 0; i < text.length; i++) view.setUint8(i, text.charCodeAt(i))
  return Float32Array.from({ length: text.length / 4 }, (_, i) => view.getFloat32(i * 4, true))
}

function parseInput(r: InputJacobians): ExplorerInput {
  const { layers, image, ...rest } = r
  const map = (b: InputJacobians['layers'][number]['neuron']): ExplorerMap => ({
    data: unpackFloat32(b.jacobian),
    maxAbs: b.maxAbs,
    metrics: b.metrics,
  })
  return markRaw({
    ...rest,
    pixels: Float32Array.from(image.data),
    height: image.shape[0],
    width: image.shape[1],
    layers: layers.map((l) => ({
      layer: l.layer,
      rows: l.shape[0],
      cols: l.shape[1],
      neuron: map(l.neuron),
      learned: map(l.learned),
    })),
  })
}

function pageOf<T>(
  items: readonly T[],
  r: { pixels: { data: number[] }; width: number; height: number },
): DigitPage<T> {
  return markRaw({
    items,
    pixels: Uint8Array.from(r.pixels.data),
    width: r.width,
    height: r.height,
  })
}

/**
 * The input explorer of the run in view: a page of its held-out digits (all, or one
 * class), the input picked and its Jacobians in both bases, and the inputs a learned basis
 * changes most at a layer (a pass in the backend, with progress, that can be cancelled).
 */
export const useExplorerStore = defineStore('explorer', () => {
  const project = ref('')
  const runId = ref(0)
  const label = ref<number | null>(null)
  const offset = ref(0)
  const page = shallowRef<DigitPage<HeldOutInputs['inputs'][number]> | null>(null)
  const counts = shallowRef<{ total: number; matching: number; classCounts: number[] } | null>(null)
  const selected = ref<number | null>(null)
  const input = shallowRef<ExplorerInput | null>(null)
  const ranking = shallowRef<
    (Omit<MostChanged, 'inputs' | 'pixels'> & DigitPage<MostChanged['inputs'][number]>) | null
  >(null)
  const rankingProgress = shallowRef<{ fraction: number; etaSeconds: number | null } | null>(null)
  const loadingPage = ref(false)
  const loadingInput = ref(false)
  const rankingBusy = ref(false)
  const pageError = ref<string | null>(null)
  const inputError = ref<string | null>(null)
  const rankingError = ref<string | null>(null)
  /** The run has no learned bases to explore (NOT_FOUND): the view says so instead. */
  const unavailable = ref<string | null>(null)
  let generation = 0
  let unsubscribe: (() => void) | null = null
  let rankingLayer = 1

  const runRef = () => ({ project: project.value, runId: runId.value })

  /** Opens the explorer on a run: its first page of digits and, unless one is picked, its first input. */
  async function open(projectPath: string, id: number): Promise<void> {
    if (projectPath === project.value && id === runId.value && (page.value || loadingPage.value)) {
      return
    }
    close()
    project.value = projectPath
    runId.value = id
    unsubscribe = api().on('inputs.progress', (p) => {
      if (p.runId !== runId.value || !sameProject(p.project, project.value)) return
      if (p.layer !== rankingLayer) return
      rankingProgress.value = { fraction: p.fraction, etaSeconds: p.etaSeconds }
    })
    await loadPage()
    if (page.value && selected.value === null && page.value.items.length) {
      await select(page.value.items[0].input)
    }
  }

  function close(): void {
    generation++
    unsubscribe?.()
    unsubscribe = null
    project.value = ''
    runId.value = 0
    label.value = null
    offset.value = 0
    page.value = null
    counts.value = null
    selected.value = null
    input.value = null
    ranking.value = null
    rankingProgress.value = null
    pageError.value = null
    inputError.value = null
    rankingError.value = null
    unavailable.value = null
    loadingPage.value = false
    loadingInput.value = false
    rankingBusy.value = false
  }

  function failed(e: unknown, into: typeof pageError): void {
    if (e instanceof ApiError && e.code === 'NOT_FOUND') unavailable.value = e.message
    else into.value = (e as Error).message
  }

  async function loadPage(): Promise<void> {
    const gen = generation
    loadingPage.value = true
    pageError.value = null
    try {
      const r = await api().call('inputs.list', {
        ...runRef(),
        offset: offset.value,
        limit: GRID_PAGE,
        ...(label.value === null ? {} : { label: label.value }),
      })
      if (gen !== generation) return
      page.value = pageOf(r.inputs, r)
      counts.value = { total: r.total, matching: r.matching, classCounts: r.classCounts }
    } catch (e) {
      if (gen === generation) failed(e, pageError)
    } finally {
      if (gen === generation) loadingPage.value = false
    }
  }

  async function setLabel(l: number | null): Promise<void> {
    label.value = l
    offset.value = 0
    await loadPage()
  }

  async function setOffset(o: number): Promise<void> {
    offset.value = Math.max(0, o)
    await loadPage()
  }

  /** Picks a held-out input by its position; the last pick wins when several are in flight. */
  async function select(position: number): Promise<void> {
    const gen = generation
    selected.value = position
    loadingInput.value = true
    inputError.value = null
    try {
      const r = await api().call('inputs.jacobians', { ...runRef(), input: position })
      if (gen !== generation || selected.value !== position) return
      input.value = parseInput(r)
    } catch (e) {
      if (gen === generation && selected.value === position) failed(e, inputError)
    } finally {
      if (gen === generation && selected.value === position) loadingInput.value = false
    }
  }

  async function rank(layer: number, metric: RankingMetric, order: RankingOrder): Promise<void> {
    const gen = generation
    rankingLayer = layer
    rankingBusy.value = true
    rankingError.value = null
    rankingProgress.value = { fraction: 0, etaSeconds: null }
    try {
      const r = await api().call('inputs.mostChanged', {
        ...runRef(),
        layer,
        metric,
        order,
        limit: MOST_CHANGED_SHOWN,
      })
      if (gen !== generation || layer !== rankingLayer) return
      const { inputs, pixels, ...rest } = r
      ranking.value = markRaw({
        ...rest,
        ...pageOf(inputs, { pixels, width: r.width, height: r.height }),
      })
    } catch (e) {
      if (gen !== generation || layer !== rankingLayer) return
      if (e instanceof ApiError && e.code === 'CANCELLED') rankingError.value = 'Ranking cancelled.'
      else failed(e, rankingError)
    } finally {
      if (gen === generation && layer === rankingLayer) {
        rankingBusy.value = false
        rankingProgress.value = null
      }
    }
  }

  async function cancelRanking(): Promise<void> {
    await api().call('inputs.cancelRanking', { ...runRef(), layer: rankingLayer })
  }

  return {
    project,
    runId,
    label,
    offset,
    page,
    counts,
    selected,
    input,
    ranking,
    rankingProgress,
    loadingPage,
    loadingInput,
    rankingBusy,
    pageError,
    inputError,
    rankingError,
    unavailable,
    open,
    close,
    setLabel,
    setOffset,
    select,
    rank,
    cancelRanking,
  }
})
