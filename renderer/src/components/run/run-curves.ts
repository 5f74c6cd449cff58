import type { MetricPoint } from '../../../../core/api/records.ts'
import type { LineSeries, Point } from '../charts/options.ts'

/**
 * Metric series as charts draw them: what a series' name says (prefix, stage, layer), the
 * series of one prefix grouped by stage, points against step or seconds, EMA smoothing, the
 * training curves. Pure functions, tested without a DOM.
 */

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
 * The EMA weight optimizer curves start with: a minibatch objective jumps from step to step,
 * so its trend is read from the average, with the raw curve faint behind it.
 */
export const DEFAULT_SMOOTHING = 0.9

/**
 * The curve of a series as a chart shows it: raw, or its EMA under the series' name with the
 * raw values faint behind it (`{name} · raw`, left out of the legend).
 */
export function smoothedSeries(
  base: { name: string; color?: string },
  points: readonly Point[],
  weight: number,
): LineSeries[] {
  if (!(weight > 0)) return [{ ...base, points }]
  return [
    { ...base, name: `${base.name} · raw`, points, opacity: 0.28, width: 1, legend: false },
    { ...base, points: emaSmooth(points, weight) },
  ]
}

/**
 * A metric series' name: `{prefix}.{stage}` — prefix `objective`, `objectiveFull`, `gradNorm`
 * or `stageStart`, stage `layer2`, `layer1.in` (pairwise: a layer's input side), `joint`.
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

/** Groups by the stage they belong to (`layer2`, `joint`), to pair one prefix with another. */
export function byStage(groups: readonly SeriesGroup[]): Map<string, SeriesGroup> {
  return new Map(groups.map((g) => [parseSeries(g.key).stage, g]))
}

/**
 * A stage's objective as an optimization chart draws it: the optimizer's minibatch values
 * (raw, or faint under their EMA) and, where the run recorded them, the full objective over
 * all objective inputs at steps 1, 2, 4, 8, … and the stage's last step, as markers joined by
 * a line: the curve to trust, since a minibatch value depends on which inputs were drawn.
 * `scale` divides every value (an objective relative to its start).
 */
export function objectiveSeries(
  minibatch: SeriesGroup,
  full: SeriesGroup | undefined,
  options: {
    axis: CurveAxis
    smoothing: number
    names: { minibatch: string; full: string }
    /** Whether the checkpoints have a legend entry (a chart of one stage) or not (many). */
    fullInLegend?: boolean
    color: string
    /** The full checkpoints' colour (default: the minibatch curve's). */
    fullColor?: string
    scale?: number
  },
): LineSeries[] {
  const scale = options.scale ?? 1
  const points = (g: SeriesGroup) =>
    curvePoints(g.points, options.axis, minibatch.stageStart).map(
      ([x, y]) => [x, y / scale] as const,
    )
  const out = smoothedSeries(
    { name: options.names.minibatch, color: options.color },
    points(minibatch),
    options.smoothing,
  )
  if (full?.points.length) {
    out.push({
      name: options.names.full,
      points: points(full),
      color: options.fullColor ?? options.color,
      symbols: true,
      symbol: 'diamond',
      symbolSize: 8,
      width: 1.5,
      dashed: true,
      legend: options.fullInLegend ?? false,
    })
  }
  return out
}

/**
 * Every stage's objective relative to its start (stages differ by orders of magnitude): the
 * full objective's first checkpoint where recorded, else the first minibatch value; one
 * colour per stage, the checkpoints left out of the legend.
 */
export function relativeObjectives(
  objectives: readonly SeriesGroup[],
  full: ReadonlyMap<string, SeriesGroup>,
  options: { axis: CurveAxis; smoothing: number; palette: readonly string[] },
): LineSeries[] {
  return objectives.flatMap((g, i) => {
    const checkpoints = full.get(parseSeries(g.key).stage)
    return objectiveSeries(g, checkpoints, {
      axis: options.axis,
      smoothing: options.smoothing,
      names: { minibatch: g.label, full: `${g.label} · full` },
      color: options.palette[i % options.palette.length],
      scale: (checkpoints?.points[0]?.value ?? g.points[0]?.value) || 1,
    })
  })
}

/**
 * The start and end a stage's summary line reads: the full objective's first and last
 * checkpoint where recorded, else the minibatch curve's first and last value.
 */
export function objectiveEnds(
  minibatch: SeriesGroup,
  full: SeriesGroup | undefined,
): { first: number; last: number; steps: number; full: boolean } | null {
  const from = full?.points.length ? full.points : minibatch.points
  const first = from[0]
  const last = from.at(-1)
  const steps = minibatch.points.at(-1)?.step ?? last?.step ?? 0
  return first && last
    ? { first: first.value, last: last.value, steps, full: from !== minibatch.points }
    : null
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
