import { z } from 'zod'

/** The number shapes the run config's sections share. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number().int().min(min).max(max)
export const positive = () => z.number().positive()

/** A seed: any unsigned 32-bit integer. */
export const seedSchema = () => int(0, 2 ** 32 - 1)
