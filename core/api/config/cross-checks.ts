import type { z } from 'zod'
import {
  DEFAULT_HELD_OUT_SAMPLES,
  DEFAULT_OBJECTIVE_SAMPLES,
  EMBEDDED_MNIST_SIZE,
} from './sections.ts'

/**
 * The run config's rules across sections (../run-config.ts applies them): which measures
 * an oblique transform and IRLS may take, and the sizes a split must fit. Each names the
 * field it blames.
 */

/**
 * The measures an oblique transform may optimize. A free invertible T can change the scale
 * of J̃ = T·D·W·T⁻¹ (even with unit basis directions: T = M⁻¹ grows without bound as M
 * nears singular, and the reading side can turn every direction towards W's weakest
 * one), so a measure that changes under J → c·J is lowered by rescaling instead of by
 * sparsifying: l1, lp and log shrink with |J| (degree 1, ≈p, and ≈log), quartimax −ΣJ⁴
 * falls without bound as |J| grows (degree 4 — it is a ratio only at the fixed Frobenius
 * norm rotations keep). hoyer ‖J‖₁/‖J‖₂ is unchanged under J → c·J per input.
 * No measure here is unchanged under separate row or column scalings of J̃, and unit
 * directions do not rule those out: rows written through T = M⁻¹ grow as M nears
 * singular, columns read as W·m_j weigh ‖W·m_j‖. hoyer rewards both (a few heavy
 * directions, the rest crowded together); the condition bound (rotation.maxCondition)
 * and the log-volume barrier (rotation.obliqueBarrier) hold that off.
 */
export const OBLIQUE_MEASURES: readonly string[] = ['hoyer']

export function checkOblique(
  config: {
    rotation: { transform: string; measure: { name: string }; optimizer: { name: string } }
  } & {
    analyses: { restarts: unknown }
  },
  ctx: z.RefinementCtx,
): void {
  if (config.rotation.transform !== 'oblique') return
  const measure = config.rotation.measure.name
  if (!OBLIQUE_MEASURES.includes(measure)) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'measure'],
      message:
        `oblique transforms need a scale-free measure (hoyer); "${measure}" changes under ` +
        'J → c·J, so an invertible transform would lower it by rescaling J instead of sparsifying it',
    })
  }
  if (config.rotation.optimizer.name !== 'riemannian-adam') {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'optimizer', 'name'],
      message:
        `oblique transforms are optimized by Adam on the oblique manifold ("oblique-adam"), ` +
        `which takes the "riemannian-adam" settings; "${config.rotation.optimizer.name}" works on rotations only`,
    })
  }
  if (config.analyses.restarts !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['analyses', 'restarts'],
      message:
        'not available with rotation.transform "oblique" (its census matches orthogonal bases); set it to null',
    })
  }
}

/**
 * The measures IRLS can majorize by weighted squares: S = Σ ψ(J²) with ψ concave and ψ'(0)
 * finite. l1 (ψ = √u) has an infinite slope at 0, hoyer and quartimax are not of that form.
 */
export const IRLS_MEASURES: readonly string[] = ['lp', 'log']

export function checkIrls(
  config: { rotation: { measure: { name: string }; optimizer: { name: string } } },
  ctx: z.RefinementCtx,
): void {
  const measure = config.rotation.measure.name
  if (config.rotation.optimizer.name !== 'irls-lp' || IRLS_MEASURES.includes(measure)) return
  ctx.addIssue({
    code: 'custom',
    path: ['rotation', 'optimizer', 'name'],
    message:
      `irls-lp majorizes measures concave in J² with a finite slope at 0 (lp, log); ` +
      `"${measure}" is not one: use another optimizer or measure`,
  })
}

/** How many inputs a count takes from its list, or why it cannot. */
export type ListCount =
  | { readonly ok: true; readonly take: number; readonly warning: string | null }
  | { readonly ok: false; readonly error: string }

/**
 * The one rule for a count of inputs taken from the front of a list — rotation.samples from
 * the split's train list, evaluation.heldOutSamples from its test list (issue 13, D11):
 *   - a count larger than its list is an error naming the field, the count and the list size;
 *   - except the field's default (samples 1000; heldOutSamples null, the whole list), which
 *     is capped to the list, with a warning in the run log when that takes fewer.
 * Why: a count someone set larger than the list asks for inputs that do not exist, and
 * quietly taking fewer would change what the run's numbers mean; the default, though, has
 * to work on every split, including a small split file of the user's. (A count set to the
 * default's own value is treated as the default: a stored config cannot tell them apart.)
 */
export function listCount(
  field: string,
  count: number | null,
  defaultCount: number | null,
  listLength: number,
  /** The list as messages name it: "the split's train list", "the test list of split.json". */
  list: string,
): ListCount {
  if (count === null) return { ok: true, take: listLength, warning: null }
  if (count <= listLength) return { ok: true, take: count, warning: null }
  if (count === defaultCount) {
    return {
      ok: true,
      take: listLength,
      warning: `${field}: the default ${count} is more than the ${listLength} inputs of ${list}; using all ${listLength}`,
    }
  }
  return {
    ok: false,
    error:
      `${count} inputs asked for, but ${list} has only ${listLength}; set at most ${listLength}` +
      (defaultCount === null
        ? ' or null (the whole list)'
        : ` or leave it unset (the default ${defaultCount} is capped to the list)`),
  }
}

/** listCount for the two counts of a run config, against its split's list lengths. */
export function inputCountsOf(
  config: { rotation: { samples: number }; evaluation: { heldOutSamples: number | null } },
  train: number,
  test: number,
  /** The split file the lists come from, if any (messages name it). */
  splitFile?: string,
): { samples: ListCount; heldOutSamples: ListCount } {
  const list = (name: string) =>
    splitFile ? `the ${name} list of ${splitFile}` : `the split's ${name} list`
  return {
    samples: listCount(
      'rotation.samples',
      config.rotation.samples,
      DEFAULT_OBJECTIVE_SAMPLES,
      train,
      list('train'),
    ),
    heldOutSamples: listCount(
      'evaluation.heldOutSamples',
      config.evaluation.heldOutSamples,
      DEFAULT_HELD_OUT_SAMPLES,
      test,
      list('test'),
    ),
  }
}

/**
 * Checks across fields that are known before any data is read, so a form can show them at
 * once: a random split of the embedded digits must fit in them, and the objective and
 * held-out counts must fit the split's lists (listCount's rule).
 */
export function checkSizes(
  config: {
    data: { source: string; split: { kind: string; train?: number; test?: number } }
    rotation: { samples: number }
    evaluation: { heldOutSamples: number | null }
  },
  ctx: z.RefinementCtx,
): void {
  const split = config.data.split
  if (split.kind !== 'random' || split.train === undefined || split.test === undefined) return
  if (config.data.source === 'mnist-embedded' && split.train + split.test > EMBEDDED_MNIST_SIZE) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'split', 'test'],
      message:
        `train ${split.train} + test ${split.test} = ${split.train + split.test} exceeds the ` +
        `${EMBEDDED_MNIST_SIZE} embedded MNIST digits`,
    })
  }
  const counts = inputCountsOf(config, split.train, split.test)
  for (const [key, count] of Object.entries(counts)) {
    if (count.ok) continue
    const path = key === 'samples' ? ['rotation', 'samples'] : ['evaluation', 'heldOutSamples']
    ctx.addIssue({ code: 'custom', path, message: count.error })
  }
}
