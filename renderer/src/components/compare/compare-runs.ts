import { computed } from 'vue'
import { useChartTheme } from '../../composables/chart-theme.ts'
import { useAppStore } from '../../stores/app.ts'
import { useCompareStore } from '../../stores/compare.ts'

/** The compared runs as every Compare card shows them: one colour and one label each. */
export function useComparedRuns() {
  const store = useCompareStore()
  const app = useAppStore()
  const theme = useChartTheme()
  const runs = computed(() => store.comparison?.runs ?? [])
  const colorOf = (i: number) => theme.value.palette[i % theme.value.palette.length]
  const runLabel = (i: number) => {
    const r = runs.value[i]
    return r ? `#${r.id} ${r.name}` : `run ${store.runIds[i]}`
  }
  const columns = computed(() => runs.value.map((r, i) => ({ id: r.id, label: runLabel(i) })))
  const onExportError = (message: string) => app.notify('error', message)
  return { store, runs, colorOf, runLabel, columns, onExportError }
}
