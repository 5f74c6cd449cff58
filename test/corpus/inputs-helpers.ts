import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain } from '../helpers/cli.ts'
import { encodeSafetensors, type TensorToWrite } from '../../core/model/io/safetensors.ts'
import type { CaseContext, MalformedCase, Outcome } from './corpus.ts'

/**
 * What the trust-inputs corpus cases (cases/configs.ts, flags.ts, models.ts, data-files.ts)
 * share: the real CLI `main` in-process, and the bad files they write.
 */

/** `basiscope <argv>` through the real CLI entry, in-process. */
export async function cli(argv: readonly string[]): Promise<Outcome> {
  return { kind: 'cli', ...(await runMain(argv)) }
}

/**
 * `basiscope run <args>` with artifacts aimed inside the case's folder, so a run that was
 * wrongly started would show up as created files.
 */
export function runCli(ctx: CaseContext, args: readonly string[]): Promise<Outcome> {
  return cli(['run', ...args, '--out', join(ctx.dir, 'out')])
}

export function write(ctx: CaseContext, name: string, content: string | Uint8Array): string {
  const file = join(ctx.dir, name)
  writeFileSync(file, content)
  return file
}

export const json = (v: unknown): string => JSON.stringify(v)

export function fifo(ctx: CaseContext, name: string): string {
  const file = join(ctx.dir, name)
  execFileSync('mkfifo', [file])
  return file
}

export function folder(ctx: CaseContext, name: string): string {
  const dir = join(ctx.dir, name)
  mkdirSync(dir)
  return dir
}

export const at = (ctx: CaseContext, name: string): string => join(ctx.dir, name)

/** A quick, valid base config: small splits, one tiny layer, few steps, no analyses. */
export const QUICK = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 200, test: 100, seed: 1 } },
  model: { source: 'train', hidden: [8], epochs: 1 },
  rotation: { samples: 50, maxSteps: 2, budgetSeconds: 2 },
  analyses: { baselines: false },
} as const

/** A valid 784 → h → 10 safetensors model (PyTorch nn.Linear layout). */
export function mlpTensors(hidden = 4, fill = 0.01): TensorToWrite[] {
  const t = (name: string, shape: number[]) => ({
    name,
    dtype: 'F32' as const,
    shape,
    data: new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(fill),
  })
  return [
    t('fc1.weight', [hidden, 784]),
    t('fc1.bias', [hidden]),
    t('fc2.weight', [10, hidden]),
    t('fc2.bias', [10]),
  ]
}

export const safetensorsBytes = (tensors: TensorToWrite[]): Uint8Array => encodeSafetensors(tensors)

/** Raw safetensors bytes: an 8-byte length (the header's own unless given), header, data. */
export function rawSafetensors(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  length?: bigint,
): Buffer {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8')
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(length ?? BigInt(text.length))
  return Buffer.concat([len, text, data])
}

/** A shared scratch folder outside every case's folder (a service's workspace). */
export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `trust-inputs-${prefix}-`))
}

/** Cases built from a table: one per row. */
export function table<R>(rows: readonly R[], make: (row: R) => MalformedCase): MalformedCase[] {
  return rows.map(make)
}
