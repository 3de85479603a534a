/**
 * Where a model's predict spends its time, kernel by kernel, on the wasm
 * backend: `npm run bench:profile -- examples/aux_branches.mbn [Model] [batch]`.
 *
 * Prints the median wall time of `predict` for the training model and the
 * pruned inference model, then each kernel's time (tf.profile, mean of five
 * profiled predicts) for both. It is how bench/README.md accounts for the
 * pruned-inference figure of aux_branches.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/runtime/backend.js';
import { buildModels, disposeModels } from '../src/runtime/build.js';
import { analyze, pickModel } from '../src/semantics/analyze.js';
import { median } from './stats.js';

const [file, modelName, batchText] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run bench:profile -- FILE.mbn [MODEL] [BATCH]');
  process.exit(2);
}
const uri = path.resolve(file);
const analysis = analyze(uri, { readFile: (u) => (u === uri ? readFileSync(u, 'utf8') : undefined) });
const graph = pickModel(analysis, modelName).graph;
if (!graph) {
  console.error(`${file}: the model does not check (run mbnc check ${file})`);
  process.exit(1);
}
const batch = Number(batchText ?? 256);
await selectBackend('wasm');
const built = buildModels(graph);
// Random inputs of each model's input shapes (the inference model may take fewer).
const inputsOf = (model: tf.LayersModel) => model.inputs.map((input) => tf.randomNormal([batch, ...input.shape.slice(1).map((d) => d ?? 1)]));

for (const [label, model] of [['training', built.training], ['inference', built.inference]] as const) {
  const xs = inputsOf(model);
  const predict = () => tf.dispose(model.predict(xs, { batchSize: batch }));
  for (let i = 0; i < 3; i++) predict();
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    predict();
    times.push(performance.now() - t0);
  }
  const kernels = new Map<string, { ms: number; calls: number }>();
  const profiles = 5;
  for (let i = 0; i < profiles; i++) {
    const profile = await tf.profile(predict);
    // Ops that call other kernels are listed too (`fusedConv2d__op` around `FusedConv2D`): kernels only.
    for (const k of profile.kernels.filter((k) => !k.name.endsWith('__op'))) {
      const entry = kernels.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += (k.kernelTimeMs as number) / profiles;
      entry.calls += 1 / profiles;
      kernels.set(k.name, entry);
    }
  }
  const rows = [...kernels].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, k]) => sum + k.ms, 0);
  console.log(`${label}: predict of ${batch} samples, median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}); kernels ${total.toFixed(1)} ms`);
  for (const [name, k] of rows) if (k.ms >= 0.05) console.log(`  ${name.padEnd(24)} ${k.ms.toFixed(2).padStart(7)} ms  ${Math.round(k.calls)} calls`);
  tf.dispose(xs);
}
disposeModels(built);
