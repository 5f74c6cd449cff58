/**
 * `npm run bench`: rotation optimizers on fixed problems, all in one process so the
 * ratios compare like with like (DESIGN.md §2, issue "Faster rotations").
 *
 * Problems: the default model (seed 0, default split), 1000 objective inputs, layer 1
 * (784→128, R_1 on its output side, pixels fixed) and layer 2 (128→128, R_2, R_1 = I),
 * measures lp and l1. For every optimizer: the full objective at checkpoints of its own
 * (optimizer-only) time, time to reach the target (90 % of the best final improvement
 * any optimizer reached), final held-out metrics, seconds per step, and the speed-up over
 * seed-gd. Also the Jacobian throughput beside the backend's dense-matmul GFLOP/s.
 */
import { parseArgs } from 'node:util'
import { initCompute } from '../core/backend/compute.ts'
import { tf } from '../core/backend/tf.ts'
import { gatherRows, loadEmbeddedMnist, randomSplit, gatherLabels } from '../core/data/index.ts'
import { parseRunConfig } from '../core/experiment/config.ts'
import { type LayerData, layerData } from '../core/jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../core/jacobian/rotated.ts'
import { type Mat, identity } from '../core/linalg/matrix.ts'
import { trainMlp } from '../core/model/train.ts'
import { createRng } from '../core/random/prng.ts'
import { createOptimizer } from '../core/rotation/optimizers/index.ts'
import { createProblem } from '../core/rotation/problem.ts'
import { layerMetrics } from '../core/sparsity/layer-metrics.ts'
import { type MeasureSpec, createMeasure } from '../core/sparsity/measures/index.ts'
import { benchOptimizers } from './optimizers.ts'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    budget: { type: 'string' },
    samples: { type: 'string' },
    only: { type: 'string' },
  },
})
const budget = values.budget ? Number(values.budget) : 20
const samples = values.samples ? Number(values.samples) : 1000
const log = (s: string): void => void process.stderr.write(s + '\n')

interface Checkpoint {
  seconds: number
  objective: number
}

interface OptimizerResult {
  name: string
  steps: number
  seconds: number
  secondsPerStep: number
  checkpoints: Checkpoint[]
  finalObjective: number
  secondsToTarget: number | null
  heldOut: { nearZero: number; hoyerSparsity: number }
  speedupVsSeed: number | null
}

const backend = await initCompute()
const defaults = parseRunConfig({})
const ds = loadEmbeddedMnist()
const split = randomSplit(ds.n, 8000, 2000, 0)
log(`backend ${backend}; training the default model…`)
const m = defaults.model.source === 'train' ? defaults.model : null
const trained = await trainMlp(gatherRows(ds, split.train), gatherLabels(ds, split.train), {
  sizes: [784, ...m!.hidden, 10],
  activation: m!.activation,
  epochs: m!.epochs,
  batchSize: m!.batchSize,
  learningRate: m!.learningRate,
  seed: 0,
})
const params = trained.params
const objectiveData = layerData(params, gatherRows(ds, split.train.slice(0, samples)), samples)
const heldData = layerData(params, gatherRows(ds, split.test), split.test.length)

/** Dense matmul GFLOP/s of this backend on a Jacobian-shaped product. */
function matmulGflops(): number {
  const a = tf.randomNormal([128 * 100, 128]) as tf.Tensor2D
  const b = tf.randomNormal([128, 784]) as tf.Tensor2D
  const once = (): void => {
    const c = tf.matMul(a, b)
    c.dataSync()
    c.dispose()
  }
  once()
  const t0 = performance.now()
  const reps = 5
  for (let i = 0; i < reps; i++) once()
  const s = (performance.now() - t0) / 1000 / reps
  tf.dispose([a, b])
  return (2 * 128 * 100 * 128 * 784) / s / 1e9
}

/** Rotated Jacobians of layer 1 for all objective inputs: entries/s and GFLOP/s. */
function jacobianThroughput(data: LayerData): { entriesPerSecond: number; gflops: number } {
  const r = identity(data.outDim)
  r.data[1] = 1e-3 // a generic rotation-shaped matrix forces the matmul path
  const layer = new RotatedLayer(data, null, r)
  let entries = 0
  const t0 = performance.now()
  forEachChunk(data, (d, count) => {
    entries += layer.jacobians(d, count).length
  })
  const s = (performance.now() - t0) / 1000
  layer.dispose()
  const flops = 2 * data.n * data.outDim * data.outDim * data.inDim
  return { entriesPerSecond: entries / s, gflops: flops / s / 1e9 }
}

const matmul = matmulGflops()
const jac = jacobianThroughput(objectiveData[0])
log(
  `dense matmul ${matmul.toFixed(1)} GFLOP/s; layer-1 Jacobians ${jac.gflops.toFixed(1)} GFLOP/s (${(jac.entriesPerSecond / 1e6).toFixed(0)} M entries/s)`,
)

const problems: { layer: 1 | 2; measure: MeasureSpec }[] = [
  { layer: 1, measure: { name: 'lp', p: 0.5, eps: 1e-3 } },
  { layer: 2, measure: { name: 'lp', p: 0.5, eps: 1e-3 } },
  { layer: 1, measure: { name: 'l1' } },
  { layer: 2, measure: { name: 'l1' } },
]
const optimizers = benchOptimizers().filter(
  (o) => !values.only || values.only.split(',').includes(o.name),
)

const report = []
for (const pr of problems) {
  const measure = createMeasure(pr.measure)
  const bases: (Mat | null)[] = [null, identity(128), identity(128), null]
  const problem = createProblem({
    data: objectiveData,
    bases,
    free: [pr.layer],
    layers: [pr.layer],
    measure,
  })
  const full = (rotations: readonly Mat[]): number =>
    problem.evaluate(rotations, { grad: false }).value
  const start = full([identity(128)])
  // Checkpoints at geometric times of the optimizer's own clock; each costs one full evaluation.
  const ratio = pr.layer === 1 ? 2 : 1.5
  const results: OptimizerResult[] = []
  for (const o of optimizers) {
    const checkpoints: Checkpoint[] = [{ seconds: 0, objective: start }]
    let next = 0.25
    const optimizer = createOptimizer(o.config)
    const res = await optimizer.optimize(
      problem,
      [identity(128)],
      { maxSteps: 1_000_000, budgetSeconds: budget, gradTol: 0 },
      {
        rng: createRng(1),
        onStep: (rec, _f, current) => {
          if (rec.seconds >= next) {
            checkpoints.push({ seconds: rec.seconds, objective: full(current()) })
            next = Math.max(next * ratio, rec.seconds * 1.05)
          }
        },
      },
    )
    const finalObjective = full(res.rotations)
    checkpoints.push({ seconds: res.seconds, objective: finalObjective })
    const held = layerMetrics(
      heldData[pr.layer - 1],
      pr.layer === 1 ? null : identity(128),
      res.rotations[0],
      [measure],
    )
    results.push({
      name: o.name,
      steps: res.steps,
      seconds: res.seconds,
      secondsPerStep: res.seconds / Math.max(1, res.steps),
      checkpoints,
      finalObjective,
      secondsToTarget: null,
      heldOut: { nearZero: held.nearZero, hoyerSparsity: held.hoyerSparsity },
      speedupVsSeed: null,
    })
    log(
      `layer ${pr.layer} ${pr.measure.name} ${o.name}: ${res.steps} steps, objective ${start.toPrecision(6)} → ${finalObjective.toPrecision(6)}, held-out nearZero ${held.nearZero.toFixed(4)}`,
    )
  }
  const bestImprovement = Math.max(
    ...results.map((r) => start - Math.min(...r.checkpoints.map((c) => c.objective))),
  )
  const target = start - 0.9 * bestImprovement
  const firstReach = (r: OptimizerResult, level: number): number | null =>
    r.checkpoints.find((c) => c.objective <= level)?.seconds ?? null
  const seed = results.find((r) => r.name === 'seed-gd')
  // seed-gd's reference: the best objective it reached, and its wall time to get there
  // — its whole budget unless it got there sooner.
  const seedBest = seed ? Math.min(...seed.checkpoints.map((c) => c.objective)) : null
  const seedTime =
    seed && seedBest !== null ? (seedBest < start ? firstReach(seed, seedBest) : null) : null
  for (const r of results) {
    r.secondsToTarget = firstReach(r, target)
    if (seedBest !== null && seedTime !== null && r.name !== 'seed-gd') {
      const t = firstReach(r, seedBest)
      r.speedupVsSeed = t === null ? null : seedTime / Math.max(t, 1e-3)
    }
  }
  report.push({
    layer: pr.layer,
    measure: pr.measure,
    start,
    target,
    seedReference: seedBest,
    optimizers: results,
  })
}

const out = {
  backend,
  budgetSeconds: budget,
  samples,
  matmulGflops: matmul,
  jacobianGflops: jac.gflops,
  jacobianEntriesPerSecond: jac.entriesPerSecond,
  problems: report,
}
if (values.json) {
  process.stdout.write(JSON.stringify(out) + '\n')
} else {
  const f = (x: number | null, d = 2): string => (x === null ? '—' : x.toFixed(d))
  const lines = [
    `backend ${backend}; budget ${budget}s per run; ${samples} objective inputs`,
    `dense matmul ${f(matmul, 1)} GFLOP/s; Jacobians ${f(jac.gflops, 1)} GFLOP/s`,
  ]
  for (const p of report) {
    lines.push(
      '',
      `layer ${p.layer} · ${p.measure.name}: start ${p.start.toPrecision(6)}, target ${p.target.toPrecision(6)}, seed-gd best ${p.seedReference?.toPrecision(6) ?? '—'}`,
    )
    lines.push(
      'optimizer          steps   s/step   final        to target   held-out nearZero  hoyer   × seed-gd',
    )
    for (const r of p.optimizers) {
      lines.push(
        `${r.name.padEnd(18)} ${String(r.steps).padStart(6)}  ${f(r.secondsPerStep, 3).padStart(6)}   ${r.finalObjective.toPrecision(6).padEnd(11)}  ${(r.secondsToTarget === null ? 'never' : r.secondsToTarget.toFixed(1) + 's').padStart(9)}   ${r.heldOut.nearZero.toFixed(4).padStart(8)}         ${r.heldOut.hoyerSparsity.toFixed(4)}  ${r.speedupVsSeed === null ? '—' : r.speedupVsSeed.toFixed(0) + '×'}`,
      )
    }
  }
  process.stdout.write(lines.join('\n') + '\n')
}
