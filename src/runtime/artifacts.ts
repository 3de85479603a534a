/**
 * tfjs model artifacts on disk: `model.json` + `weights.bin`, written
 * atomically (a whole directory is built aside, then renamed into place),
 * and read back for `tf.loadLayersModel`. tfjs's own `file://` handler lives
 * in tfjs-node, which is optional, so mbn does its own I/O.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerMbnLayers } from './layers/index.js';

export { writeFileAtomic } from '../data/io.js';

/**
 * Replaces `dir` with what `fill` writes, atomically: readers see the old
 * directory or the new one, never a mix; a crash leaves the old one in place
 * (or, between the two renames, a complete `.old` copy that `readableDir` finds).
 */
export function replaceDirectory(dir: string, fill: (tmp: string) => void): void {
  const parent = path.dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const old = `${dir}.old`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    fill(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** `dir`, or its `.old` copy if a crash came between the renames of `replaceDirectory`. */
export function readableDir(dir: string): string | undefined {
  if (existsSync(path.join(dir, 'model.json')) || existsSync(path.join(dir, 'state.json'))) return dir;
  const old = `${dir}.old`;
  return existsSync(old) ? old : undefined;
}

/** Serialises a model (topology + weights) in memory. */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** Writes `model.json` and `weights.bin` into `dir` (which must exist). */
export function writeArtifacts(dir: string, artifacts: tf.io.ModelArtifacts, extra: Record<string, unknown> = {}): void {
  const weights = artifacts.weightData ? new Uint8Array(tf.io.concatenateArrayBuffers([artifacts.weightData].flat() as ArrayBuffer[])) : new Uint8Array();
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs} (mbn)`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    ...extra,
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(path.join(dir, 'weights.bin'), weights);
}

export async function saveModel(model: tf.LayersModel, dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  const artifacts = await modelArtifacts(model);
  replaceDirectory(dir, (tmp) => writeArtifacts(tmp, artifacts, extra));
}

/** Loads a model saved by `saveModel` (or any tfjs layers model.json with its weight files beside it). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  registerMbnLayers();
  const where = readableDir(dir) ?? dir;
  const json = JSON.parse(readFileSync(path.join(where, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(path.join(where, p))));
  const total = Buffer.concat(buffers);
  const weightData = total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}
