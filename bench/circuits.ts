/**
 * `npx tsx bench/circuits.ts [--seeds 5]`: which basis shows the smallest circuit? For each
 * model seed, every learned preset runs through the CLI (`basiscope run --json`, the
 * pipeline with `analyses.faithfulness` on, the preset's settings otherwise), and the
 * summaries give, per hidden-layer weight matrix and basis (the presets' learned bases and
 * the run's baselines: neuron, random, PCA, JᵀJ, LIB), the fewest connections and the
 * fewest input directions within 0.01 and 0.001 of full test accuracy (exact search;
 * connections ranked on the objective inputs, accuracy on the held-out ones) and the
 * held-out nearZero and hoyerSparsity. Printed as the README's table, mean ± sd over seeds.
 *
 *   --seeds N          model seeds 0 … N−1 (5)
 *   --presets a,b      preset ids, `default` for the default config (circuit,default)
 *   --preset-dir DIR   where the presets are (resources/presets)
 *   --budget S         override every preset's per-stage budget (seconds)
 *   --model FILE       every run on this model (.safetensors in PyTorch nn.Linear layout, or
 *                      a tfjs model.json) instead of training one per seed: the seeds then
 *                      vary only the rotation side (minibatches, random starts and baseline)
 *   --split FILE       the split file {"train": [...], "test": [...]} to go with it
 *   --control          also the first preset on an untrained network of the same shape
 *                      (nearZero and hoyerSparsity only: its accuracy is chance)
 *   --json             the per-seed numbers and the table as one JSON object on stdout
 *   --keep DIR         keep every run's config and summary under DIR
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { parseRunConfig } from '../core/experiment/config.ts'
import { exportModelSafetensors } from '../core/model/io/export.ts'
import { initialLayers } from '../core/model/train.ts'
import { DEFAULT_PRESETS_DIR, readPresets } from '../core/service/presets.ts'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    presets: { type: 'string' },
    'preset-dir': { type: 'string' },
    budget: { type: 'string' },
    model: { type: 'string' },
    split: { type: 'string' },
    control: { type: 'boolean' },
    json: { type: 'boolean' },
    keep: { type: 'string' },
  },
})
const seeds = Number(values.seeds ?? 5)
const presetIds = (values.presets ?? 'circuit,default').split(',')
const budget = values.budget === undefined ? undefined : Number(values.budget)
const log = (s: string): void => void process.stderr.write(s + '\n')
const BIN = resolve('bin/basiscope.js')
const givenModel = values.model ? resolve(values.model) : undefined
const givenSplit = values.split ? resolve(values.split) : undefined

/** The numbers the table reports for one basis at one layer. */
interface BasisNumbers {
  edges01: number | null
  edges001: number | null
  nodes01: number | null
  nodes001: number | null
  nearZero: number
  hoyerSparsity: number
}
type LayerNumbers = Record<string, BasisNumbers>

/** What a run's summary holds that the table needs (the summary schema has it all). */
interface SummaryPart {
  config: { seed: number }
  model: { layers: number[]; testAccuracy: number }
  rotation: { layers: { layer: number; heldOut: { after: HeldOut; before: HeldOut } }[] }
  analyses: {
    baselines?: { layer: number; bases: Record<string, HeldOut> }[]
    faithfulness?: {
      layer: number
      bases: Record<string, { fewest: Tolerances; fewestNodes: Tolerances }>
    }[]
  }
}
interface HeldOut {
  nearZero: number
  hoyerSparsity: number
}
type Tolerances = Record<string, number | null>

const presetDir = values['preset-dir'] ? resolve(values['preset-dir']) : DEFAULT_PRESETS_DIR
const presets = readPresets(presetDir)
function presetConfig(id: string): Record<string, unknown> {
  // `default`: the default config, as `basiscope run` runs it.
  if (id === 'default') return {}
  const p = presets.find((q) => q.id === id)
  if (!p)
    throw new Error(`no preset "${id}" in ${presetDir} (${presets.map((q) => q.id).join(', ')})`)
  const { name: _name, ...config } = p.config as Record<string, unknown>
  return config
}

/** The preset with the seed, the faithfulness analysis and the budget set. */
function runConfig(id: string, seed: number, model?: string): Record<string, unknown> {
  const base = presetConfig(id)
  const rotation = {
    ...((base.rotation as object) ?? {}),
    ...(budget ? { budgetSeconds: budget } : {}),
  }
  const analyses = { ...((base.analyses as object) ?? {}), baselines: true, faithfulness: {} }
  const config = {
    ...base,
    seed,
    rotation,
    analyses,
    ...(model ? { model: { source: 'file', file: model } } : {}),
    ...(givenSplit
      ? { data: { source: 'mnist-embedded', split: { kind: 'file', file: givenSplit } } }
      : {}),
  }
  parseRunConfig(config)
  return config
}

function runCli(config: Record<string, unknown>, label: string, dir: string): SummaryPart {
  const file = join(dir, `${label}.json`)
  writeFileSync(file, JSON.stringify(config, null, 2))
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--json', '--out', join(dir, label)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  if (r.status !== 0)
    throw new Error(`${label}: basiscope run failed (${r.status}):\n${r.stderr.slice(-2000)}`)
  writeFileSync(join(dir, `${label}.summary.json`), r.stdout)
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  return JSON.parse(r.stdout) as SummaryPart
}

/** Per hidden-layer weight matrix (layers 2 … L): each basis's numbers; `learnedAs` names the learned one. */
function numbersOf(
  s: SummaryPart,
  learnedAs: string,
  withBaselines: boolean,
): Map<number, LayerNumbers> {
  const out = new Map<number, LayerNumbers>()
  for (const f of s.analyses.faithfulness ?? []) {
    if (f.layer < 2) continue
    const held = s.analyses.baselines!.find((b) => b.layer === f.layer)!.bases
    const row: LayerNumbers = {}
    for (const [basis, v] of Object.entries(f.bases)) {
      if (basis !== 'learned' && !withBaselines) continue
      row[basis === 'learned' ? learnedAs : basis] = {
        edges01: v.fewest['0.01'],
        edges001: v.fewest['0.001'],
        nodes01: v.fewestNodes['0.01'],
        nodes001: v.fewestNodes['0.001'],
        nearZero: held[basis].nearZero,
        hoyerSparsity: held[basis].hoyerSparsity,
      }
    }
    out.set(f.layer, row)
  }
  return out
}

function meanSd(
  xs: readonly (number | null)[],
): { mean: number; sd: number; missing: number } | null {
  const v = xs.filter((x): x is number => x !== null)
  if (!v.length) return null
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const sd =
    v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0
  return { mean, sd, missing: xs.length - v.length }
}

function cell(xs: readonly (number | null)[], digits: number): string {
  const m = meanSd(xs)
  if (!m) return '—'
  const miss = m.missing ? ` (${m.missing} none)` : ''
  return `${m.mean.toFixed(digits)} ± ${m.sd.toFixed(digits)}${miss}`
}

const work = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'basiscope-circuits-'))
mkdirSync(work, { recursive: true })
const perSeed: {
  seed: number
  layers: Record<number, LayerNumbers>
  control?: Record<number, LayerNumbers>
}[] = []
try {
  for (let seed = 0; seed < seeds; seed++) {
    const layers = new Map<number, LayerNumbers>()
    let sizes: number[] = []
    presetIds.forEach((id, i) => {
      const s = runCli(runConfig(id, seed, givenModel), `${id}-seed${seed}`, work)
      sizes = s.model.layers
      for (const [k, row] of numbersOf(s, id, i === 0)) layers.set(k, { ...layers.get(k), ...row })
    })
    const entry: (typeof perSeed)[number] = { seed, layers: Object.fromEntries(layers) }
    if (values.control) {
      // The same shape, untrained: the weights training starts from for this seed.
      const model = join(work, `untrained-seed${seed}.safetensors`)
      exportModelSafetensors(
        { sizes, activation: 'relu', layers: initialLayers(sizes, seed) },
        model,
      )
      const s = runCli(
        runConfig(presetIds[0], seed, model),
        `${presetIds[0]}-untrained-seed${seed}`,
        work,
      )
      entry.control = Object.fromEntries(numbersOf(s, presetIds[0], true))
    }
    perSeed.push(entry)
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true })
}

const bases = [...presetIds, 'neuron', 'random', 'pca', 'jtj', 'lib']
const header =
  '| layer | basis | edges within 0.01 | edges within 0.001 | directions within 0.01 | directions within 0.001 | held-out nearZero | held-out hoyerSparsity |\n' +
  '| --- | --- | --- | --- | --- | --- | --- | --- |'
const rows: string[] = []
const layerIds = Object.keys(perSeed[0]?.layers ?? {}).map(Number)
for (const k of layerIds) {
  for (const b of bases) {
    const got = perSeed.map((p) => p.layers[k]?.[b]).filter((v): v is BasisNumbers => !!v)
    if (!got.length) continue
    rows.push(
      `| ${k} | ${b} | ${cell(
        got.map((g) => g.edges01),
        0,
      )} | ${cell(
        got.map((g) => g.edges001),
        0,
      )} | ` +
        `${cell(
          got.map((g) => g.nodes01),
          1,
        )} | ${cell(
          got.map((g) => g.nodes001),
          1,
        )} | ` +
        `${cell(
          got.map((g) => g.nearZero),
          3,
        )} | ${cell(
          got.map((g) => g.hoyerSparsity),
          3,
        )} |`,
    )
  }
}
const controlRows: string[] = []
if (values.control) {
  for (const k of layerIds) {
    for (const b of [presetIds[0], 'neuron']) {
      const got = perSeed.map((p) => p.control?.[k]?.[b]).filter((v): v is BasisNumbers => !!v)
      controlRows.push(
        `| ${k} | ${b} (untrained) | ${cell(
          got.map((g) => g.nearZero),
          3,
        )} | ${cell(
          got.map((g) => g.hoyerSparsity),
          3,
        )} |`,
      )
    }
  }
}
const table = [header, ...rows].join('\n')
const control = controlRows.length
  ? [
      '| layer | basis | held-out nearZero | held-out hoyerSparsity |',
      '| --- | --- | --- | --- |',
      ...controlRows,
    ].join('\n')
  : ''
if (values.json)
  process.stdout.write(
    JSON.stringify({ seeds, presets: presetIds, perSeed, table, control }) + '\n',
  )
else
  process.stdout.write(
    `${seeds} model seeds, mean ± sd\n\n${table}\n${control ? `\n${control}\n` : ''}`,
  )
