/** Backend names, kept apart from backend.ts so that commands that never train do not load tfjs. */
export type BackendKind = 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';
export const backendKinds: readonly BackendKind[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];

/** A backend that cannot be used here, with the sentence that tells the user what to do. */
export class BackendError extends Error {}
