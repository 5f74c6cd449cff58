import type { StoredRunSummary } from '../../../../core/api/summary.ts'

/**
 * Three lines of Python that load a run's exported bases (the Export menu's safetensors
 * file, as downloaded: `run-N-rotations.safetensors`, or `run-N-transforms.safetensors` for
 * oblique runs) and apply one to hidden activations, one input per row, and a comment with
 * the NumPy alternative (`run-N-rotations.R1.npy`, one file per tensor). Tensor names as the
 * export writes them: R1 … R{L−1}, or T{k} with Tinv{k}.
 */
export function pythonSnippet(runId: number, s: StoredRunSummary): string[] | null {
  const spaces = s.model.layers.length - 2
  if (spaces < 1) return null
  const width = s.model.layers[1]
  const load = 'from safetensors.numpy import load_file'
  const npy = (name: string) =>
    `# or with NumPy alone: ${name} = np.load("run-${runId}-rotations.${name}.npy")`
  if (s.rotation.transform === 'oblique') {
    const names = spaces > 1 ? `T1, Tinv1 … T${spaces}, Tinv${spaces}` : 'T1, Tinv1'
    return [
      load,
      `T = load_file("run-${runId}-transforms.safetensors")  # ${names}`,
      `h1_new = h1 @ T["T1"].T  # h1: [N, ${width}]; back: h1_new @ T["Tinv1"].T`,
      npy('T1'),
    ]
  }
  const names = spaces > 1 ? `R1 … R${spaces}` : 'R1'
  return [
    load,
    `R = load_file("run-${runId}-rotations.safetensors")  # ${names}`,
    `h1_rotated = h1 @ R["R1"].T  # h1: [N, ${width}] hidden-1 activations`,
    npy('R1'),
  ]
}
