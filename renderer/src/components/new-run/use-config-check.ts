import { type Ref, onBeforeUnmount, ref, watch } from 'vue'
import { type ConfigObject, clone, useNewRunStore } from '../../stores/new-run.ts'
import type { Issue } from './fields.ts'
import { type CheckState, fillMissing } from './config-check.ts'

const DEBOUNCE_MS = 250

/**
 * Checks the form's config with the backend's schema as it is edited (debounced); only the
 * newest answer counts. A valid answer fills in the defaults the form lacks (not in the JSON
 * editor, whose text is the user's).
 */
export function useConfigCheck(
  config: Ref<ConfigObject>,
  ready: Ref<boolean>,
  jsonMode: Ref<boolean>,
) {
  const store = useNewRunStore()
  /** The backend's complete version of the config, when its last answer was about this one. */
  const validConfig = ref<ConfigObject | null>(null)
  const issues = ref<Issue[]>([])
  const state = ref<CheckState>('pending')
  const checkError = ref<string | null>(null)

  let timer: ReturnType<typeof setTimeout> | undefined
  let seq = 0
  watch(
    config,
    () => {
      if (!ready.value) return
      state.value = 'pending'
      // An answer already on its way is about an older config: it must not count.
      seq++
      clearTimeout(timer)
      timer = setTimeout(() => void check(), DEBOUNCE_MS)
    },
    { deep: true },
  )
  onBeforeUnmount(() => clearTimeout(timer))

  /** Asks the backend whether the config is valid; only the newest answer counts. */
  async function check(): Promise<boolean> {
    clearTimeout(timer)
    const mine = ++seq
    state.value = 'checking'
    try {
      const result = await store.validate(clone(config.value))
      if (mine !== seq) return false
      issues.value = result.issues
      checkError.value = null
      validConfig.value = result.ok ? (result.config as ConfigObject) : null
      state.value = result.ok ? 'ok' : 'invalid'
      if (result.ok && !jsonMode.value) fillMissing(config.value, result.config)
      return result.ok
    } catch (e) {
      if (mine === seq) {
        checkError.value = (e as Error).message
        state.value = 'error'
      }
      return false
    }
  }

  return { validConfig, issues, state, checkError, check }
}
