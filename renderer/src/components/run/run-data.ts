import type { MetricPoint } from '../../../../core/api/records.ts'
import type { HeldOutMetrics, StoredRunSummary } from '../../../../core/api/summary.ts'
import type { Table } from '../../export/table.ts'
import type { LineSeries, Point } from '../charts/options.ts'
import { ratio } from '../../format.ts'

/**
 * What the run view derives from a summary and metric series, as pure functions: tables
 * (shown and exported from one definition), curves, names. Tested without a DOM.
 */

/** A config value by dotted path ('analyses.features'), undefined when absent. */
export function configValue(config: unknown, path: string): unknown {
  let v: unknown = config
  for (const key of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** Activation space names: 0 is the input (pixels), L the logits, between them hidden k. */
export function spaceName(space: number, layers: number): string {
  if (space === 0) return 'input'
  if (space === layers) return 'logits'
  return `hidden ${space}`
}

/** "Layer 1 · input → hidden 1". */
export function layerTitle(layer: number, layers: number): string {
  return `Layer ${layer} · ${spaceName(layer - 1, layers)} → ${spaceName(layer, layers)}`
}

export type HeldOutKey = keyof HeldOutMetrics

/** The held-out metrics, and which direction means sparser. */
export const HELD_OUT_METRICS: readonly {
  key: HeldOutKey
  label: string
  higherIsSparser: boolean
  description: string
}[] = [
  {
    key: 'nearZero',
    label: 'near-zero',
    higherIsSparser: true,
    description: 'share of entries below 1% of the per-input max |J|',
  },
  {
    key: 'hoyerSparsity',
    label: 'Hoyer',
    higherIsSparser: true,
    description: 'Hoyer sparsity in [0, 1]',
  },
  {
    key: 'measure',
    label: 'measure',
    higherIsSparser: false,
    description: 'the optimized measure, mean over held-out inputs',
  },
  {
    key: 'fanIn',
    label: 'fan-in',
    higherIsSparser: false,
    description: 'effective fan-in (participation ratio of |J_i·|²)',
  },
]

/** Whether a change from before to after is towards sparser (true), away (false) or none (null). */
export function sparser(key: HeldOutKey, before: number, after: number): boolean | null {
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === after) return null
  const up = after > before
  return HELD_OUT_METRICS.find((m) => m.key === key)!.higherIsSparser ? up : !up
}

/** Held-out metrics per layer, neuron basis → learned bases, with ratios. */
export function heldOutTable(s: StoredRunSummary): Table {
  const columns = [
    { key: 'layer', label: 'layer' },
    { key: 'shape', label: 'shape' },
    { key: 'optimized', label: 'optimized' },
  ]
  for (const m of HELD_OUT_METRICS) {
    columns.push(
      { key: `${m.key}.before`, label: `${m.label} before` },
      { key: `${m.key}.after`, label: `${m.label} after` },
      { key: `${m.key}.ratio`, label: `${m.label} after/before` },
    )
  }
  const rows = s.rotation.layers.map((l) => {
    const row: Record<string, string | number | boolean | null> = {
      layer: l.layer,
      shape: `${l.shape[0]}x${l.shape[1]}`,
      optimized: l.optimized,
    }
    for (const m of HELD_OUT_METRICS) {
      row[`${m.key}.before`] = l.heldOut.before[m.key]
      row[`${m.key}.after`] = l.heldOut.after[m.key]
      row[`${m.key}.ratio`] = ratio(l.heldOut.before[m.key], l.heldOut.after[m.key])
    }
    return row
  })
  return { name: 'held-out metrics', columns, rows }
}

/** The bases of the baselines and faithfulness, in the order tables show them. */
export const BASELINE_ORDER = ['neuron', 'random', 'pca', 'jtj', 'lib', 'learned'] as const
export const BASIS_LABELS: Record<string, string> = {
  neuron: 'neuron',
  random: 'random',
  pca: 'PCA',
  jtj: 'JᵀJ eigen',
  lib: 'LIB',
  learned: 'learned',
}

/** Basis names in the tables' order (BASELINE_ORDER; unknown names last). */
export function orderBases(names: Iterable<string>): string[] {
  const seen = new Set(names)
  const known = BASELINE_ORDER.filter((n) => seen.has(n))
  return [...known, ...[...seen].filter((n) => !(BASELINE_ORDER as readonly string[]).includes(n))]
}

/** The bases a baselines entry has, in a fixed order (unknown names last). */
export function baselineNames(s: StoredRunSummary): string[] {
  return orderBases(s.analyses.baselines?.flatMap((b) => Object.keys(b.bases)) ?? [])
}

/** One held-out metric per layer in every baseline basis and the learned one. */
export function baselinesTable(s: StoredRunSummary, metric: HeldOutKey): Table {
  const names = baselineNames(s)
  return {
    name: `baselines ${metric}`,
    columns: [
      { key: 'layer', label: 'layer' },
      ...names.map((n) => ({ key: n, label: BASIS_LABELS[n] ?? n })),
    ],
    rows: (s.analyses.baselines ?? []).map((b) => ({
      layer: b.layer,
      ...Object.fromEntries(names.map((n) => [n, b.bases[n]?.[metric] ?? null])),
    })),
  }
}

/** Per layer: who optimized it, for how long, why it stopped, objective start → end. */
export function optimizationTable(s: StoredRunSummary): Table {
  return {
    name: 'optimization',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'optimized', label: 'optimized' },
      { key: 'optimizer', label: 'optimizer' },
      { key: 'steps', label: 'steps' },
      { key: 'seconds', label: 'seconds' },
      { key: 'stopReason', label: 'stop reason' },
      { key: 'objectiveStart', label: 'objective start' },
      { key: 'objectiveEnd', label: 'objective end' },
      { key: 'objectiveRatio', label: 'end/start' },
    ],
    rows: s.rotation.layers.map((l) => ({
      layer: l.layer,
      optimized: l.optimized,
      optimizer: l.optimizer,
      steps: l.steps,
      seconds: l.seconds,
      stopReason: l.stopReason,
      objectiveStart: l.objectiveStart,
      objectiveEnd: l.objectiveEnd,
      objectiveRatio: ratio(l.objectiveStart, l.objectiveEnd),
    })),
  }
}

/** The tolerances a faithfulness analysis reports fewest counts for, tightest first. */
export function faithfulnessTolerances(
  f: readonly { bases: Readonly<Record<string, { fewest: Readonly<Record<string, unknown>> }>> }[],
): string[] {
  return [
    ...new Set(f.flatMap((l) => Object.values(l.bases).flatMap((b) => Object.keys(b.fewest)))),
  ].sort((a, b) => Number(a) - Number(b))
}

/**
 * Faithfulness per layer and basis: the fewest connections, and the fewest directions of the
 * layer's input space, that keep accuracy within each tolerance.
 */
export function faithfulnessTable(s: StoredRunSummary): Table {
  const f = s.analyses.faithfulness ?? []
  const tolerances = faithfulnessTolerances(f)
  const withNodes = f.some((l) => Object.values(l.bases).some((b) => b.fewestNodes))
  return {
    name: 'faithfulness',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'basis', label: 'basis' },
      { key: 'connections', label: 'connections' },
      ...tolerances.map((t) => ({ key: `fewest.${t}`, label: `fewest connections within ${t}` })),
      ...(withNodes
        ? [
            { key: 'directions', label: 'directions' },
            ...tolerances.map((t) => ({
              key: `fewestNodes.${t}`,
              label: `fewest directions within ${t}`,
            })),
          ]
        : []),
    ],
    rows: f.flatMap((l) =>
      orderBases(Object.keys(l.bases)).map((basis) => {
        const b = l.bases[basis]
        return {
          layer: l.layer,
          basis,
          connections: b.curve.at(-1)?.k ?? null,
          ...Object.fromEntries(tolerances.map((t) => [`fewest.${t}`, b.fewest[t] ?? null])),
          ...(withNodes
            ? {
                directions: l.nodeSpace === undefined ? null : s.model.layers[l.nodeSpace],
                ...Object.fromEntries(
                  tolerances.map((t) => [`fewestNodes.${t}`, b.fewestNodes?.[t] ?? null]),
                ),
              }
            : {}),
        }
      }),
    ),
  }
}

export function generalizationTable(s: StoredRunSummary): Table {
  return {
    name: 'generalization',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'samples', label: 'objective inputs' },
      { key: 'steps', label: 'steps' },
      { key: 'objective', label: 'objective' },
      { key: 'nearZero', label: 'held-out near-zero' },
      { key: 'hoyerSparsity', label: 'held-out Hoyer' },
      { key: 'measure', label: 'held-out measure' },
    ],
    rows: (s.analyses.generalization ?? []).flatMap((g) =>
      g.points.map((p) => ({
        layer: g.layer,
        samples: p.samples,
        steps: p.steps,
        objective: p.objective,
        nearZero: p.heldOut.nearZero,
        hoyerSparsity: p.heldOut.hoyerSparsity,
        measure: p.heldOut.measure,
      })),
    ),
  }
}

export function agreementTable(s: StoredRunSummary): Table {
  return {
    name: 'basis agreement',
    columns: [
      { key: 'space', label: 'space' },
      { key: 'meanAbsCos', label: 'mean |cos|' },
      { key: 'chance', label: 'chance' },
      { key: 'permutationDistance', label: 'permutation distance' },
    ],
    rows: (s.analyses.agreement ?? []).map((a) => ({ ...a })),
  }
}

export function restartsTable(s: StoredRunSummary): Table {
  return {
    name: 'restarts',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'starts', label: 'starts' },
      { key: 'converged', label: 'converged' },
      { key: 'reachedBest', label: 'reached best' },
      { key: 'distinctMinima', label: 'distinct minima' },
      { key: 'best', label: 'best value' },
      { key: 'worst', label: 'worst value' },
    ],
    rows: (s.analyses.restarts ?? []).map((r) => ({
      layer: r.layer,
      starts: r.census.starts,
      converged: r.census.converged,
      reachedBest: r.census.reachedBest,
      distinctMinima: r.census.distinctMinima,
      best: r.census.best.value,
      worst: r.values.length ? Math.max(...r.values) : null,
    })),
  }
}

/** A metric series as chart points against optimizer step or seconds since the run began. */
export function toPoints(points: readonly MetricPoint[], x: 'step' | 'wallTime'): Point[] {
  return points.map((p) => [p[x], p.value] as const)
}

/** What an optimization curve is drawn against. */
export type CurveAxis = 'step' | 'stageSeconds' | 'runSeconds'

export const CURVE_AXES: readonly { id: CurveAxis; button: string; label: string }[] = [
  { id: 'step', button: 'step', label: 'optimizer step' },
  { id: 'stageSeconds', button: 's in stage', label: 'seconds since the stage began' },
  { id: 'runSeconds', button: 's in run', label: 'seconds since the run began' },
]

/**
 * A series against step, seconds since its stage began (stages of a forward run start one
 * after another, so each layer's curve starts near 0), or seconds since the run. The stage
 * began at `stageStart` (its `stageStart.*` series) where the run recorded it; older runs
 * fall back to the series' first point, which hides the time before the first step.
 */
export function curvePoints(
  points: readonly MetricPoint[],
  axis: CurveAxis,
  stageStart: number | null = null,
): Point[] {
  if (axis === 'step') return toPoints(points, 'step')
  const t0 = axis === 'stageSeconds' ? (stageStart ?? points[0]?.wallTime ?? 0) : 0
  return points.map((p) => [p.wallTime - t0, p.value] as const)
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not pulled
 * towards 0); weight 0 is the series itself. Non-finite values are skipped, not averaged.
 */
export function emaSmooth(points: readonly Point[], weight: number): Point[] {
  if (!(weight > 0)) return [...points]
  let last = 0
  let n = 0
  const out: Point[] = []
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) continue
    last = last * weight + (1 - weight) * y
    n++
    out.push([x, last / (1 - weight ** n)])
  }
  return out
}

/**
 * The curve of a series as a chart shows it: raw, or faint under its EMA when smoothing.
 */
export function smoothedSeries(
  base: { name: string; color?: string },
  points: readonly Point[],
  weight: number,
): LineSeries[] {
  if (!(weight > 0)) return [{ ...base, points }]
  return [
    { ...base, points, opacity: 0.28, width: 1 },
    { name: `${base.name} · EMA ${weight}`, color: base.color, points: emaSmooth(points, weight) },
  ]
}

/**
 * Every metric series of one or more runs (objective and gradient norm per stage, training
 * loss and accuracy per batch), long format: one row per point, for a spreadsheet or pandas.
 */
export function metricSeriesTable(
  runs: readonly {
    id: number
    name: string
    metrics: Readonly<Record<string, readonly MetricPoint[]>>
  }[],
): Table {
  return {
    name: 'series',
    columns: [
      { key: 'run', label: 'run' },
      { key: 'runName', label: 'run name' },
      { key: 'series', label: 'series' },
      { key: 'step', label: 'step' },
      { key: 'wallTime', label: 'seconds since run start' },
      { key: 'value', label: 'value' },
    ],
    rows: runs.flatMap((r) =>
      Object.keys(r.metrics)
        .sort()
        .flatMap((key) =>
          r.metrics[key].map((p) => ({
            run: r.id,
            runName: r.name,
            series: key,
            step: p.step,
            wallTime: p.wallTime,
            value: p.value,
          })),
        ),
    ),
  }
}

/**
 * A metric series' name: `{prefix}.{stage}` — prefix `objective`, `gradNorm` or
 * `stageStart`, stage `layer2`, `layer1.in` (pairwise: a layer's input side), `joint`.
 */
export interface SeriesName {
  readonly prefix: string
  /** The stage the series belongs to (what `stageStart.{stage}` is keyed by). */
  readonly stage: string
  /** The one layer the stage optimized, or null for a joint stage. */
  readonly layer: number | null
  readonly side: 'in' | 'out' | null
}

export function parseSeries(key: string): SeriesName {
  const dot = key.indexOf('.')
  const prefix = dot < 0 ? key : key.slice(0, dot)
  const stage = dot < 0 ? '' : key.slice(dot + 1)
  const m = /^layer(\d+)(?:\.(out|in))?$/.exec(stage)
  return {
    prefix,
    stage,
    layer: m ? Number(m[1]) : null,
    side: (m?.[2] as 'in' | 'out' | undefined) ?? null,
  }
}

/** The layer an optimizer series (objective, gradient norm) is about, or null. */
export function seriesLayer(key: string): number | null {
  const s = parseSeries(key)
  return s.prefix === 'objective' || s.prefix === 'gradNorm' ? s.layer : null
}

export interface SeriesGroup {
  readonly key: string
  /** "layer 1", "all layers (joint)", "layer 2 (output side)". */
  readonly label: string
  readonly points: readonly MetricPoint[]
  /** Seconds since the run began at which the stage started (`stageStart.*`), if recorded. */
  readonly stageStart: number | null
}

/** The series under a prefix (`objective`, `gradNorm`), ordered by layer. */
export function seriesGroups(
  metrics: Readonly<Record<string, readonly MetricPoint[]>>,
  prefix: string,
): SeriesGroup[] {
  return Object.keys(metrics)
    .filter((k) => k.startsWith(`${prefix}.`))
    .map((key) => {
      const s = parseSeries(key)
      const label =
        s.layer !== null
          ? `layer ${s.layer}${s.side ? ` (${s.side}put side)` : ''}`
          : s.stage.startsWith('joint')
            ? 'all layers (joint)'
            : s.stage
      return {
        key,
        label,
        points: metrics[key],
        stageStart: metrics[`stageStart.${s.stage}`]?.[0]?.value ?? null,
        order: s.layer !== null ? s.layer + (s.side === 'in' ? 0.5 : 0) : 1e9,
      }
    })
    .sort((a, b) => a.order - b.order || a.key.localeCompare(b.key))
    .map(({ order: _order, ...g }) => g)
}

/**
 * Training curves against epochs: for the loss the true per-batch loss (`train.batchLoss`,
 * faint) beside the trainer's running mean over the epoch so far (`train.loss`, which
 * restarts at each epoch), and, when the summary has it, the per-epoch history (points).
 * Batch steps become fractional epochs.
 */
export function trainingSeries(
  metrics: Readonly<Record<string, readonly MetricPoint[]>>,
  history: readonly { epoch: number; loss: number; accuracy: number }[],
  which: 'loss' | 'accuracy',
  colors: { batch: string; epoch: string },
): LineSeries[] {
  const mean = metrics[`train.${which}`] ?? []
  const perBatch = which === 'loss' ? (metrics['train.batchLoss'] ?? []) : []
  const steps = [...mean, ...perBatch]
  const epochs = history.length ? history[history.length - 1].epoch : null
  const lastStep = steps.reduce((m, p) => Math.max(m, p.step), 0)
  const stepsPerEpoch = epochs && lastStep > 0 ? lastStep / epochs : null
  const x = (step: number) => (stepsPerEpoch ? step / stepsPerEpoch : step)
  const out: LineSeries[] = []
  if (perBatch.length) {
    out.push({
      name: 'loss per batch',
      points: perBatch.map((p) => [x(p.step), p.value] as const),
      color: colors.batch,
      width: 1,
      opacity: 0.45,
    })
  }
  if (mean.length) {
    out.push({
      name: `${which}, epoch mean so far`,
      points: mean.map((p) => [x(p.step), p.value] as const),
      color: perBatch.length ? colors.epoch : colors.batch,
      width: perBatch.length ? 1.5 : 1,
    })
  }
  if (history.length) {
    out.push({
      name: `${which} per epoch`,
      points: history.map((h) => [h.epoch, h[which]] as const),
      color: colors.epoch,
      symbols: true,
      width: 2,
    })
  }
  return out
}

/** The check every run must pass: same logits (to float error) and the same accuracy. */
export const LOGIT_TOLERANCE = 1e-3

/** Whether a function check passed: the run's own, or LIB's (`analyses.lib`). */
export function functionPreserved(f: {
  maxAbsLogitDiff: number
  accuracyBefore: number
  accuracyAfter: number
}): boolean {
  return f.maxAbsLogitDiff < LOGIT_TOLERANCE && f.accuracyBefore === f.accuracyAfter
}

/** Which config option turns each analysis on, for the empty states. */
export const ANALYSIS_HINTS: Record<string, string> = {
  baselines: 'Baselines run by default; this run had "analyses.baselines": false.',
  generalization:
    'Set "analyses.generalization" in the run config, e.g. {"sizes": [1, 10, 100, 1000], "budgetSeconds": 10}: each free rotation is refit on the first N objective inputs and judged on held-out inputs.',
  faithfulness:
    'Set "analyses.faithfulness": {} (optionally {"points": 16}) to ablate all but the k strongest connections and measure test accuracy against k, per basis.',
  circuit:
    'Set "analyses.circuit": {} (optionally {"edgesPerLayer": 64}) to draw the strongest rotated connections between adjacent spaces.',
  features:
    'Set "analyses.features": {} (optionally {"top": 9}) to store the top-activating test inputs of every direction and the 28×28 input templates of layer 1.',
  restarts:
    'Set "analyses.restarts": {"starts": 4} to rerun each layer from seeded random starts and count the distinct minima.',
  lib: 'The LIB baseline comes with the baselines ("analyses.baselines": true, the default); runs made before it have none.',
  agreement:
    'Basis agreement needs the "pairwise" scheme ("rotation.scheme": "pairwise"): X→Y and Y→Z are optimized independently and the two bases found for Y compared.',
}

/**
 * Three lines of Python that load a run's exported bases (the Export menu's safetensors
 * file, as downloaded: `run-N-rotations.safetensors`, or `run-N-transforms.safetensors` for
 * oblique runs) and apply one to hidden activations, one input per row, and a comment with
 * the NumPy alternative (`run-N-rotations.R1.npy`, one file per tensor). Tensor names as the
 * export writes them: R1 … R{L−1}, or T{k} with Tinv{k}.
 */
export function pythonSnippet(runId: number, s: StoredRunSummary): string[] | null {
  const spaces = s.model.layers.length - 2
  if (spaces < 1) return null
  const width = s.model.layers[1]
  const load = 'from safetensors.numpy import load_file'
  const npy = (name: string) =>
    `# or with NumPy alone: ${name} = np.load("run-${runId}-rotations.${name}.npy")`
  if (s.rotation.transform === 'oblique') {
    const names = spaces > 1 ? `T1, Tinv1 … T${spaces}, Tinv${spaces}` : 'T1, Tinv1'
    return [
      load,
      `T = load_file("run-${runId}-transforms.safetensors")  # ${names}`,
      `h1_new = h1 @ T["T1"].T  # h1: [N, ${width}]; back: h1_new @ T["Tinv1"].T`,
      npy('T1'),
    ]
  }
  const names = spaces > 1 ? `R1 … R${spaces}` : 'R1'
  return [
    load,
    `R = load_file("run-${runId}-rotations.safetensors")  # ${names}`,
    `h1_rotated = h1 @ R["R1"].T  # h1: [N, ${width}] hidden-1 activations`,
    npy('R1'),
  ]
}
