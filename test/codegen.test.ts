/**
 * `mbnc compile --emit ts`: the emitted modules type-check under
 * `tsc --strict` (all of them in one run), and when run they build models
 * whose topology (`toJSON()`) and parameter counts equal the in-process
 * builder's, for every example model, for other parameter values, and for
 * specs written to trip the emitter up (reserved words and the emitter's own
 * names as spec names, strings and comments that try to break out).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodegenError, emitTypeScript } from '../src/codegen/index.js';
import { selectBackend } from '../src/runtime/backend.js';
import { buildModels, disposeModels } from '../src/runtime/build.js';
import { analyze, type ModelAnalysis } from '../src/semantics/analyze.js';
import type { Value } from '../src/semantics/values.js';
import { examplesDir, fileHost, repoRoot } from './helpers.js';

/** Emitted modules live inside the repository (gitignored), where `@tensorflow/tfjs` and `mbn/runtime` resolve. */
const root = path.join(repoRoot, '.codegen-tests');
let dir = '';

const specs: Record<string, string> = {
  // Spec names that are TypeScript keywords, globals, members of every object, or the emitter's own identifiers.
  'hostile.mbn': `
model apply(units: int = 3) {
  input tf
  output Object = tf -> Dense(units)
}

model Tf(constructor: float = 0.5, toString: int = 4) {
  input __proto__
  output layers = __proto__ -> Dropout(constructor) -> Dense(toString)
  output training = layers -> Dense(2)
}

model class(default: int = 4, tf: int = 3, constructor: float = 0.5, await: symbol = relu, __proto__: int = 2) {
  input constructor_in: [8]
  input __proto__in: [8]
  shared params = Dense(default, activation: await)
  layers = constructor_in -> params -> Dense(tf)
  training = __proto__in -> params -> Dense(tf)
  scope = concat(layers, training)
  graph = scope -> apply(units: tf)
  two = scope -> Tf(constructor: constructor, toString: __proto__)
  output toString = concat(graph, two.layers) -> Dropout(constructor) -> Dense(2, activation: softmax) loss categorical_crossentropy
  output valueOf = two.training aux loss mse weight constructor
  output hasOwnProperty = layers -> Dense(2) aux loss mse weight 0.25
}
`,
  // Strings and comments that try to end a comment or a string, or to run code.
  'inject.mbn': `# A comment that tries to close the doc comment */ globalThis.pwned = 1 /*
# and backticks \` \${globalThis.pwned = 2} and a line separator \u2028 globalThis.pwned = 3
model Block(note: string = "*/ \`\${globalThis.pwned = 4}\` \\" ' \\\\ end") {
  input x
  # */ globalThis.pwned = 5 // \${x}
  output y = x -> Dense(2)   // trailing */ \`\${x}\`
}

/* A block comment */ /* with */
model Inject {
  input x: [4]   # */ globalThis.pwned = 6
  h = x -> Block(note: "\`\${globalThis.pwned = 7}\` */ \\" \\\\ ' \\n")
  output y = h -> Dense(3) loss mse
}
`,
  // Seeded initializers: the emitted code must derive the same seeds from the graph's layer numbers.
  'seeded.mbn': `
model Block(units: int = 8) {
  input x
  h = x -> Dense(units, activation: relu) -> Dropout(0.2)
  output y = h -> Dense(4)
}

model Seeded {
  input a: [6]
  input s: [5, 3]
  shared b = Block(units: 5)
  p = a -> Block()
  q = a -> b
  r = a -> b
  seq = s -> Bidirectional(LSTM(4)) -> Dense(4, kernel_initializer: he_normal)
  output out = concat(p, q, r, seq) -> Dropout(0.1) -> Dense(2, activation: softmax) loss categorical_crossentropy
  train { seed: 42 }
}
`,
  'blocks.mbn': `
model Encoder(width: int = 6) {
  input x
  h = x -> Dense(width, activation: tanh)
  output features = h -> Dense(width)
  output logits = h -> Dense(3)
}

model Pair {
  input left
  input right
  output joined = concat(left, right) -> Dense(4)
}
`,
  // Most of the language at once: imports, nested and shared blocks, records and tuples, every merge, open slices, constants.
  'sink.mbn': `import { Encoder, Pair } from "blocks"

model Inner(n: int = 2) {
  input x
  output y = x -> Dense(n) -> Activation(relu)
}

model Outer(n: int = 3) {
  input x
  a = x -> Inner(n) -> Inner(n: n + 1)
  output y = concat(a, x -> Inner()) -> Dense(n * 2)
}

model Sink(steps: int = 12, feat: int = 4, units: int = 8, rate: float = 0.25, dims: shape = [3, 4], merge: symbol = sum, bias: bool = true) {
  input seq: [steps, feat]
  input ids: [steps] int32
  input img: [16, 16, 3]
  input vec: [dims[0] * dims[1]]
  n = units * 2
  emb = ids -> Embedding(50, feat) -> SpatialDropout1D(0.1)
  s = concat([seq, emb], axis: -1)
  r1 = s -> Bidirectional(LSTM(units, return_sequences: true), merge_mode: merge) -> GRU(units, use_bias: bias)
  r2 = s -> SimpleRNN(units) -> RepeatVector(2) -> TimeDistributed(Dense(feat)) -> Flatten()
  c = s -> Conv1D(feat, 3, padding: causal) -> GlobalMaxPool1D()
  last = s[:, -2:] -> flatten()
  first = s[0] -> Dense(n, use_bias: bias)
  i = img -> ZeroPadding2D(1) -> Conv2D(4, 3, strides: 2) -> BatchNormalization() -> MaxPool2D()
          -> UpSampling2D(2) -> Cropping2D(1) -> SeparableConv2D(4, 3) -> DepthwiseConv2D(3, padding: same)
          -> Conv2DTranspose(2, 2, strides: 2) -> SpatialDropout2D(0.2) -> GlobalAveragePooling2D()
  v = reshape(vec, dims) -> Permute([2, 1]) -> LayerNormalization() -> GaussianNoise(0.1) -> Flatten()
  enc = v -> Encoder(width: units)
  pair = (enc.features, first) -> Pair()
  both = concat(r1, c, i, pair, enc.logits, last)
  shared head = Dense(4, kernel_regularizer: l2(0.01), activation: softmax)
  shared block = Outer(n: feat / 2)
  p1 = both -> Dense(8) -> head
  p2 = both -> Dense(8) -> Dropout(rate) -> head
  q = both -> Dense(8) -> block
  q2 = r2 -> Dense(8) -> block
  d = dot(p1, p2, axes: 1, normalize: true)
  e = add(p1, p2) -> subtract(p2) -> multiply(p1) -> maximum(p2) -> minimum(p1)
  gate = both -> Dense(3, activation: softmax)
  mix = mixture(gate, p1, p2, e)
  ws = weighted_sum(p1, p2, e, weights: softmax)
  wt = weighted_sum(p1, p2, alpha: trainable, init: 0.3)
  wf = weighted_sum(p1, p2, alpha: rate)
  wp = weighted_product(p1, p2, alpha: 0.3)
  g, h = switch(gate[0:2], mix, q)
  avg = average(ws, wt, wf, wp, g, h)
  output out = concat(avg, d, q2) -> Dense(2, activation: softmax) loss categorical_crossentropy metrics [accuracy, top_k_categorical_accuracy]
  output aux1 = c -> Dense(1) aux loss mse weight rate
  train { optimizer: sgd(learning_rate: 0.01, momentum: 0.9) epochs: 2 seed: 3 }
}
`,
};

interface Emitted {
  readonly file: string;
  readonly model: ModelAnalysis;
  readonly module: string;
  readonly text: string;
}

const emitted = new Map<string, Emitted>();
let tscOutput = '';
let tscFailed = false;

function number(value: number): Value {
  return { kind: 'number', value, isInt: Number.isInteger(value) };
}

function symbol(name: string): Value {
  return { kind: 'symbol', name, ident: { kind: 'Identifier', name, span: { start: 0, end: 0 } } };
}

function analyzeFile(file: string, params?: Record<string, Value>, model?: string) {
  return analyze(file, fileHost, params && model ? { params: new Map([[model, new Map(Object.entries(params))]]) } : {});
}

/** The topology, with the one name that legitimately differs left out: tfjs's own name for a layer wrapped in Bidirectional or TimeDistributed (a global counter). */
function topology(model: tf.LayersModel): unknown {
  return JSON.parse(JSON.stringify(model.toJSON(null, false), (key, value: { config?: { name?: unknown } }) => (key === 'layer' && value?.config?.name ? { ...value, config: { ...value.config, name: '(wrapped)' } } : value)));
}

type Models = { training: tf.LayersModel; inference: tf.LayersModel; lossWeights: Record<string, number> };

async function buildEmitted(name: string, params: Record<string, unknown> = {}): Promise<Models> {
  const module = (await import(emitted.get(name)!.module)) as Record<string, (p?: unknown) => Models>;
  const build = Object.entries(module).find(([k]) => k.startsWith('build'))![1];
  return build(params);
}

/** Builds both and checks their topologies and parameter counts are the same; returns the emitted models. */
async function expectSameModels(name: string, graphModel: ModelAnalysis, params: Record<string, unknown> = {}): Promise<Models> {
  const reference = buildModels(graphModel.graph!);
  const models = await buildEmitted(name, params);
  try {
    for (const which of ['training', 'inference'] as const) {
      expect(topology(models[which]), `${name} ${which} topology`).toEqual(topology(reference[which]));
      expect(models[which].countParams(), `${name} ${which} parameters`).toBe(reference[which].countParams());
    }
  } finally {
    disposeModels(reference);
  }
  return models;
}

function dispose(models: Models): void {
  models.inference.dispose();
  models.training.dispose();
}

beforeAll(async () => {
  await selectBackend('wasm');
  mkdirSync(root, { recursive: true });
  dir = mkdtempSync(path.join(root, 'codegen-'));
  const specDir = path.join(dir, 'specs');
  mkdirSync(specDir);
  for (const [name, text] of Object.entries(specs)) writeFileSync(path.join(specDir, name), text);
  const files = [
    ...readdirSync(examplesDir).filter((f) => f.endsWith('.mbn')).map((f) => path.join(examplesDir, f)),
    ...Object.keys(specs).map((f) => path.join(specDir, f)),
  ];
  for (const file of files) {
    const analysis = analyzeFile(file);
    for (const model of analysis.models.filter((m) => m.graph)) {
      const { fileName, text } = emitTypeScript(analysis, model);
      const module = path.join(dir, fileName);
      writeFileSync(module, text);
      emitted.set(model.name, { file, model, module, text });
    }
  }
  // One tsc run over every emitted module: strict, as a user's project would be, and then some.
  const compilerOptions = { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: [], noUnusedLocals: true, noUnusedParameters: true, noUncheckedIndexedAccess: true };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (error) {
    tscFailed = true;
    tscOutput = String((error as { stdout?: string }).stdout ?? error);
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the emitted modules', () => {
  it('type-check under tsc --strict (one run over all of them)', () => {
    expect(emitted.size).toBeGreaterThanOrEqual(19);
    expect(tscOutput).toBe('');
    expect(tscFailed).toBe(false);
  });

  it('are the same bytes when compiled again', () => {
    for (const { file, model, text } of emitted.values()) {
      const again = analyzeFile(file).models.find((m) => m.name === model.name)!;
      expect(emitTypeScript(analyzeFile(file), again).text, model.name).toBe(text);
    }
  });

  it('read like the spec: a comment per statement, branch names, one statement per layer, a function per sub-model', () => {
    const text = emitted.get('LstmCnn')!.text;
    expect(text).toContain("import * as tf from '@tensorflow/tfjs';");
    expect(text).not.toContain('mbn/runtime');
    expect(text).toContain('export interface LstmCnnInputs {\n  /** [None, 30, 2] float32 */\n  window_cnn: tf.Tensor3D;');
    expect(text).toContain('export function buildLstmCnn(params: Partial<LstmCnnParams> = {}): LstmCnnModels {');
    expect(text).toContain('  const lookBack = params.lookBack ?? 30;');
    expect(text).toContain("    const window_cnn = tf.input({ shape: [lookBack, features], name: 'window_cnn' });");
    expect(text).toContain('    // The merged branch makes the predictions after training.\n    // lstm_cnn_paper.mbn:31\n');
    expect(text).toContain("    merged: head('merged/', { lookForward }),\n");
    expect(text).toContain('    const merged = layers.merged(merged_concat, training);\n    if (!training) return');
    expect(text).toContain("    prediction: tf.layers.dense({ units: lookForward, kernelInitializer: 'glorotUniform', name: `${scope}prediction` }),");
    expect(text).toContain('    const hidden_dropout = training ? apply(layers.hidden_dropout, hidden_dense) : hidden_dense;');
    expect(text).toContain('lossWeights: { merged: alpha, cnn_aux: beta, lstm_aux: gamma },');
    // Three copies of SmallCNN read as three calls; a shared one is made once and applied three times.
    const ensemble = emitted.get('Ensemble')!.text;
    expect(ensemble.match(/: smallCNN\('cnn\d\/'\),/g)).toHaveLength(3);
    const shared = emitted.get('EnsembleShared')!.text;
    expect(shared.match(/: smallCNN\(/g)).toHaveLength(1);
    expect(shared.match(/layers\.cnn\(image\d, training\)/g)).toHaveLength(3);
    // mbn's own layers come from mbn/runtime, only where used, and are registered for loading.
    const moe = emitted.get('MixtureOfExperts')!.text;
    expect(moe).toContain("import { MixtureOfExperts, registerMbnLayers } from 'mbn/runtime';");
    expect(moe).toContain('registerMbnLayers();');
  });
});

describe('every example model, run, equals the in-process builder', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.mbn'));
  for (const file of files) {
    for (const model of analyzeFile(path.join(examplesDir, file)).models.filter((m) => m.graph)) {
      it(`${file} ${model.name}`, async () => {
        // The soft switch at its 500x500 default is slow to initialise and its shapes do not depend on the size.
        const params = model.name.startsWith('ConditionalCatDog') ? { size: 161 } : {};
        const graphModel = Object.keys(params).length > 0 ? analyzeFile(path.join(examplesDir, file), { size: number(161) }, model.name).models.find((m) => m.name === model.name)! : model;
        dispose(await expectSameModels(model.name, graphModel, params));
      });
    }
  }
});

describe('parameters', () => {
  const paper = path.join(examplesDir, 'lstm_cnn_paper.mbn');

  it('lstm_cnn_paper with other lookBack, features, lookForward and loss weights', async () => {
    const params = { lookBack: 50, features: 3, lookForward: 2, alpha: 2 };
    const reference = analyzeFile(paper, { lookBack: number(50), features: number(3), lookForward: number(2), alpha: number(2) }, 'LstmCnn').models.find((m) => m.name === 'LstmCnn')!;
    const models = await expectSameModels('LstmCnn', reference, params);
    expect(models.training.inputs.map((i) => i.shape)).toEqual([[null, 50, 3], [null, 50, 3]]);
    expect(models.lossWeights).toEqual({ merged: 2, cnn_aux: 0.5, lstm_aux: 0.5 });
    dispose(models);
  });

  it('a name parameter goes through tfjs\'s spelling (hard_sigmoid is hardSigmoid)', async () => {
    const reference = analyzeFile(path.join(examplesDir, 'weighted_merge.mbn'), { activation: symbol('hard_sigmoid') }, 'Model1').models.find((m) => m.name === 'Model1')!;
    dispose(await expectSameModels('Model1', reference, { activation: 'hard_sigmoid' }));
    expect(emitted.get('Model1')!.text).toContain("activation: tfjsNames.activation[activation]");
  });

  it('mixture_of_experts with other k and features; the kitchen sink with other sizes', async () => {
    const moe = analyzeFile(path.join(examplesDir, 'mixture_of_experts.mbn'), { k: number(5), features: number(7) }, 'MixtureOfExperts').models.find((m) => m.name === 'MixtureOfExperts')!;
    dispose(await expectSameModels('MixtureOfExperts', moe, { k: 5, features: 7 }));
    const sinkParams = { steps: number(9), units: number(5), rate: number(0.5), dims: { kind: 'list', items: [number(2), number(5)] } as Value, bias: { kind: 'bool', value: false } as Value, merge: symbol('concat') };
    const sink = analyzeFile(emitted.get('Sink')!.file, sinkParams, 'Sink').models.find((m) => m.name === 'Sink')!;
    expect(sink.unavailable).toEqual([]);
    dispose(await expectSameModels('Sink', sink, { steps: 9, units: 5, rate: 0.5, dims: [2, 5], bias: false, merge: 'concat' }));
  });

  it('a setting worked out from shapes is reported, not fixed to the compiled value', () => {
    const file = path.join(dir, 'specs', 'shape-arg.mbn');
    writeFileSync(file, 'model ShapeArg(steps: int = 6) {\n  input x: [steps, 2]\n  output y = x -> Reshape([x.shape[0] * 2]) -> Dense(1) loss mse\n}\n');
    const analysis = analyzeFile(file);
    const error = (() => {
      try {
        emitTypeScript(analysis, analysis.models[0]!);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CodegenError);
    expect((error as CodegenError).message).toContain('cannot follow parameter `steps`');
    expect(analysis.unit!.text.slice((error as CodegenError).span.start, (error as CodegenError).span.end)).toBe('Reshape([x.shape[0] * 2])');
  });

  it('a parameter that chooses which tfjs layer is made is reported at the call', () => {
    const file = path.join(dir, 'specs', 'causal.mbn');
    writeFileSync(file, 'model Causal(pad: symbol = valid) {\n  input x: [10, 2]\n  output y = x -> Conv1D(4, 3, padding: pad) -> Flatten() -> Dense(1) loss mse\n}\n');
    const analysis = analyzeFile(file);
    expect(() => emitTypeScript(analysis, analysis.models[0]!)).toThrow(/changes which tfjs layer is built/);
  });
});

describe('specs written to trip the emitter up', () => {
  it('reserved words, globals, inherited member names and the emitter\'s own names compile and run', async () => {
    const text = emitted.get('class')!.text;
    expect(text).toContain('export function buildClass(');
    expect(text).toContain('const default_ = params.default ?? 4;');
    expect(text).toContain('constructor_?: number;');
    const models = await expectSameModels('class', emitted.get('class')!.model);
    expect(models.lossWeights).toEqual({ toString: 1, valueOf: 0.5, hasOwnProperty: 0.25 });
    expect(Object.keys(models.lossWeights)).toEqual(['toString', 'valueOf', 'hasOwnProperty']);
    dispose(models);
  });

  it('strings and comments cannot end early or run code, and strings arrive intact', async () => {
    const { text, model } = emitted.get('Inject')!;
    delete (globalThis as { pwned?: unknown }).pwned;
    dispose(await expectSameModels('Inject', model));
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    // The string argument is one string literal holding exactly the spec's string.
    const source = ts.createSourceFile('Inject.ts', text, ts.ScriptTarget.ES2022, true);
    const strings: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node)) strings.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(strings).toContain('`${globalThis.pwned = 7}` */ " \\ \' \n');
    // Every comment is still a comment: no statement of the module mentions `pwned`.
    for (const statement of source.statements) expect(statement.getText(source)).not.toMatch(/^[^/*]*pwned/m);
  });

  it('seeded initializers start from the same weights as mbnc train', async () => {
    const { model } = emitted.get('Seeded')!;
    const reference = buildModels(model.graph!);
    const models = await buildEmitted('Seeded');
    expect(topology(models.training)).toEqual(topology(reference.training));
    const x = [tf.randomNormal([3, 6], 0, 1, 'float32', 1), tf.randomNormal([3, 5, 3], 0, 1, 'float32', 2)];
    const a = reference.inference.predict(x) as tf.Tensor;
    const b = models.inference.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...x, a, b]);
    disposeModels(reference);
    dispose(models);
    expect(emitted.get('Seeded')!.text).toContain('kernelInitializer: tf.initializers.glorotUniform({ seed: initializerSeed(firstLayerId, 0) })');
  });

  it('the kitchen sink: imports, nested and shared blocks, records, tuples, every merge, open slices, seeds', async () => {
    const { text, model } = emitted.get('Sink')!;
    expect(text).toContain("last_slice: madeOnFirstUse((input: tf.SymbolicTensor) => new Slice({ begin: [0, axisSize(input, 2) - 2], end: [axisSize(input, 1), axisSize(input, 2)], squeeze: [], name: 'last_slice' })),");
    expect(text).toContain("wf_scale_1: tf.layers.rescaling({ scale: 1 - rate, offset: 0, name: 'wf/scale_1' }),");
    dispose(await expectSameModels('Sink', model));
  });
});

describe('compileForTraining', () => {
  it('compiles with the weighted losses: the total is sum_i weight_i * loss_i', async () => {
    const module = (await import(emitted.get('AuxBranches')!.module)) as { compileForTraining: (m: tf.LayersModel, o?: object) => void };
    const models = await buildEmitted('AuxBranches');
    module.compileForTraining(models.training, { lossWeights: { lstm_aux: 0.5 } });
    const xs = [tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3), tf.randomNormal([4, 20, 30], 0, 1, 'float32', 4)];
    const ys = [tf.randomNormal([4, 1], 0, 1, 'float32', 5), tf.randomNormal([4, 1], 0, 1, 'float32', 6), tf.randomNormal([4, 1], 0, 1, 'float32', 7)];
    const results = models.training.evaluate(xs, ys, { batchSize: 4 }) as tf.Scalar[];
    // tfjs's evaluate() gives the running total after each output's loss, then each output's (weighted) loss.
    const values = results.map((r) => r.dataSync()[0]!);
    const [total, main, cnn, lstm] = [values[2]!, ...values.slice(3)];
    const predictions = models.training.predict(xs) as tf.Tensor[];
    const mse = (i: number) => tf.metrics.meanSquaredError(ys[i]!, predictions[i]!).mean().dataSync()[0]!;
    expect(main).toBeCloseTo(1 * mse(0), 4);
    expect(cnn).toBeCloseTo(0.3 * mse(1), 4);
    expect(lstm).toBeCloseTo(0.5 * mse(2), 4);
    expect(total).toBeCloseTo(main! + cnn! + lstm!, 4);
    tf.dispose([...xs, ...ys, ...results, ...predictions]);
    dispose(models);
  });
});
