import type { BenchReport } from './schema.ts'

const f = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits))
const s = (x: number | null): string => (x === null ? 'never' : `${x.toFixed(1)} s`)

/** A measure by name, with its mix when it has an edge term (`lp edge×1`, `lp + edge×0.5`). */
export function measureLabel(m: Record<string, unknown>): string {
  const edge = typeof m.edge === 'number' ? m.edge : 0
  if (!edge) return String(m.name)
  const perInput = typeof m.perInput === 'number' ? m.perInput : 1
  return `${String(m.name)} ${perInput ? `×${perInput} + ` : ''}edge×${edge}`
}

/** The bench as text: the kernels, then a table per problem. */
export function formatReport(r: BenchReport): string {
  const lines = [
    `backend ${r.backend} (${r.threads} threads), ${r.samples} objective inputs, ${r.mode} bench`,
    `native GEMM ${f(r.nativeGemmGflops, 1)} GFLOP/s; fused layer-1 objective ${f(r.jacobianGflops, 1)} GFLOP/s (${r.jacobianShareOfGemm === null ? '—' : `${(100 * r.jacobianShareOfGemm).toFixed(0)} %`} of it)`,
    `training 15 epochs of 8000 digits: ${f(r.training.secondsFor15Epochs)} s (test accuracy ${f(r.training.testAccuracy, 3)})`,
  ]
  for (const p of r.problems) {
    const seed = p.seedGd
    lines.push(
      '',
      `layer ${p.layer} · ${measureLabel(p.measure)}: start ${p.start.toPrecision(6)}; reference-adam best in ${p.reference.budgetSeconds} s ${p.reference.objective.toPrecision(6)}; seed-gd ${seed.progressed ? `best ${seed.best.toPrecision(6)}` : 'no progress'}, ${f(seed.secondsPerStep, 3)} s/step (GEMM bound ${f(seed.nativeStepSeconds, 3)} s)`,
      'optimizer          steps   s/step   best          to reference   × reference   to seed best   × seed-gd   held-out nearZero',
    )
    for (const o of p.optimizers) {
      lines.push(
        [
          o.name.padEnd(18),
          String(o.steps).padStart(6),
          f(o.secondsPerStep, 3).padStart(8),
          `   ${o.bestObjective.toPrecision(6).padEnd(12)}`,
          s(o.secondsToReference).padStart(13),
          (o.speedupVsReference === null ? '—' : `${o.speedupVsReference.toFixed(1)}×`).padStart(
            13,
          ),
          (seed.progressed ? s(o.secondsToSeedBest) : 'no progress').padStart(14),
          (o.speedupVsSeed === null ? '—' : `${o.speedupVsSeed.toFixed(1)}×`).padStart(11),
          o.heldOut.nearZero.toFixed(4).padStart(19),
        ].join(' '),
      )
    }
  }
  return lines.join('\n') + '\n'
}
