/**
 * The New run form's check of its config against the backend's schema: what the check's
 * state reads as, and how the backend's complete config fills in what the form lacks.
 */
import { type ConfigObject, DISCRIMINATORS, clone } from '../../stores/new-run.ts'

export type CheckState = 'pending' | 'checking' | 'ok' | 'invalid' | 'error'

/** The status line beside the Start button. */
export function checkStatusText(
  state: CheckState,
  issueCount: number,
  jsonError: string | null,
): string {
  if (jsonError) return 'Fix the JSON first'
  switch (state) {
    case 'pending':
    case 'checking':
      return 'Checking…'
    case 'ok':
      return 'Config is valid'
    case 'invalid':
      return `${issueCount} problem${issueCount === 1 ? '' : 's'} to fix`
    default:
      return 'Could not check the config'
  }
}

/**
 * Shows the defaults the backend filled in (e.g. a new variant's parameters) as values.
 * Only adds what is missing, and never into an object that has since become another
 * variant, so edits made while the answer was on its way stay as they are.
 */
export function fillMissing(target: ConfigObject, full: unknown): void {
  if (!full || typeof full !== 'object' || Array.isArray(full)) return
  const source = full as ConfigObject
  if (DISCRIMINATORS.some((k) => k in target && k in source && target[k] !== source[k])) return
  for (const [k, v] of Object.entries(source)) {
    if (!(k in target)) target[k] = clone(v)
    else if (target[k] && typeof target[k] === 'object' && !Array.isArray(target[k])) {
      fillMissing(target[k] as ConfigObject, v)
    }
  }
}
