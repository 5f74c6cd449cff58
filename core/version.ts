import { createRequire } from 'node:module'

/** The app version, from package.json, recorded in every run. */
export const APP_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version
