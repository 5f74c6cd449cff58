import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CommandResult } from '../../../core/api/contract.ts'
import type { MetricPoint } from '../../../core/api/records.ts'
import type { RunSummaryView } from '../../../core/api/summary.ts'
import { api } from '../api/client.ts'

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

/** Largest value over several heatmaps, so side-by-side maps share one color scale. */
export function sharedMax(maps: readonly { data: ArrayLike<number> }[]): number {
  let max = 0
  for (const m of maps) for (let i = 0; i < m.data.length; i++) max = Math.max(max, m.data[i])
  return max
}

/**
 * Side-by-side comparison of 2–4 runs: config table, key metrics, how similar their bases
 * are (from the backend), overlaid objective curves, and the same layer's mean-|J| heatmap
 * of every run on one color scale.
 */
export const useCompareStore = defineStore('compare', () => {
  const project = ref('')
  const runIds = ref<number[]>([])
  const comparison = shallowRef<Comparison | null>(null)
  const summaries = shallowRef<(RunSummaryView | null)[]>([])
  const curves = shallowRef<Record<string, MetricPoint[]>[]>([])
  const onlyDifferences = ref(true)
  const layer = ref(1)
  const basis = ref<CompareBasis>('learned')
  const heatmaps = shallowRef<HeatmapData[]>([])
  const loading = ref(false)
  const heatmapsLoading = ref(false)
  const error = ref<string | null>(null)
  const heatmapError = ref<string | null>(null)
  let artifacts: ArtifactInfo[][] = []
  let generation = 0

  const configRows = computed(() =>
    (comparison.value?.configTable ?? []).filter((r) => !onlyDifferences.value || r.differs),
  )
  const layers = computed(() => {
    const counts = summaries.value.map((s) => s?.rotation.layers.length ?? 0)
    return Array.from({ length: Math.min(...counts, 16) }, (_, i) => i + 1)
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
      summaries.value = details.map((d) => (d.summary as RunSummaryView | null) ?? null)
      artifacts = lists
      curves.value = series
      if (!layers.value.includes(layer.value)) layer.value = 1
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
    try {
      for (let i = 0; i < runIds.value.length; i++) {
        const info = artifacts[i]?.find(
          (a) => a.kind === 'mean-abs-jacobian' && a.name === `layer${layer.value}.${basis.value}`,
        )
        if (!info) continue
        const { tensor } = await api().call('artifacts.get', {
          project: project.value,
          artifactId: info.id,
        })
        if (!tensor || tensor.shape.length !== 2) continue
        out.push({
          runId: runIds.value[i],
          rows: tensor.shape[0],
          cols: tensor.shape[1],
          data: Float32Array.from(tensor.data),
        })
      }
      if (mine === generation) heatmaps.value = out
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
