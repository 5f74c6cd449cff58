import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** A clock that ticks every `ms`, so relative times in a view stay current. */
export function useNow(ms = 30_000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), ms)))
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
