/**
 * Checkpoints: after every epoch the model's weights, the optimizer's state
 * and the history so far are written to RUN_DIR/checkpoint, replacing the
 * previous one atomically. `--resume` restores all three, so training goes on
 * exactly where it stopped (Adam's moments included).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readableDir, replaceDirectory } from './artifacts.js';
import type { EpochReport } from './train.js';

interface StoredTensors {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly file: string;
}

export interface CheckpointState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochReport[];
}

function loadTensors(dir: string, stored: StoredTensors): tf.NamedTensorMap {
  const bytes = readFileSync(path.join(dir, stored.file));
  return tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), stored.specs);
}

export async function writeCheckpoint(runDir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  // Read everything before touching the disk: encodeWeights is async, replaceDirectory's callback is not.
  const weights = model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor }));
  const optimizerWeights = await optimizer.getWeights();
  const encodedWeights = await tf.io.encodeWeights(weights);
  const encodedOptimizer = await tf.io.encodeWeights(optimizerWeights);
  // getWeights hands out the optimizer's own variables (keep those) and a fresh iteration count (free it).
  tf.dispose(optimizerWeights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  replaceDirectory(path.join(runDir, 'checkpoint'), (tmp) => {
    writeFileSync(path.join(tmp, 'weights.bin'), new Uint8Array(encodedWeights.data));
    writeFileSync(path.join(tmp, 'optimizer.bin'), new Uint8Array(encodedOptimizer.data));
    const manifest = {
      weights: { specs: encodedWeights.specs, file: 'weights.bin' },
      optimizer: { specs: encodedOptimizer.specs, file: 'optimizer.bin' },
      optimizerNames: optimizerWeights.map((w) => w.name),
    };
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
    // state.json last: its presence marks a complete checkpoint.
    writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state));
  });
}

export function hasCheckpoint(runDir: string): boolean {
  const dir = readableDir(path.join(runDir, 'checkpoint'));
  return dir !== undefined && existsSync(path.join(dir, 'state.json'));
}

/**
 * Restores weights and optimizer state into a freshly built and compiled
 * model; returns the saved state. Checks that the weights fit the model.
 */
export async function restoreCheckpoint(runDir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const dir = readableDir(path.join(runDir, 'checkpoint'));
  if (!dir || !existsSync(path.join(dir, 'state.json'))) throw new Error(`${runDir} has no checkpoint to resume from`);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    weights: StoredTensors;
    optimizer: StoredTensors;
    optimizerNames: string[];
  };
  const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
  const weights = loadTensors(dir, manifest.weights);
  const current = model.getWeights();
  if (Object.keys(weights).length !== current.length) {
    throw new Error(`the checkpoint in ${runDir} has ${Object.keys(weights).length} weight tensors but the model has ${current.length}; was the spec changed?`);
  }
  const ordered = current.map((w, i) => {
    const saved = weights[`w${i}`]!;
    if (saved.shape.join() !== w.shape.join()) {
      throw new Error(`checkpoint weight ${i} has shape [${saved.shape}] but the model's is [${w.shape}]; was the spec changed?`);
    }
    return saved;
  });
  model.setWeights(ordered);
  tf.dispose(ordered);
  const optimizerWeights = loadTensors(dir, manifest.optimizer);
  await optimizer.setWeights(manifest.optimizerNames.map((name) => ({ name, tensor: optimizerWeights[name]! })));
  // The optimizer's variables hold their own references; these copies can go.
  tf.dispose(Object.values(optimizerWeights));
  return state;
}

