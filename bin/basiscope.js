#!/usr/bin/env node
// The `basiscope` command: runs the TypeScript CLI through tsx's loader, so the installed
// package needs no build step.
import { register } from 'tsx/esm/api'

register()
await import('../core/host/cli-entry.ts')
