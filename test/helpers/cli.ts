import { type CliIo, main } from '../../core/host/cli.ts'

/** `basiscope <argv>` through the real CLI entry, in-process: exit code and both streams. */
export async function runMain(
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}
