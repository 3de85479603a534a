/**
 * mbn's runtime tfjs layers (src/runtime/layers): values against hand
 * computations, parameter counts against the catalogue, the trainable weight's
 * [0, 1] constraint under `fit`, gradients against finite differences, and a
 * model.json round trip through `tf.loadLayersModel`. The forward checks run
 * on the cpu and the wasm backends.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { layers as layerCatalogue, merges } from '../src/catalogue/index.js';
import type { Args, ArgValue, MergeEntry, Shape } from '../src/catalogue/types.js';
import {
  CausalConv1D,
  MixtureOfExperts,
  Slice,
  SoftSwitch,
  SpatialDropout2D,
  Subtract,
  UnitInterval,
  WeightedProduct,
  WeightedSum,
  registerMbnLayers,
} from '../src/runtime/layers/index.js';
import { bindCall, label, layerCases } from './catalogue-cases.js';
import { seededRandom } from '../src/util/random.js';

// ---------------------------------------------------------------------------
// helpers

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
function rand(n: number, lo = -1, hi = 1, seed = 1): number[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * next());
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function tensor(shape: number[], lo = -1, hi = 1, seed = 1): { t: tf.Tensor; v: number[] } {
  const v = rand(size(shape), lo, hi, seed);
  return { t: tf.tensor(v, shape), v };
}

function values(t: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): number[] {
  return Array.from((t as tf.Tensor).dataSync());
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const bad = actual.findIndex((a, i) => !(Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!))));
  if (bad >= 0) expect.fail(`element ${bad}: ${actual[bad]} vs expected ${expected[bad]} (tolerance ${tol})`);
}

/** Row-major index of `[b, ...rest]` in a tensor of `shape`. */
function at(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let k = 0; k < shape.length; k++) flat = flat * shape[k]! + index[k]!;
  return flat;
}

/** A merge entry's arguments: its defaults, then the given ones (Keras names, already normalised). */
function mergeArgs(entry: MergeEntry, given: Record<string, ArgValue>): Args {
  const args: Record<string, ArgValue> = {};
  for (const p of entry.params) args[p.name] = p.name in given ? given[p.name]! : (p.default as ArgValue);
  return args;
}

/** Constructs the runtime layer a custom catalogue descriptor names, as the model builder does. */
function construct(desc: { factory: string; config: Readonly<Record<string, unknown>>; custom?: boolean }): tf.layers.Layer {
  expect(desc.custom).toBe(true);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[desc.factory];
  if (!entry) throw new Error(`${desc.factory} is not registered`);
  const cls = entry[0] as unknown as new (config: object) => tf.layers.Layer;
  return new cls({ ...desc.config });
}

function input(shape: Shape): tf.SymbolicTensor {
  return tf.input({ shape: shape as number[] });
}

// ---------------------------------------------------------------------------
// forward values, on each backend

function forwardChecks(): void {
  it('WeightedSum fixed: 0.1*a + 0.9*b', () => {
    const a = tensor([2, 3], -1, 1, 1);
    const b = tensor([2, 3], -1, 1, 2);
    const layer = new WeightedSum({ mode: 'fixed', weights: [0.1, 0.9] });
    expectClose(values(layer.apply([a.t, b.t])), a.v.map((x, i) => 0.1 * x + 0.9 * b.v[i]!));
  });

  it('WeightedSum fixed over three inputs', () => {
    const xs = [1, 2, 3].map((s) => tensor([2, 2, 2], -2, 2, s));
    const w = [0.2, 0.3, 0.5];
    const layer = new WeightedSum({ mode: 'fixed', weights: w });
    expectClose(values(layer.apply(xs.map((x) => x.t))), xs[0]!.v.map((_, i) => xs.reduce((s, x, k) => s + w[k]! * x.v[i]!, 0)));
  });

  it('WeightedSum trainable: alpha*a + (1-alpha)*b with alpha = init', () => {
    const a = tensor([2, 3], -1, 1, 3);
    const b = tensor([2, 3], -1, 1, 4);
    const layer = new WeightedSum({ mode: 'trainable', init: 0.25 });
    expectClose(values(layer.apply([a.t, b.t])), a.v.map((x, i) => 0.25 * x + 0.75 * b.v[i]!));
    expect(layer.weights.map((w) => [w.name.split('/').pop(), w.shape])).toEqual([['alpha', [1]]]);
  });

  it('WeightedSum softmax: weights softmax(logits), summing to 1', () => {
    const xs = [1, 2, 3].map((s) => tensor([2, 4], -1, 1, 10 + s));
    const layer = new WeightedSum({ mode: 'softmax', count: 3 });
    // logits start at zero: the plain mean
    expectClose(values(layer.apply(xs.map((x) => x.t))), xs[0]!.v.map((_, i) => xs.reduce((s, x) => s + x.v[i]! / 3, 0)));
    const logits = [0.2, -0.5, 1.0];
    layer.setWeights([tf.tensor1d(logits)]);
    const e = logits.map(Math.exp);
    const w = e.map((x) => x / e.reduce((s, y) => s + y, 0));
    expectClose(values(layer.apply(xs.map((x) => x.t))), xs[0]!.v.map((_, i) => xs.reduce((s, x, k) => s + w[k]! * x.v[i]!, 0)));
    // equal inputs come back unchanged: the weights sum to 1
    const same = tensor([2, 4], -1, 1, 99);
    expectClose(values(layer.apply([same.t, same.t, same.t])), same.v);
  });

  it('WeightedProduct fixed: a^0.3 * b^0.7, inputs clipped at 1e-7', () => {
    const a = tensor([2, 3], 0.1, 2, 5);
    const b = tensor([2, 3], 0.1, 2, 6);
    const layer = new WeightedProduct({ mode: 'fixed', weights: [0.3, 0.7] });
    expectClose(values(layer.apply([a.t, b.t])), a.v.map((x, i) => x ** 0.3 * b.v[i]! ** 0.7), 1e-4);
    const zero = values(layer.apply([tf.tensor2d([[0, -1]]), tf.tensor2d([[1, 1]])]));
    expectClose(zero, [1e-7 ** 0.3, 1e-7 ** 0.3], 1e-3);
  });

  it('WeightedProduct trainable and softmax', () => {
    const a = tensor([2, 3], 0.1, 2, 7);
    const b = tensor([2, 3], 0.1, 2, 8);
    const trainable = new WeightedProduct({ mode: 'trainable', init: 0.6 });
    expectClose(values(trainable.apply([a.t, b.t])), a.v.map((x, i) => x ** 0.6 * b.v[i]! ** 0.4), 1e-4);
    const soft = new WeightedProduct({ mode: 'softmax', count: 2 });
    soft.apply([a.t, b.t]);
    soft.setWeights([tf.tensor1d([1, -1])]);
    const w0 = Math.exp(1) / (Math.exp(1) + Math.exp(-1));
    expectClose(values(soft.apply([a.t, b.t])), a.v.map((x, i) => x ** w0 * b.v[i]! ** (1 - w0)), 1e-4);
  });

  it('MixtureOfExperts: sum_i gate[:, i] * e_i over [2, 4] experts', () => {
    const gate = tensor([2, 3], 0, 1, 20);
    const experts = [1, 2, 3].map((s) => tensor([2, 4], -1, 1, 20 + s));
    const out = new MixtureOfExperts().apply([gate.t, ...experts.map((e) => e.t)]) as tf.Tensor;
    expect(out.shape).toEqual([2, 4]);
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 4; j++) expected.push(experts.reduce((s, e, i) => s + gate.v[b * 3 + i]! * e.v[b * 4 + j]!, 0));
    }
    expectClose(values(out), expected);
  });

  it('MixtureOfExperts: the gate broadcasts over rank-4 experts [2, 3, 3, 2]', () => {
    const gate = tensor([2, 3], 0, 1, 30);
    const shape = [2, 3, 3, 2];
    const experts = [1, 2, 3].map((s) => tensor(shape, -1, 1, 30 + s));
    const out = new MixtureOfExperts().apply([gate.t, ...experts.map((e) => e.t)]) as tf.Tensor;
    expect(out.shape).toEqual(shape);
    const per = size(shape.slice(1));
    const expected = experts[0]!.v.map((_, k) => experts.reduce((s, e, i) => s + gate.v[Math.floor(k / per) * 3 + i]! * e.v[k]!, 0));
    expectClose(values(out), expected);
  });

  it('SoftSwitch: each branch scaled by its per-sample probability, branches of different shapes', () => {
    const p = tf.tensor2d([[0.25, 0.75], [0.9, 0.1]]);
    const a = tensor([2, 3], -1, 1, 40);
    const b = tensor([2, 2, 2], -1, 1, 41);
    const outs = new SoftSwitch().apply([p, a.t, b.t]) as tf.Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([[2, 3], [2, 2, 2]]);
    const pv = [[0.25, 0.75], [0.9, 0.1]];
    expectClose(values(outs[0]!), a.v.map((x, k) => x * pv[Math.floor(k / 3)]![0]!));
    expectClose(values(outs[1]!), b.v.map((x, k) => x * pv[Math.floor(k / 4)]![1]!));
  });

  it('Slice: bounds over the non-batch axes, squeezing an indexed axis', () => {
    const shape = [2, 3, 4, 5];
    const x = tensor(shape, -1, 1, 50);
    // x[:, 1, 0:3] (the last axis kept whole) → [2, 3, 5]
    const out = new Slice({ begin: [1, 0], end: [2, 3], squeeze: [0] }).apply(x.t) as tf.Tensor;
    expect(out.shape).toEqual([2, 3, 5]);
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) for (let j = 0; j < 3; j++) for (let k = 0; k < 5; k++) expected.push(x.v[at(shape, [b, 1, j, k])]!);
    expectClose(values(out), expected);
    // p[0:1] on [None, 2] keeps the axis
    const p = tf.tensor2d([[0.3, 0.7], [0.6, 0.4]]);
    const kept = new Slice({ begin: [0], end: [1], squeeze: [] }).apply(p) as tf.Tensor;
    expect(kept.shape).toEqual([2, 1]);
    expectClose(values(kept), [0.3, 0.6]);
    const dropped = new Slice({ begin: [1], end: [2], squeeze: [0] }).apply(p) as tf.Tensor;
    expect(dropped.shape).toEqual([2]);
    expectClose(values(dropped), [0.7, 0.4]);
  });

  it('Subtract: x0 - x1 with [B, 3, 4] - [B, 1, 4] broadcasting, and a lower-rank input expanded at axis 1', () => {
    const a = tensor([2, 3, 4], -1, 1, 60);
    const b = tensor([2, 1, 4], -1, 1, 61);
    const out = new Subtract().apply([a.t, b.t]) as tf.Tensor;
    expect(out.shape).toEqual([2, 3, 4]);
    expectClose(values(out), a.v.map((x, k) => x - b.v[Math.floor(k / 12) * 4 + (k % 4)]!));
    const c = tensor([2, 4], -1, 1, 62);
    const out2 = new Subtract().apply([a.t, c.t]) as tf.Tensor;
    expect(out2.shape).toEqual([2, 3, 4]);
    expectClose(values(out2), a.v.map((x, k) => x - c.v[Math.floor(k / 12) * 4 + (k % 4)]!));
  });

  /** Hand-computed causal convolution: y[b, t, f] = act(bias[f] + sum_j sum_c x[b, t*s - (k-1-j)*d, c] * W[j, c, f]). */
  function manualCausal(x: number[], xs: number[], w: number[], bias: number[], k: number, filters: number, s: number, d: number, act: (v: number) => number): number[] {
    const [B, T, C] = xs as [number, number, number];
    const out: number[] = [];
    const steps = Math.ceil(T / s);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < steps; t++) {
        for (let f = 0; f < filters; f++) {
          let sum = bias[f]!;
          for (let j = 0; j < k; j++) {
            const src = t * s - (k - 1 - j) * d;
            if (src < 0) continue;
            for (let c = 0; c < C; c++) sum += x[at(xs, [b, src, c])]! * w[at([k, C, filters], [j, c, f])]!;
          }
          out.push(act(sum));
        }
      }
    }
    return out;
  }

  for (const [s, d, activation] of [[1, 1, 'linear'], [2, 1, 'relu'], [1, 2, 'tanh'], [2, 1, 'linear']] as const) {
    for (const T of [7, 8]) {
      it(`CausalConv1D k=3 stride ${s} dilation ${d} ${activation} on T=${T}: ${s === 1 ? 'T' : 'ceil(T/2)'} steps equal to a manual computation`, () => {
        const k = 3, C = 2, filters = 3;
        const layer = new CausalConv1D({ filters, kernelSize: [k], strides: [s], padding: 'causal', dilationRate: [d], activation, useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' });
        const x = tensor([2, T, C], -1, 1, 70 + T);
        layer.apply(x.t);
        const w = rand(k * C * filters, -1, 1, 71);
        const bias = rand(filters, -0.5, 0.5, 72);
        layer.setWeights([tf.tensor3d(w, [k, C, filters]), tf.tensor1d(bias)]);
        const out = layer.apply(x.t) as tf.Tensor;
        expect(out.shape).toEqual([2, Math.ceil(T / s), filters]);
        expect((layer.computeOutputShape([null, T, C]) as Shape)).toEqual([null, Math.ceil(T / s), filters]);
        const act = activation === 'relu' ? (v: number) => Math.max(v, 0) : activation === 'tanh' ? Math.tanh : (v: number) => v;
        expectClose(values(out), manualCausal(x.v, [2, T, C], w, bias, k, filters, s, d, act), 1e-4);
      });
    }
  }

  it('CausalConv1D: step t never depends on later steps', () => {
    const layer = new CausalConv1D({ filters: 2, kernelSize: [3], strides: [1], padding: 'causal', dilationRate: [1], activation: 'linear', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' });
    const x = tensor([1, 6, 2], -1, 1, 80);
    const y = values(layer.apply(x.t));
    const changed = x.v.slice();
    for (let c = 0; c < 2; c++) changed[at([1, 6, 2], [0, 4, c])]! += 5; // perturb step 4
    const y2 = values(layer.apply(tf.tensor(changed, [1, 6, 2])));
    expectClose(y2.slice(0, 4 * 2), y.slice(0, 4 * 2)); // steps 0..3 unchanged
    expect(y2.slice(8).some((v, i) => Math.abs(v - y[8 + i]!) > 1e-3)).toBe(true);
  });

  it('SpatialDropout2D: whole [H, W] planes dropped in training, identity at inference', () => {
    const rate = 0.5;
    const shape = [4, 3, 3, 8];
    const x = tensor(shape, 0.5, 1.5, 90);
    const layer = new SpatialDropout2D({ rate, seed: 7 });
    const y = values(layer.apply(x.t, { training: true }));
    let zero = 0, kept = 0;
    for (let b = 0; b < 4; b++) {
      for (let c = 0; c < 8; c++) {
        const planeIdx: number[] = [];
        for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) planeIdx.push(at(shape, [b, h, w, c]));
        const allZero = planeIdx.every((i) => y[i] === 0);
        const allScaled = planeIdx.every((i) => Math.abs(y[i]! - x.v[i]! / (1 - rate)) < 1e-5);
        expect(allZero || allScaled, `sample ${b} channel ${c}`).toBe(true);
        if (allZero) zero++;
        else kept++;
      }
    }
    expect(zero).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
    expectClose(values(layer.apply(x.t, { training: false })), x.v);
    expectClose(values(layer.apply(x.t)), x.v);
  });
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
  registerMbnLayers();
  await tf.setBackend('cpu');
});

describe('runtime layers on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  forwardChecks();
});

describe('runtime layers on the wasm backend (forward only)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  forwardChecks();
});

describe('registration', () => {
  it('registerMbnLayers is idempotent and registers every class and the constraint', () => {
    registerMbnLayers();
    registerMbnLayers();
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const name of ['WeightedSum', 'WeightedProduct', 'MixtureOfExperts', 'SoftSwitch', 'Slice', 'Subtract', 'SpatialDropout2D', 'CausalConv1D', 'UnitInterval']) {
      expect(map[name], name).toBeDefined();
    }
    expect(map['Subtract']![0]).toBe(Subtract);
  });

  it('UnitInterval clips to [0, 1] and is a tfjs Constraint', () => {
    const c = new UnitInterval();
    expectClose(values(c.apply(tf.tensor1d([-0.5, 0.3, 1.7]))), [0, 0.3, 1]);
    expect(c).toBeInstanceOf(Object.getPrototypeOf(tf.constraints.nonNeg().constructor));
    expect(c.getClassName()).toBe('UnitInterval');
  });

  it('bad configs are rejected with a message', () => {
    expect(() => new WeightedSum({ mode: 'fixed', weights: [] })).toThrow(/weights/);
    expect(() => new WeightedSum({ mode: 'trainable', init: 2 })).toThrow(/init/);
    expect(() => new WeightedSum({ mode: 'nope' } as never)).toThrow(/mode/);
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [4] });
    expect(() => new WeightedSum({ mode: 'fixed', weights: [0.5, 0.5] }).apply([a, b])).toThrow(/same shape/);
    expect(() => new WeightedSum({ mode: 'trainable', init: 0.5 }).apply([a, a, a])).toThrow(/expects 2 inputs/);
    expect(() => new MixtureOfExperts().apply([tf.input({ shape: [3] }), a, a])).toThrow(/gate has width 3 but there are 2 experts/);
    expect(() => new Subtract().apply([a, b])).toThrow(/broadcast/);
    expect(() => new CausalConv1D({ filters: 2, kernelSize: [3], padding: 'same' })).toThrow(/causal/);
  });
});

// ---------------------------------------------------------------------------
// parameter counts: the runtime layer built from the catalogue's own tfjs descriptor

describe('parameter counts equal the catalogue', () => {
  const mergeCases: { name: string; args: Record<string, ArgValue>; inputs: Shape[] }[] = [
    { name: 'weighted_sum', args: { alpha: 0.1 }, inputs: [[6], [6]] },
    { name: 'weighted_sum', args: { alpha: 'trainable', init: 0.3 }, inputs: [[6], [6]] },
    { name: 'weighted_sum', args: { weights: 'softmax' }, inputs: [[4, 4, 2], [4, 4, 2], [4, 4, 2]] },
    { name: 'weighted_sum', args: { weights: [0.2, 0.3, 0.5] }, inputs: [[5], [5], [5]] },
    { name: 'weighted_product', args: { alpha: 0.3 }, inputs: [[10], [10]] },
    { name: 'weighted_product', args: { alpha: 'trainable' }, inputs: [[10], [10]] },
    { name: 'weighted_product', args: { weights: 'softmax' }, inputs: [[10], [10], [10], [10]] },
    { name: 'mixture', args: {}, inputs: [[3], [2, 4], [2, 4], [2, 4]] },
    { name: 'switch', args: {}, inputs: [[2], [8], [4, 4, 3]] },
    { name: 'slice', args: { begin: [0], end: [1], squeeze: [] }, inputs: [[2]] },
    { name: 'slice', args: { begin: [1, 0], end: [2, 3], squeeze: [0] }, inputs: [[3, 4, 5]] },
    { name: 'subtract', args: {}, inputs: [[3, 4], [1, 4]] },
  ];

  for (const c of mergeCases) {
    it(`${c.name}(${JSON.stringify(c.args)}) on ${JSON.stringify(c.inputs)}`, () => {
      const entry = merges.get(c.name)!;
      const args = mergeArgs(entry, c.args);
      const desc = entry.tfjs(args, c.inputs);
      // A fixed weighted sum is built from tfjs built-ins (a composite), but the runtime class still takes its config.
      const layer = desc.custom ? construct(desc) : new WeightedSum(desc.config as never);
      if (!desc.custom) expect(desc.config).toMatchObject({ mode: 'fixed' });
      const ins = c.inputs.map(input);
      const out = layer.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor | tf.SymbolicTensor[];
      const expected = entry.outputShapes(c.inputs, args);
      if (!('shapes' in expected)) throw new Error(expected.problem.message);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.map((o) => o.shape.slice(1))).toEqual(expected.shapes);
      const count = entry.paramCount(c.inputs, args);
      expect(layer.countParams()).toBe(count.trainable + count.nonTrainable);
    });
  }

  for (const c of layerCases) {
    const { entry, args } = bindCall(c);
    const desc = entry.tfjs(args);
    if (!desc.custom) continue;
    it(`${label(c)}: ${desc.factory}`, () => {
      const layer = construct(desc);
      const out = layer.apply(input(c.input)) as tf.SymbolicTensor;
      expect(out.shape.slice(1)).toEqual(c.output);
      const count = entry.paramCount(c.input, args);
      expect(layer.countParams()).toBe(count.trainable + count.nonTrainable);
      expect(layer.countParams()).toBe(c.trainable + (c.nonTrainable ?? 0));
      const batch = tf.zeros([2, ...(c.input.map((d) => d ?? 6))]);
      expect((layer.apply(batch, { training: true }) as tf.Tensor).shape.slice(1)).toEqual(c.output.map((d) => d ?? 6));
    });
  }

  it('causal Conv1D with regularizers as the catalogue emits them', () => {
    const entry = layerCatalogue.get('Conv1D')!;
    const { args } = bindCall({ name: 'Conv1D', pos: [4, 3], args: { padding: 'causal', strides: 2, activation: 'hard_sigmoid' } });
    const desc = entry.tfjs({ ...args, kernel_regularizer: { kind: 'regularizer', l1: 0, l2: 0.01 } });
    expect(desc.factory).toBe('CausalConv1D');
    const layer = construct(desc);
    const out = layer.apply(input([9, 2])) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 5, 4]);
    expect(layer.countParams()).toBe(3 * 2 * 4 + 4);
    expect(layer.weights.map((w) => [w.name.split('/').pop(), w.shape])).toEqual([['kernel', [3, 2, 4]], ['bias', [4]]]);
    expect(layer.losses.length).toBe(1); // the kernel regularizer is tfjs's own
  });
});

// ---------------------------------------------------------------------------
// training: alpha learned and kept in [0, 1]

describe('trainable WeightedSum under model.fit (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  async function train(target: (x0: number, x1: number) => number, epochs: number): Promise<{ perEpoch: number[]; perBatch: number[] }> {
    const x0 = tf.input({ shape: [4] });
    const x1 = tf.input({ shape: [4] });
    const layer = new WeightedSum({ mode: 'trainable', init: 0.5 });
    const model = tf.model({ inputs: [x0, x1], outputs: layer.apply([x0, x1]) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const a = rand(128 * 4, -1, 1, 100);
    const b = rand(128 * 4, -1, 1, 101);
    const xs = [tf.tensor2d(a, [128, 4]), tf.tensor2d(b, [128, 4])];
    const ys = tf.tensor2d(a.map((v, i) => target(v, b[i]!)), [128, 4]);
    const alpha = () => layer.getWeights()[0]!.dataSync()[0]!;
    const perEpoch: number[] = [];
    const perBatch: number[] = [];
    await model.fit(xs, ys, {
      epochs,
      batchSize: 16,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchEnd: async () => { perBatch.push(alpha()); },
        onEpochEnd: async () => { perEpoch.push(alpha()); },
      },
    });
    tf.dispose([...xs, ys]);
    model.dispose();
    return { perEpoch, perBatch };
  }

  it('alpha moves toward 0.8 when target = 0.8*x0 + 0.2*x1, within [0, 1] throughout', async () => {
    const { perEpoch, perBatch } = await train((x0, x1) => 0.8 * x0 + 0.2 * x1, 4);
    expect(perEpoch).toHaveLength(4);
    for (const v of [...perEpoch, ...perBatch]) expect(v >= 0 && v <= 1, `alpha ${v}`).toBe(true);
    expect(perEpoch[0]!).toBeGreaterThan(0.5);
    expect(Math.abs(perEpoch[3]! - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(perEpoch[3]! - 0.8)).toBeLessThanOrEqual(Math.abs(perEpoch[0]! - 0.8));
  });

  it('alpha is clipped to 1 when the unconstrained optimum is 1.5 (target = 1.5*x0 - 0.5*x1)', async () => {
    const { perEpoch, perBatch } = await train((x0, x1) => 1.5 * x0 - 0.5 * x1, 4);
    for (const v of [...perEpoch, ...perBatch]) expect(v >= 0 && v <= 1, `alpha ${v}`).toBe(true);
    expect(perEpoch[3]).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// gradients against central finite differences (cpu)

describe('gradients equal finite differences (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const h = 1e-2;

  /** ||g - fd|| / ||fd|| for the gradient of `f` with respect to each of `xs` (all elements). */
  function checkInputGrads(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: { t: tf.Tensor; v: number[] }[]): void {
    const grads = tf.grads((...ts: tf.Tensor[]) => f(...ts))(xs.map((x) => x.t));
    xs.forEach((x, which) => {
      const g = values(grads[which]!);
      expect(g.every(Number.isFinite)).toBe(true);
      const fd = x.v.map((_, i) => {
        const shifted = (delta: number) => {
          const v = x.v.slice();
          v[i]! += delta;
          const args = xs.map((y, k) => (k === which ? tf.tensor(v, y.t.shape) : y.t));
          return tf.tidy(() => f(...args).dataSync()[0]!);
        };
        return (shifted(h) - shifted(-h)) / (2 * h);
      });
      expectRelative(g, fd, `input ${which}`);
    });
  }

  function expectRelative(g: number[], fd: number[], what: string): void {
    const diff = Math.hypot(...g.map((v, i) => v - fd[i]!));
    const norm = Math.hypot(...fd);
    expect(norm, `${what}: gradient is not trivially zero`).toBeGreaterThan(1e-3);
    expect(diff / norm, `${what}: |g - fd| / |fd|`).toBeLessThan(1e-2);
  }

  /** A scalar that depends on every output element differently. */
  function project(outs: tf.Tensor | tf.Tensor[], seed: number): tf.Scalar {
    const list = Array.isArray(outs) ? outs : [outs];
    return tf.addN(list.map((o, i) => tf.sum(tf.mul(o, tf.tensor(rand(o.size, -1, 1, seed + i), o.shape))))) as tf.Scalar;
  }

  /** The gradient of `f` with respect to a layer weight, against finite differences through setWeights. */
  function checkWeightGrad(layer: tf.layers.Layer, index: number, f: () => tf.Scalar): void {
    const variable = layer.trainableWeights[index]!;
    const { grads } = tf.variableGrads(f, [(variable as unknown as { val: tf.Variable }).val]);
    const g = values(Object.values(grads)[0]!);
    const base = layer.getWeights().map((w) => values(w));
    const shapes = layer.getWeights().map((w) => w.shape);
    const fd = base[index]!.map((_, i) => {
      const at = (delta: number) => {
        const v = base[index]!.slice();
        v[i]! += delta;
        layer.setWeights(base.map((b, k) => tf.tensor(k === index ? v : b, shapes[k]!)));
        return tf.tidy(() => f().dataSync()[0]!);
      };
      return (at(h) - at(-h)) / (2 * h);
    });
    layer.setWeights(base.map((b, k) => tf.tensor(b, shapes[k]!)));
    expectRelative(g, fd, variable.name);
  }

  it('WeightedProduct (softmax): inputs and logits', () => {
    const layer = new WeightedProduct({ mode: 'softmax', count: 2 });
    const a = tensor([2, 3], 0.5, 1.5, 200);
    const b = tensor([2, 3], 0.5, 1.5, 201);
    layer.apply([a.t, b.t]);
    layer.setWeights([tf.tensor1d([0.3, -0.4])]);
    const f = (x: tf.Tensor, y: tf.Tensor) => project(layer.apply([x, y]) as tf.Tensor, 202);
    checkInputGrads(f, [a, b]);
    checkWeightGrad(layer, 0, () => f(a.t, b.t));
  });

  it('WeightedProduct (trainable): alpha', () => {
    const layer = new WeightedProduct({ mode: 'trainable', init: 0.4 });
    const a = tensor([2, 3], 0.5, 1.5, 210);
    const b = tensor([2, 3], 0.5, 1.5, 211);
    checkInputGrads((x, y) => project(layer.apply([x, y]) as tf.Tensor, 212), [a, b]);
    checkWeightGrad(layer, 0, () => project(layer.apply([a.t, b.t]) as tf.Tensor, 212));
  });

  it('MixtureOfExperts: gate and experts', () => {
    const layer = new MixtureOfExperts();
    const gate = tensor([2, 3], 0, 1, 220);
    const experts = [1, 2, 3].map((s) => tensor([2, 2, 2], -1, 1, 220 + s));
    checkInputGrads((...xs) => project(layer.apply(xs) as tf.Tensor, 224), [gate, ...experts]);
  });

  it('SoftSwitch: probabilities and branches, both outputs', () => {
    const layer = new SoftSwitch();
    const p = tensor([2, 2], 0, 1, 230);
    const a = tensor([2, 3], -1, 1, 231);
    const b = tensor([2, 2, 2], -1, 1, 232);
    checkInputGrads((...xs) => project(layer.apply(xs) as tf.Tensor[], 233), [p, a, b]);
  });

  it('Slice', () => {
    const layer = new Slice({ begin: [1, 0], end: [3, 2], squeeze: [] });
    const x = tensor([2, 3, 3], -1, 1, 240);
    checkInputGrads((t) => project(layer.apply(t) as tf.Tensor, 241), [x]);
  });

  it('CausalConv1D with stride 2: input and kernel', () => {
    const layer = new CausalConv1D({ filters: 2, kernelSize: [2], strides: [2], padding: 'causal', dilationRate: [1], activation: 'sigmoid', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' });
    const x = tensor([2, 5, 3], -1, 1, 260);
    layer.apply(x.t);
    const f = (t: tf.Tensor) => project(layer.apply(t) as tf.Tensor, 261);
    checkInputGrads(f, [x]);
    checkWeightGrad(layer, 0, () => f(x.t));
  });

  it('CausalConv1D: input, kernel and bias (dilation 2, which tfjs conv gradients lack)', () => {
    const layer = new CausalConv1D({ filters: 2, kernelSize: [3], strides: [1], padding: 'causal', dilationRate: [2], activation: 'tanh', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' });
    const x = tensor([2, 5, 2], -1, 1, 250);
    layer.apply(x.t);
    layer.setWeights([tf.tensor3d(rand(12, -0.5, 0.5, 251), [3, 2, 2]), tf.tensor1d([0.1, -0.2])]);
    const f = (t: tf.Tensor) => project(layer.apply(t) as tf.Tensor, 252);
    checkInputGrads(f, [x]);
    checkWeightGrad(layer, 0, () => f(x.t));
    checkWeightGrad(layer, 1, () => f(x.t));
  });
});

// ---------------------------------------------------------------------------
// a functional model with every layer: summary, model.json round trip, leaks

describe('a model with every runtime layer (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /** `flatOutputs`: every output rank 2, since tfjs's multi-output `fit` adds the unreduced per-output losses, which must broadcast. */
  function buildModel(flatOutputs = false): tf.LayersModel {
    const vec = tf.input({ shape: [4], name: 'vec' });
    const seq = tf.input({ shape: [7, 3], name: 'seq' });
    const img = tf.input({ shape: [4, 4, 2], name: 'img' });
    const dense = (units: number, name: string, activation: 'linear' | 'softmax' | 'sigmoid' = 'linear') =>
      tf.layers.dense({ units, activation, name }).apply(vec) as tf.SymbolicTensor;
    const gate = dense(2, 'gate', 'softmax');
    const e1 = dense(4, 'e1');
    const e2 = dense(4, 'e2');
    const p1 = dense(4, 'p1', 'sigmoid');
    const p2 = dense(4, 'p2', 'sigmoid');
    const fixed = new WeightedSum({ mode: 'fixed', weights: [0.3, 0.7], name: 'ws_fixed' }).apply([e1, e2]) as tf.SymbolicTensor;
    const trainable = new WeightedSum({ mode: 'trainable', init: 0.3, name: 'ws_alpha' }).apply([e1, fixed]) as tf.SymbolicTensor;
    const soft = new WeightedSum({ mode: 'softmax', count: 3, name: 'ws_softmax' }).apply([e1, e2, trainable]) as tf.SymbolicTensor;
    const product = new WeightedProduct({ mode: 'softmax', count: 2, name: 'wp' }).apply([p1, p2]) as tf.SymbolicTensor;
    const moe = new MixtureOfExperts({ name: 'moe' }).apply([gate, soft, product]) as tf.SymbolicTensor;
    const dropped = new SpatialDropout2D({ rate: 0.3, name: 'sdrop' }).apply(img) as tf.SymbolicTensor;
    // two outputs of different shapes, consumed by different layers
    const [sw1, sw2] = new SoftSwitch({ name: 'switch' }).apply([gate, moe, dropped]) as tf.SymbolicTensor[];
    const flat = tf.layers.flatten({ name: 'flat' }).apply(sw2!) as tf.SymbolicTensor;
    const pixel = new Slice({ begin: [1, 2], end: [2, 3], squeeze: [0, 1], name: 'pixel' }).apply(sw2!) as tf.SymbolicTensor; // [None, 2]
    const first = new Slice({ begin: [0], end: [1], squeeze: [], name: 'first' }).apply(gate) as tf.SymbolicTensor; // [None, 1]
    const diff = new Subtract({ name: 'diff' }).apply([sw1!, first]) as tf.SymbolicTensor;
    const conv = new CausalConv1D({ filters: 3, kernelSize: [3], strides: [2], padding: 'causal', dilationRate: [1], activation: 'relu', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros', name: 'cconv' }).apply(seq) as tf.SymbolicTensor;
    const convOut = flatOutputs ? tf.layers.flatten({ name: 'conv_flat' }).apply(conv) as tf.SymbolicTensor : conv;
    const model = tf.model({ inputs: [vec, seq, img], outputs: [diff, flat, pixel, convOut], name: 'everything' });
    // non-default trainable weights, so the round trip carries real values
    (model.getLayer('ws_alpha') as tf.layers.Layer).setWeights([tf.tensor1d([0.65])]);
    model.getLayer('ws_softmax').setWeights([tf.tensor1d([0.5, -1, 0.25])]);
    model.getLayer('wp').setWeights([tf.tensor1d([-0.3, 0.6])]);
    return model;
  }

  function inputs(): tf.Tensor[] {
    return [tensor([3, 4], -1, 1, 300).t, tensor([3, 7, 3], -1, 1, 301).t, tensor([3, 4, 4, 2], -1, 1, 302).t];
  }

  it('has the expected output shapes and a summary', () => {
    const model = buildModel();
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 4], [null, 32], [null, 2], [null, 4, 3]]);
    const lines: string[] = [];
    model.summary(120, undefined, (line: string) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toMatch(/switch \(SoftSwitch\)/);
    expect(text).toMatch(/cconv \(CausalConv1D\)/);
    expect(text).toMatch(/switch\[0\]\[1\]/); // the second output feeds flat and pixel
    expect(model.countParams()).toBe(10 + 4 * 20 + 1 + 3 + 2 + 3 * 3 * 3 + 3);
  });

  it('saves to model.json and loads back with tf.loadLayersModel, predicting the same', async () => {
    const model = buildModel();
    const xs = inputs();
    const before = model.predict(xs) as tf.Tensor[];
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    type SavedLayer = { name: string; class_name: string; config: Record<string, unknown> };
    const layerList = (saved!.modelTopology as { class_name: string; config: { layers: SavedLayer[] } }).config.layers;
    const classOf = Object.fromEntries(layerList.map((l) => [l.name, l.class_name]));
    expect(classOf).toMatchObject({
      ws_fixed: 'WeightedSum', ws_alpha: 'WeightedSum', ws_softmax: 'WeightedSum', wp: 'WeightedProduct', moe: 'MixtureOfExperts',
      sdrop: 'SpatialDropout2D', switch: 'SoftSwitch', pixel: 'Slice', first: 'Slice', diff: 'Subtract', cconv: 'CausalConv1D',
    });
    const configOf = Object.fromEntries(layerList.map((l) => [l.name, l.config]));
    expect(configOf['ws_fixed']).toMatchObject({ mode: 'fixed', weights: [0.3, 0.7] });
    expect(configOf['ws_alpha']).toMatchObject({ mode: 'trainable', init: 0.3 });
    expect(configOf['pixel']).toMatchObject({ begin: [1, 2], end: [2, 3], squeeze: [0, 1] });
    expect(configOf['cconv']).toMatchObject({ padding: 'causal', kernel_size: [3], strides: [2], filters: 3 });
    expect(saved!.weightSpecs!.map((s) => s.name)).toEqual(expect.arrayContaining(['ws_alpha/alpha', 'ws_softmax/logits', 'wp/logits', 'cconv/kernel', 'cconv/bias']));

    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const after = loaded.predict(xs) as tf.Tensor[];
    expect(after).toHaveLength(before.length);
    before.forEach((b, i) => {
      expect(after[i]!.shape).toEqual(b.shape);
      expectClose(values(after[i]!), values(b), 1e-6);
    });
    for (const name of ['ws_fixed', 'ws_alpha', 'switch', 'pixel', 'diff', 'sdrop', 'cconv']) {
      expect(loaded.getLayer(name).getConfig(), name).toEqual(model.getLayer(name).getConfig());
    }
    // the reloaded alpha still trains inside [0, 1]
    const alpha = loaded.getLayer('ws_alpha');
    expect(values(alpha.getWeights()[0]!)).toEqual([expect.closeTo(0.65, 6)]);
  });

  it('toJSON works and predict leaks no tensors', () => {
    const model = buildModel();
    expect(() => model.toJSON()).not.toThrow();
    const xs = inputs();
    tf.dispose(model.predict(xs) as tf.Tensor[]); // warm up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(model.predict(xs) as tf.Tensor[]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fit passes training: true to SpatialDropout2D, predict does not', async () => {
    const img = tf.input({ shape: [2, 2, 3] });
    const layer = new SpatialDropout2D({ rate: 0.5 });
    const flat = tf.layers.flatten().apply(layer.apply(img)) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 12, kernelInitializer: 'identity' });
    const model = tf.model({ inputs: img, outputs: dense.apply(flat) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const spy = vi.spyOn(layer, 'call');
    const x = tf.ones([4, 2, 2, 3]);
    await model.fit(x, tf.ones([4, 12]), { epochs: 1, batchSize: 4, verbose: 0 });
    expect(spy.mock.calls.map((c) => c[1]['training'])).toEqual([true]);
    spy.mockClear();
    expectClose(values(model.predict(x) as tf.Tensor), new Array(48).fill(1));
    expect(spy.mock.calls.every((c) => c[1]['training'] !== true)).toBe(true);
  });

  it('fit runs with SpatialDropout2D in training mode and leaks no tensors', async () => {
    const model = buildModel(true);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const xs = inputs();
    const ys = (model.predict(xs) as tf.Tensor[]).map((y) => tf.randomNormal(y.shape));
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const alpha = values(model.getLayer('ws_alpha').getWeights()[0]!)[0]!;
    expect(alpha >= 0 && alpha <= 1).toBe(true);
  });
});
