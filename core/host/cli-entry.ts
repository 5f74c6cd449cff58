import { EXIT, main } from './cli.ts'

// Ctrl+C cancels the run cleanly (artifacts written so far stay valid); a second one kills.
const controller = new AbortController()
process.once('SIGINT', () => {
  process.stderr.write('\nbasiscope: cancelling… (Ctrl+C again to kill)\n')
  controller.abort()
  process.once('SIGINT', () => process.exit(EXIT.cancelled))
})

/** Whether an output stream failed because its reader went away (`basiscope … | head -1`). */
function isClosedPipe(e: NodeJS.ErrnoException): boolean {
  return e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED'
}

// A closed stdout or stderr ends the command quietly, as Unix tools end on SIGPIPE: what it
// still prints goes nowhere, a run stops as on Ctrl+C (its project stays valid), exit 0.
let readerGone = false
function onOutputError(e: NodeJS.ErrnoException): void {
  if (!isClosedPipe(e)) throw e
  if (readerGone) return
  readerGone = true
  // The error may come after the command has ended and set its exit code.
  process.exitCode = EXIT.ok
  controller.abort()
}
process.stdout.on('error', onOutputError)
process.stderr.on('error', onOutputError)

function writer(stream: NodeJS.WriteStream): (text: string) => void {
  return (text) => {
    if (!readerGone && !stream.destroyed) stream.write(text)
  }
}

const code = await main(
  process.argv.slice(2),
  {
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    isTTY: Boolean(process.stderr.isTTY),
  },
  controller.signal,
)
process.exitCode = readerGone ? EXIT.ok : code
