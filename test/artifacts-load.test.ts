/**
 * The artifacts mbn writes (model.json + weights.bin, as `saveModel` writes
 * them for `mbnc train` and `mbnc compile --emit model-json`) load with plain
 * `tf.loadLayersModel('file://…/model.json')` in Node, for the training and
 * the inference model of every example that compiles on its own: the same
 * layers, the same weights, the same predictions.
 *
 * The file:// loader is this test's own small IOHandler (tfjs's lives in the
 * optional tfjs-node), so the check does not go through mbn's `loadModel`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, buildModels, registerMbnLayers } from '../src/index.js';
import { saveModel } from '../src/runtime/artifacts.js';
import { examplesDir, fileHost } from './helpers.js';
import { fixedInputs, layerClasses, maxRelativeDifference, perturbWeights, predictData } from './model-fixtures.js';

interface ModelJson {
  format: string;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads `file://…/model.json` and the weight files its manifest names, beside it. */
function fileHandler(url: string): tf.io.IOHandler {
  const file = fileURLToPath(url);
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
      const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(path.join(path.dirname(file), p))));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
      };
    },
  };
}

function bytesOf(t: tf.Tensor): Buffer {
  const data = t.dataSync();
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes per element of each dtype a weight manifest can name. */
const dtypeBytes: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Every example model that compiles on its own (sub-models with shapeless inputs do not). */
const standalone = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.mbn'))
  .flatMap((file) => analyze(path.join(examplesDir, file), fileHost).models.filter((m) => m.graph).map((m) => ({ file, model: m.name })));

describe('saved models load with tf.loadLayersModel in Node', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'mbn-artifacts-'));
    // What a Node user does: register mbn's layers, then load by URL.
    registerMbnLayers();
    // tfjs asks every router and uses those that answer; its IORouter type omits the "not mine" answer, null.
    const fileRouter = (url: string | string[]) => (typeof url === 'string' && url.startsWith('file://') ? fileHandler(url) : null);
    tf.io.registerLoadRouter(fileRouter as Parameters<typeof tf.io.registerLoadRouter>[0]);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('covers every standalone example model', () => {
    expect(standalone.map((s) => s.model)).toEqual(expect.arrayContaining(['AuxBranches', 'Ensemble', 'LstmCnn', 'MixtureOfExperts', 'ConditionalCatDog', 'TrainableWeightedSum']));
    expect(standalone.length).toBeGreaterThanOrEqual(12);
  });

  for (const { file, model: name } of standalone) {
    it(`${file} ${name}: training and inference artifacts reproduce the model`, async () => {
      const uri = path.join(examplesDir, file);
      const { training, inference, report } = await buildModels(readFileSync(uri, 'utf8'), { model: name, uri, backend: 'wasm' });
      perturbWeights(training);
      for (const [kind, model, outputs] of [['training', training, report.outputs], ['inference', inference, report.inferenceOutputs]] as const) {
        const dir = path.join(work, name, kind);
        await saveModel(model, dir);

        // The files themselves: a tfjs layers model whose one weight file holds every weight, nothing more.
        const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
        expect(json.format).toBe('layers-model');
        expect(json.weightsManifest.map((g) => g.paths)).toEqual([['weights.bin']]);
        const specs = json.weightsManifest[0]!.weights;
        const bytes = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * dtypeBytes[s.dtype]!, 0);
        expect(statSync(path.join(dir, 'weights.bin')).size).toBe(bytes);
        expect(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)).toBe(model.countParams());

        const loaded = await tf.loadLayersModel(pathToFileURL(path.join(dir, 'model.json')).href);
        expect(layerClasses(loaded), `${kind} layers`).toEqual(layerClasses(model));
        expect(loaded.outputs.length, `${kind} outputs`).toBe(outputs.length);
        expect(loaded.countParams()).toBe(model.countParams());
        const original = model.getWeights();
        const reloaded = loaded.getWeights();
        expect(reloaded.map((w) => w.shape)).toEqual(original.map((w) => w.shape));
        // Bit for bit (as bytes: a million-element toEqual is slow).
        original.forEach((w, i) => expect(bytesOf(reloaded[i]!).equals(bytesOf(w)), `${kind} weight ${i}`).toBe(true));

        const inputs = fixedInputs(model);
        const expected = predictData(model, inputs);
        const got = predictData(loaded, inputs);
        expect(got.map((o) => o.shape)).toEqual(expected.map((o) => o.shape));
        expected.forEach((out, i) => {
          expect(new Set(out.values).size, `${kind} output ${i} varies`).toBeGreaterThan(1);
          expect(maxRelativeDifference(got[i]!, out), `${kind} output ${i}`).toBeLessThanOrEqual(1e-6);
        });
        loaded.dispose();
      }
      inference.dispose();
      training.dispose();
    });
  }
});
