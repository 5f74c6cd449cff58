import { EXIT, main } from './cli.ts'

// Ctrl+C cancels the run cleanly (artifacts written so far stay valid); a second one kills.
const controller = new AbortController()
process.once('SIGINT', () => {
  process.stderr.write('\nbasiscope: cancelling… (Ctrl+C again to kill)\n')
  controller.abort()
  process.once('SIGINT', () => process.exit(EXIT.cancelled))
})

const code = await main(
  process.argv.slice(2),
  {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
  },
  controller.signal,
)
process.exitCode = code
