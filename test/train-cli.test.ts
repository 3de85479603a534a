/**
 * `mbnc train` and `mbnc predict` end to end: every example trains on
 * synthetic data, runs resume from their checkpoints, predictions are
 * written in every format, saved models reload, and bad data gets a clear
 * error that leaves existing run directories as they were.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../src/data/npy.js';
import { readNpz, writeNpz } from '../src/data/npz.js';
import { loadModel } from '../src/runtime/artifacts.js';
import { repoRoot } from './helpers.js';
import { mbnc } from './mbnc.js';


const scratch = () => mkdtempSync(path.join(tmpdir(), 'mbn-train-'));

/** A fingerprint of every file under a folder, to prove it was left alone. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

interface History {
  model: string;
  backend: string;
  epochs: { epoch: number; loss: number; outputs: Record<string, Record<string, number>>; validation?: { loss: number }; seconds: number; samplesPerSecond: number }[];
}

const examples: [file: string, model: string, extra: string[]][] = [
  ['aux_branches.mbn', 'AuxBranches', []],
  ['lstm_cnn_paper.mbn', 'LstmCnn', []],
  ['soft_switch.mbn', 'ConditionalCatDog', ['--param', 'size=161']],
  ['soft_switch.mbn', 'ConditionalCatDogSliced', ['--param', 'size=161']],
  ['weighted_merge.mbn', 'WeightedSum', []],
  ['weighted_merge.mbn', 'TrainableWeightedSum', []],
  ['weighted_merge.mbn', 'WeightedProduct', []],
  ['ensemble.mbn', 'Ensemble', []],
  ['ensemble.mbn', 'EnsembleTwoOutputs', []],
  ['ensemble.mbn', 'EnsembleTwoInputs', []],
  ['ensemble.mbn', 'EnsembleShared', []],
  ['mixture_of_experts.mbn', 'MixtureOfExperts', []],
];

describe('mbnc train on every example (synthetic data, two epochs)', () => {
  for (const [file, name, extra] of examples) {
    it(`${file} ${name}`, async () => {
      const out = path.join(scratch(), 'run');
      const r = await mbnc(['train', `examples/${file}`, '--model', name, ...extra, '--synthetic', '12', '--epochs', '2', '--batch', '4', '--backend', 'wasm', '--out', out]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code, r.stderr).toBe(0);
      const history = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')) as History;
      expect(history.model).toBe(name);
      expect(history.backend).toBe('wasm');
      expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      for (const e of history.epochs) {
        expect(Number.isFinite(e.loss)).toBe(true);
        expect(e.seconds).toBeGreaterThan(0);
        expect(e.samplesPerSecond).toBeGreaterThan(0);
      }
      const training = await loadModel(path.join(out, 'training'));
      const inference = await loadModel(path.join(out, 'inference'));
      const meta = JSON.parse(readFileSync(path.join(out, 'training', 'model.json'), 'utf8')).mbn;
      expect(Object.keys(history.epochs[0]!.outputs)).toEqual(meta.outputs.map((o: { name: string }) => o.name));
      expect(inference.countParams()).toBeLessThanOrEqual(training.countParams());
      training.dispose();
      inference.dispose();
      expect(r.stdout.trim().split('\n')).toHaveLength(2);
    });
  }
});

describe('a run directory', () => {
  const setup = async () => {
    const dir = scratch();
    const out = path.join(dir, 'run');
    const r = await mbnc(['train', 'examples/aux_branches.mbn', '--synthetic', '24', '--epochs', '2', '--batch', '8', '--backend', 'wasm', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    return { dir, out };
  };

  it('holds run.json, the spec sources, a checkpoint, history and both models', async () => {
    const { out } = await setup();
    expect(readdirSync(out).sort()).toEqual(['checkpoint', 'history.json', 'inference', 'run.json', 'sources.json', 'training']);
    expect(readdirSync(path.join(out, 'inference')).sort()).toEqual(['model.json', 'weights.bin']);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ model: 'AuxBranches', synthetic: 24, epochs: 2, batchSize: 8 });
    const state = JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8'));
    expect(state.epoch).toBe(2);
    // No temporary files are left behind by the atomic writes.
    const all = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? all(path.join(d, n)) : [n]));
    expect(all(out).filter((n) => /tmp|\.old/.test(n))).toEqual([]);
  });

  it('resumes from its checkpoint with the optimizer state, continuing the epoch count', async () => {
    const { out } = await setup();
    const checkpointWeights = readFileSync(path.join(out, 'checkpoint', 'weights.bin'));
    // Resuming to the same number of epochs trains nothing: the saved model is the checkpoint's weights, exactly.
    const same = await mbnc(['train', '--resume', out, '--backend', 'wasm']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('already has 2 epochs');
    const saved = await loadModel(path.join(out, 'training'));
    const restored = new Uint8Array(tf.io.concatenateArrayBuffers(saved.getWeights().map((w) => w.dataSync().slice().buffer)));
    expect(Buffer.from(restored).equals(checkpointWeights)).toBe(true);
    saved.dispose();
    const more = await mbnc(['train', '--resume', out, '--epochs', '4', '--backend', 'wasm']);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toContain('resuming `AuxBranches` after epoch 2');
    const history = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')) as History;
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8')).epoch).toBe(4);
  });

  it('refuses to be overwritten by a new run', async () => {
    const { out } = await setup();
    const before = fingerprint(out);
    const r = await mbnc(['train', 'examples/aux_branches.mbn', '--synthetic', '8', '--out', out, '--backend', 'wasm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already holds files; resume that run with `mbnc train --resume');
    expect(fingerprint(out)).toBe(before);
  });

  it('is replaced only when asked, and only if it is a run', async () => {
    const { dir, out } = await setup();
    const again = await mbnc(['train', 'examples/aux_branches.mbn', '--synthetic', '8', '--epochs', '1', '--out', out, '--overwrite', '--backend', 'wasm']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).synthetic).toBe(8);
    const other = path.join(dir, 'precious');
    writeFileSync(path.join(dir, 'keep.txt'), 'x');
    const notRun = await mbnc(['train', 'examples/aux_branches.mbn', '--synthetic', '8', '--out', dir, '--overwrite', '--backend', 'wasm']);
    expect(notRun.code).toBe(1);
    expect(notRun.stderr).toContain('is not an mbn run directory (no run.json); --overwrite only replaces runs');
    expect(existsSync(path.join(dir, 'keep.txt'))).toBe(true);
    void other;
  });

  it('evaluates each output on labelled data', async () => {
    const { dir, out } = await setup();
    const n = 6;
    const arrays = new Map([
      ['img', { dtype: 'float32' as const, shape: [n, 32, 32, 3], data: Float32Array.from({ length: n * 3072 }, (_, i) => Math.sin(i)) }],
      ['seq', { dtype: 'float32' as const, shape: [n, 20, 30], data: Float32Array.from({ length: n * 600 }, (_, i) => Math.cos(i)) }],
      ['main', { dtype: 'float32' as const, shape: [n, 1], data: Float32Array.from({ length: n }, (_, i) => i) }],
    ]);
    const file = path.join(dir, 'labelled.npz');
    writeFileSync(file, writeNpz(arrays));
    const r = await mbnc(['evaluate', path.join(out, 'inference'), '--data', file, '--json', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ model: 'AuxBranches', samples: n });
    // The inference model has one output, weight 1: its loss is the total.
    expect(result.loss).toBeCloseTo(result.outputs.main.loss, 6);
    const predicted = JSON.parse((await mbnc(['predict', path.join(out, 'inference'), '--data', file, '--backend', 'wasm'])).stdout).main as number[][];
    const mse = predicted.reduce((s, [p], i) => s + (p! - i) ** 2, 0) / n;
    expect(result.outputs.main.loss).toBeCloseTo(mse, 4);
  });

  it('predicts to .npy, .npz, .csv and .json', async () => {
    const { dir, out } = await setup();
    const n = 3;
    const img = Float32Array.from({ length: n * 32 * 32 * 3 }, (_, i) => Math.sin(i));
    const seq = Float32Array.from({ length: n * 20 * 30 }, (_, i) => Math.cos(i));
    const input = path.join(dir, 'in.npz');
    writeFileSync(input, writeNpz(new Map([['img', { dtype: 'float32', shape: [n, 32, 32, 3], data: img }], ['seq', { dtype: 'float32', shape: [n, 20, 30], data: seq }]])));
    const npy = path.join(dir, 'main.npy');
    expect((await mbnc(['predict', path.join(out, 'inference'), '--data', input, '--out', npy, '--backend', 'wasm'])).code).toBe(0);
    const predicted = readNpy(readFileSync(npy), npy);
    expect(predicted.shape).toEqual([n, 1]);
    const json = await mbnc(['predict', path.join(out, 'inference'), '--data', input, '--backend', 'wasm']);
    const fromJson = JSON.parse(json.stdout).main as number[][];
    expect(fromJson.map((r) => r[0])).toEqual(Array.from(predicted.data as Float32Array));
    const csv = path.join(dir, 'p.csv');
    expect((await mbnc(['predict', path.join(out, 'inference'), '--data', input, '--out', csv, '--backend', 'wasm'])).code).toBe(0);
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(n + 1);
    // The training model has three outputs: an .npz holds all of them by name.
    const npz = path.join(dir, 'all.npz');
    expect((await mbnc(['predict', path.join(out, 'training'), '--data', input, '--out', npz, '--backend', 'wasm'])).code).toBe(0);
    expect([...readNpz(readFileSync(npz), npz).keys()]).toEqual(['main', 'cnn_aux', 'lstm_aux']);
    const single = await mbnc(['predict', path.join(out, 'training'), '--data', input, '--out', path.join(dir, 'x.npy'), '--backend', 'wasm']);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('the model has 3 outputs (main, cnn_aux, lstm_aux); write them to a .npz or .json file');
  });

  it('gives clear errors for corrupted or mismatched data and leaves the run intact', async () => {
    const { dir, out } = await setup();
    const before = fingerprint(out);
    const corrupt = path.join(dir, 'img.npy');
    writeFileSync(corrupt, Buffer.from('\x93NUMPY\x01\x00garbage'));
    const bad = await mbnc(['predict', path.join(out, 'inference'), '--data', corrupt, '--backend', 'wasm']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*img\.npy: /);
    const wrong = path.join(dir, 'wrong.npz');
    writeFileSync(wrong, writeNpz(new Map([['img', { dtype: 'float32', shape: [2, 32, 32], data: new Float32Array(2 * 32 * 32) }], ['seq', { dtype: 'float32', shape: [3, 20, 30], data: new Float32Array(3 * 600) }]])));
    const mismatched = await mbnc(['predict', path.join(out, 'inference'), '--data', wrong, '--backend', 'wasm']);
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toMatch(/error: input `img` expects \[None, 32, 32, 3\], but \S*wrong\.npz holds \[2, 32, 32\]; arrays need a first axis for the samples: \[n, 32, 32, 3\]/);
    const trainBad = await mbnc(['train', 'examples/aux_branches.mbn', '--data', wrong, '--out', path.join(dir, 'new'), '--backend', 'wasm']);
    expect(trainBad.code).toBe(1);
    expect(trainBad.stderr).toContain('error: output `main` [None, 1]: no target array named `main`');
    expect(trainBad.stderr).toContain('the data does not fit the model; nothing was trained');
    expect(existsSync(path.join(dir, 'new'))).toBe(false);
    for (const r of [bad, mismatched, trainBad]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fingerprint(out)).toBe(before);
  });

  it('stops cleanly on Ctrl-C, keeping the last complete epoch, and resumes', async () => {
    const dir = scratch();
    const out = path.join(dir, 'run');
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/mbnc.js'), 'train', 'examples/weighted_merge.mbn', '--model', 'WeightedSum', '--synthetic', '4000', '--epochs', '500', '--batch', '8', '--backend', 'wasm', '--out', out], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const status = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!existsSync(path.join(out, 'checkpoint', 'state.json')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await status).toBe(130);
    expect(stderr).toContain('stopping after this batch');
    expect(stderr).toContain(`stopped; resume with: mbnc train --resume`);
    const state = JSON.parse(readFileSync(path.join(out, 'checkpoint', 'state.json'), 'utf8'));
    expect(state.epoch).toBeGreaterThanOrEqual(1);
    expect(state.history).toHaveLength(state.epoch);
    const resumed = await mbnc(['train', '--resume', out, '--epochs', String(state.epoch + 1), '--backend', 'wasm']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')).epochs).toHaveLength(state.epoch + 1);
  });
});

describe('backends', () => {
  it('explains in one sentence how to install a native backend that is missing', async () => {
    for (const [kind, pkg] of [['gpu', '@tensorflow/tfjs-node-gpu'], ['node', '@tensorflow/tfjs-node']]) {
      const r = await mbnc(['train', 'examples/weighted_merge.mbn', '--model', 'WeightedSum', '--synthetic', '8', '--out', path.join(scratch(), 'r'), '--backend', kind!]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`npm install ${pkg}@4.22.0 && npm install-scripts approve ${pkg}`);
      if (kind === 'gpu') expect(r.stderr).toContain('CUDA 11.2');
    }
    expect((await mbnc(['train', 'examples/aux_branches.mbn', '--backend', 'tpu', '--synthetic', '1', '--out', 'x'])).code).toBe(2);
  });

  it('auto takes wasm here and says which it took', async () => {
    const r = await mbnc(['train', 'examples/weighted_merge.mbn', '--model', 'WeightedSum', '--synthetic', '8', '--epochs', '1', '--out', path.join(scratch(), 'r')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^backend: wasm \(@tensorflow\/tfjs-node-gpu is not installed, @tensorflow\/tfjs-node is not installed\)$/m);
  });
});
