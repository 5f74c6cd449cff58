import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CommandResult } from '../../../core/api/contract.ts'
import type { MetricPoint } from '../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../core/api/summary.ts'
import { api } from '../api/client.ts'
import { heatmapArtifact, heatmapLayers } from '../components/run/run-artifacts.ts'
import { seriesLayer } from '../components/run/run-curves.ts'

type Comparison = CommandResult<'runs.compare'>
type ArtifactInfo = CommandResult<'artifacts.list'>[number]

/** A heatmap tensor as the Compare view draws it (plain arrays, never reactive). */
export interface HeatmapData {
  readonly runId: number
  readonly rows: number
  readonly cols: number
  readonly data: Float32Array
}

export type CompareBasis = 'learned' | 'neuron'

/** Layers any of the runs has something for: a summary, an objective curve or a heatmap. */
export function layersOf(
  summaries: readonly (StoredRunSummary | null)[],
  curves: readonly Readonly<Record<string, unknown>>[],
  artifacts: readonly (readonly ArtifactInfo[])[],
): number[] {
  const found = new Set<number>()
  for (const s of summaries) for (const l of s?.rotation.layers ?? []) found.add(l.layer)
  for (const c of curves) {
    for (const k of Object.keys(c)) {
      const layer = seriesLayer(k)
      if (layer !== null) found.add(layer)
    }
  }
  for (const list of artifacts) for (const layer of heatmapLayers(list)) found.add(layer)
  return [...found].sort((a, b) => a - b)
}

/**
 * A config-table cell as text. A parent path (`analyses.faithfulness`) is null for a run
 * where it is an object, since only its leaves are listed: that run has it "on"; a run with
 * it null while another has leaves below it has it "off".
 */
export function configCellText(
  rows: readonly { path: string; values: readonly unknown[] }[],
  row: { path: string; values: readonly unknown[] },
  run: number,
): string {
  const v = row.values[run]
  const below = rows.filter((r) => r.path.startsWith(`${row.path}.`))
  if (below.length && (v === null || v === undefined)) {
    return below.some((r) => r.values[run] !== null && r.values[run] !== undefined) ? 'on' : 'off'
  }
  if (v === null || v === undefined) return '—'
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)))
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** Largest value over several heatmaps, so side-by-side maps share one color scale. */
export function sharedMax(maps: readonly { data: ArrayLike<number> }[]): number {
  let max = 0
  for (const m of maps) for (let i = 0; i < m.data.length; i++) max = Math.max(max, m.data[i])
  return max
}

/**
 * Side-by-side comparison of 2–4 runs: config table, key metrics (against a reference run),
 * how similar their bases are and how near each is to the neuron basis (the backend's, among
 * the runs that have bases; `withoutResults` says why the others have none), overlaid
 * curves, and the same layer's mean-|J| heatmap of every run on one color scale. A failed or
 * cancelled run takes nothing away from the others: it shows what it has.
 */
export const useCompareStore = defineStore('compare', () => {
  const project = ref('')
  const runIds = ref<number[]>([])
  const comparison = shallowRef<Comparison | null>(null)
  const summaries = shallowRef<(StoredRunSummary | null)[]>([])
  const curves = shallowRef<Record<string, MetricPoint[]>[]>([])
  const onlyDifferences = ref(true)
  const layer = ref(1)
  const basis = ref<CompareBasis>('learned')
  const heatmaps = shallowRef<HeatmapData[]>([])
  /** Runs without the chosen heatmap (not finished, or never computed). */
  const heatmapsMissing = ref<number[]>([])
  /** The run the metric table reads the others against, and how. */
  const reference = ref<number | null>(null)
  const relative = ref<'delta' | 'ratio'>('delta')
  const artifacts = shallowRef<ArtifactInfo[][]>([])
  const loading = ref(false)
  const heatmapsLoading = ref(false)
  const error = ref<string | null>(null)
  const heatmapError = ref<string | null>(null)
  let generation = 0

  /**
   * The config table's rows, a row differing where its shown texts do (a parent row like
   * `analyses.circuit` reads on/off though its raw values are all null); with only
   * differences, those rows.
   */
  const configRows = computed(() => {
    const all = comparison.value?.configTable ?? []
    const rows = all.map((r) => ({
      ...r,
      differs: r.differs || new Set(r.values.map((_, i) => configCellText(all, r, i))).size > 1,
    }))
    return onlyDifferences.value ? rows.filter((r) => r.differs) : rows
  })
  const layers = computed(() => layersOf(summaries.value, curves.value, artifacts.value))
  /** Runs in the comparison without learned bases (so not in the similarity table), with why. */
  const withoutResults = computed(() => comparison.value?.withoutResults ?? [])
  /** The runs the basis-similarity table covers (those that stored learned bases). */
  const basesAmong = computed(() => {
    const without = new Set(withoutResults.value.map((w) => w.runId))
    return runIds.value.filter((id) => !without.has(id))
  })
  const colorMax = computed(() => sharedMax(heatmaps.value))

  async function load(projectPath: string, ids: number[]): Promise<void> {
    const mine = ++generation
    project.value = projectPath
    runIds.value = ids
    loading.value = true
    error.value = null
    comparison.value = null
    heatmaps.value = []
    heatmapsMissing.value = []
    try {
      const client = api()
      const result = await client.call('runs.compare', { project: projectPath, runIds: ids })
      const details = await Promise.all(
        ids.map((runId) => client.call('runs.get', { project: projectPath, runId })),
      )
      const lists = await Promise.all(
        ids.map((runId) => client.call('artifacts.list', { project: projectPath, runId })),
      )
      const series = await Promise.all(
        ids.map((runId) =>
          client.call('runs.metrics', { project: projectPath, runId, maxPoints: 400 }),
        ),
      )
      if (mine !== generation) return
      comparison.value = result
      summaries.value = details.map((d) => (d.summary as StoredRunSummary | null) ?? null)
      artifacts.value = lists
      curves.value = series
      if (reference.value !== null && !ids.includes(reference.value)) reference.value = null
      if (!layers.value.includes(layer.value)) layer.value = layers.value[0] ?? 1
      await loadHeatmaps()
    } catch (e) {
      if (mine === generation) error.value = (e as Error).message
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Fetches the chosen layer's heatmap of every run, one tensor at a time. */
  async function loadHeatmaps(): Promise<void> {
    const mine = generation
    heatmapsLoading.value = true
    heatmapError.value = null
    const out: HeatmapData[] = []
    const missing: number[] = []
    try {
      for (let i = 0; i < runIds.value.length; i++) {
        const info = heatmapArtifact(artifacts.value[i] ?? [], layer.value, basis.value)
        if (!info) {
          missing.push(runIds.value[i])
          continue
        }
        const { tensor } = await api().call('artifacts.get', {
          project: project.value,
          artifactId: info.id,
        })
        if (!tensor || tensor.shape.length !== 2) {
          missing.push(runIds.value[i])
          continue
        }
        out.push({
          runId: runIds.value[i],
          rows: tensor.shape[0],
          cols: tensor.shape[1],
          data: Float32Array.from(tensor.data),
        })
      }
      if (mine === generation) {
        heatmaps.value = out
        heatmapsMissing.value = missing
      }
    } catch (e) {
      if (mine === generation) heatmapError.value = (e as Error).message
    } finally {
      if (mine === generation) heatmapsLoading.value = false
    }
  }

  async function setLayer(k: number): Promise<void> {
    layer.value = k
    await loadHeatmaps()
  }

  async function setBasis(b: CompareBasis): Promise<void> {
    basis.value = b
    await loadHeatmaps()
  }

  return {
    project,
    runIds,
    comparison,
    summaries,
    curves,
    onlyDifferences,
    layer,
    basis,
    heatmaps,
    heatmapsMissing,
    basesAmong,
    withoutResults,
    reference,
    relative,
    loading,
    heatmapsLoading,
    error,
    heatmapError,
    configRows,
    layers,
    colorMax,
    load,
    setLayer,
    setBasis,
  }
})
