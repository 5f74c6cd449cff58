/**
 * `npm run bench`: the engine against references measured in the same process
 * (DESIGN.md §2) — the best native matmul, the optimizer a PyTorch user would write
 * (reference-adam), and the original method (seed-gd).
 *
 *   npm run bench                  full: lp and l1 on layers 1 and 2, the lp edge measure on
 *                                  layer 2, every optimizer
 *   npm run bench -- --quick       lp on layers 1 and 2: reference, default, seed-gd (≤ 3 min)
 *   --json                         one JSON object on stdout (bench/schema.ts)
 *   --model FILE --split FILE      the same problems on a model trained elsewhere
 *   --reference-seconds S          reference-adam's budget (120; 60 with --quick)
 *   --budget S                     the default optimizer's budget (12)
 *   --samples N                    objective inputs (1000)
 */
import { parseArgs } from 'node:util'
import { initCompute } from '../core/backend/compute.ts'
import { createOptimizer } from '../core/rotation/optimizers/index.ts'
import { layerMetrics } from '../core/sparsity/layer-metrics.ts'
import { createMeasure } from '../core/sparsity/measures/index.ts'
import { jacobianGflops, nativeGemmGflops, trainingSeconds } from './kernels.ts'
import { type BenchEntry, benchOptimizers } from './optimizers.ts'
import { type BenchProblem, benchModel, benchProblems } from './problems.ts'
import { best, race, secondsTo } from './race.ts'
import { formatReport, measureLabel } from './report.ts'
import {
  type BenchReport,
  type OptimizerReport,
  type ProblemReport,
  benchReportSchema,
} from './schema.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    model: { type: 'string' },
    split: { type: 'string' },
    'reference-seconds': { type: 'string' },
    budget: { type: 'string' },
    'seed-seconds': { type: 'string' },
    samples: { type: 'string' },
  },
})
const mode = values.quick ? 'quick' : 'full'
const num = (v: string | undefined, fallback: number): number =>
  v === undefined ? fallback : Number(v)
const budgets = {
  reference: num(values['reference-seconds'], mode === 'quick' ? 60 : 120),
  fast: num(values.budget, 12),
  seed: num(values['seed-seconds'], mode === 'quick' ? 5 : 30),
  others: 20,
}
const samples = num(values.samples, 1000)
const log = (s: string): void => void process.stderr.write(s + '\n')

const info = await initCompute()
log(`backend ${info.name} (${info.threads} threads); measuring kernels…`)
const model = await benchModel(values.model, values.split)
const problems = benchProblems(
  model,
  [
    { layer: 1, measure: { name: 'lp', p: 0.5, eps: 1e-3 } },
    { layer: 2, measure: { name: 'lp', p: 0.5, eps: 1e-3 } },
    ...(mode === 'full'
      ? [
          { layer: 1, measure: { name: 'l1' } } as const,
          { layer: 2, measure: { name: 'l1' } } as const,
          // The edge measure alone: deterministic, so full-batch methods see all of it.
          { layer: 2, measure: { name: 'lp', p: 0.5, eps: 1e-3, perInput: 0, edge: 1 } } as const,
        ]
      : []),
  ],
  samples,
)
const gemm = await nativeGemmGflops()
const jacobian = jacobianGflops(problems[0].objective)
const training = await trainingSeconds(model.dataset, model.split)
log(
  `native GEMM ${gemm?.toFixed(1) ?? '—'} GFLOP/s; fused layer-1 objective ${jacobian.toFixed(1)} GFLOP/s; 15 epochs ${training.secondsFor15Epochs.toFixed(2)} s`,
)

async function runProblem(p: BenchProblem): Promise<ProblemReport> {
  const start = p.problem.evaluate([], { grad: false }).value
  const entries = benchOptimizers(mode, budgets, p.measure.name)
  const raced: { entry: BenchEntry; result: Awaited<ReturnType<typeof race>> }[] = []
  for (const entry of entries) {
    const result = await race(p.problem, createOptimizer(entry.config), entry.budgetSeconds, {
      fullBatch: entry.fullBatch,
    })
    raced.push({ entry, result })
    log(
      `layer ${p.layer} ${measureLabel(p.measure)} ${entry.name}: ${result.steps} steps in ${result.seconds.toFixed(1)} s, best ${best(result.checkpoints).objective.toPrecision(6)}`,
    )
  }
  const ref = raced[0].result
  const refBest = best(ref.checkpoints)
  const seed = raced.find((r) => r.entry.name === 'seed-gd')!.result
  const seedBest = best(seed.checkpoints)
  const progressed = seedBest.objective < start
  const measure = createMeasure(p.measure)
  const optimizers: OptimizerReport[] = raced.map(({ entry, result }) => {
    const toRef = secondsTo(result.checkpoints, refBest.objective)
    const toSeed = progressed ? secondsTo(result.checkpoints, seedBest.objective) : null
    const held = layerMetrics(p.heldOut, null, result.rotations[0], [measure])
    return {
      name: entry.name,
      config: entry.config as Record<string, unknown>,
      budgetSeconds: entry.budgetSeconds,
      steps: result.steps,
      seconds: result.seconds,
      secondsPerStep: result.seconds / Math.max(1, result.steps),
      checkpoints: result.checkpoints,
      finalObjective: result.checkpoints[result.checkpoints.length - 1].objective,
      bestObjective: best(result.checkpoints).objective,
      secondsToReference: toRef,
      speedupVsReference: toRef === null ? null : refBest.seconds / Math.max(toRef, 1e-3),
      secondsToSeedBest: toSeed,
      speedupVsSeed: toSeed === null ? null : seedBest.seconds / Math.max(toSeed, 1e-3),
      heldOut: { nearZero: held.nearZero, hoyerSparsity: held.hoyerSparsity },
    }
  })
  const data = p.objective
  const stepFlops = 2 * 2 * data.n * data.outDim * data.outDim * data.inDim
  return {
    layer: p.layer,
    measure: p.measure as Record<string, unknown>,
    start,
    reference: {
      budgetSeconds: budgets.reference,
      objective: refBest.objective,
      objective120: budgets.reference === 120 ? refBest.objective : null,
      secondsToObjective: refBest.seconds,
      steps: ref.steps,
    },
    seedGd: {
      best: seedBest.objective,
      progressed,
      secondsToBest: progressed ? seedBest.seconds : null,
      secondsPerStep: seed.seconds / Math.max(1, seed.steps),
      nativeStepSeconds: gemm === null ? null : stepFlops / (gemm * 1e9),
    },
    optimizers,
  }
}

const report: BenchReport = benchReportSchema.parse({
  mode,
  backend: info.name,
  threads: info.threads,
  versions: info.versions,
  samples,
  model: { source: model.source, layers: [...model.params.sizes] },
  nativeGemmGflops: gemm,
  jacobianGflops: jacobian,
  jacobianShareOfGemm: gemm === null ? null : jacobian / gemm,
  training,
  problems: await (async () => {
    const out: ProblemReport[] = []
    for (const p of problems) out.push(await runProblem(p))
    return out
  })(),
})
process.stdout.write(values.json ? JSON.stringify(report) + '\n' : formatReport(report))
