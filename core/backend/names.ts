/**
 * The compute backends by name, fastest first (compute.ts picks among them). A module of
 * its own, with no imports, so the run-config schema (core/api) can list them without
 * loading any backend.
 */
export const BACKEND_NAMES = ['onnx', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKEND_NAMES)[number]
export type BackendChoice = 'auto' | BackendName
