/**
 * Backend selection. `auto` takes the fastest one that can be loaded:
 * tfjs-node-gpu (CUDA), tfjs-node (native CPU), then the embedded wasm
 * backend, then tfjs's pure-JS cpu backend. The native ones are optional
 * dependencies a user installs; asking for one that is missing is a
 * one-sentence error saying how to install it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmFallbacks } from './wasm-fallback.js';

import { BackendError, type BackendKind } from './backend-kinds.js';

export { BackendError, backendKinds, type BackendKind } from './backend-kinds.js';

export interface SelectedBackend {
  readonly kind: Exclude<BackendKind, 'auto'>;
  /** tfjs's name for it: tensorflow, wasm or cpu. */
  readonly tfjsName: string;
  /** What was tried and why it was skipped (for `auto`). */
  readonly notes: readonly string[];
}

const nativePackages = { gpu: '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' } as const;

export function installHint(kind: 'gpu' | 'node'): string {
  const pkg = nativePackages[kind];
  const base =
    `install it with \`npm install ${pkg}@${tf.version.tfjs} && npm install-scripts approve ${pkg} && npm rebuild ${pkg}\` ` +
    '(npm runs its install script only once approved; the script downloads libtensorflow 2.9.1)';
  return kind === 'gpu'
    ? `the gpu backend needs ${pkg}: ${base}; it also needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 libraries (CUDA 12 systems report a missing libcudart.so.11.0)`
    : `the node backend needs ${pkg}: ${base}`;
}

async function loadNative(kind: 'gpu' | 'node'): Promise<void> {
  try {
    await import(nativePackages[kind]);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String(error));
    throw new BackendError(missing ? installHint(kind) : `${nativePackages[kind]} is installed but failed to load (${(error as Error).message.split('\n')[0]}); ${installHint(kind)}`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new BackendError(`${nativePackages[kind]} loaded but its backend did not start; ${installHint(kind)}`);
}

async function use(name: 'wasm' | 'cpu'): Promise<void> {
  if (!(await tf.setBackend(name))) throw new BackendError(`the ${name} backend failed to start`);
  if (name === 'wasm') installWasmFallbacks();
  // The cpu backend greets Node users with a banner recommending tfjs-node; mbn says which backend it runs itself.
  else (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}

/** Selects and starts a backend; `auto` tries them in order and says which it took. */
export async function selectBackend(kind: BackendKind): Promise<SelectedBackend> {
  if (kind !== 'auto') {
    if (kind === 'gpu' || kind === 'node') await loadNative(kind);
    else await use(kind);
    await tf.ready();
    return { kind, tfjsName: tf.getBackend(), notes: [] };
  }
  const notes: string[] = [];
  for (const candidate of ['gpu', 'node'] as const) {
    try {
      await loadNative(candidate);
      await tf.ready();
      return { kind: candidate, tfjsName: tf.getBackend(), notes };
    } catch (error) {
      const message = (error as Error).message;
      notes.push(`${nativePackages[candidate]} ${message.includes('failed to load') || message.includes('did not start') ? 'failed to load' : 'is not installed'}`);
    }
  }
  try {
    await use('wasm');
    await tf.ready();
    return { kind: 'wasm', tfjsName: 'wasm', notes };
  } catch (error) {
    notes.push(`wasm: ${(error as Error).message}`);
  }
  await use('cpu');
  await tf.ready();
  return { kind: 'cpu', tfjsName: 'cpu', notes };
}
