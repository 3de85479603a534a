/**
 * Editor services on the bundled examples and on small in-memory files:
 * hover, completion, signature help, definition, references and rename,
 * with exact results.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../src/semantics/analyze.js';
import { complete, definition, hover, prepareRename, references, rename, signatureHelp } from '../src/services/index.js';
import { examplesDir, fileHost } from './helpers.js';

/** An example, analysed as an editor would (with values traced). */
function example(name: string): { analysis: Analysis; uri: string; text: string } {
  const uri = path.join(examplesDir, name);
  const text = readFileSync(uri, 'utf8');
  return { analysis: analyze(uri, fileHost, { text, trace: true }), uri, text };
}

/** The offset of the `nth` occurrence of `needle` (0-based), plus `delta`. */
function offsetOf(text: string, needle: string, nth = 0, delta = 1): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`no ${nth}th ${needle}`);
  }
  return at + delta;
}

/** In-memory files; `|` in the main text marks the cursor (and is removed). */
function memory(main: string, files: Record<string, string> = {}, uri = '/mem/main.mbn'): { analysis: Analysis; uri: string; text: string; offset: number } {
  const offset = main.indexOf('|');
  const text = offset >= 0 ? main.slice(0, offset) + main.slice(offset + 1) : main;
  const analysis = analyze(uri, { readFile: (u) => (u === uri ? text : files[u]) }, { text, trace: true });
  return { analysis, uri, text, offset };
}

const labels = (items: { label: string }[]) => items.map((i) => i.label);
const slice = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);
const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

describe('hover', () => {
  const aux = example('aux_branches.mbn');

  it('shows the static shape of a branch, at its declaration and its uses', () => {
    const decl = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn  = img'))!;
    expect(decl.markdown).toContain('(branch) cnn: [None, 28800]');
    expect(slice(aux.text, decl.span)).toBe('cnn');
    const use = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'lstm)'))!;
    expect(use.markdown).toContain('(branch) lstm: [None, 32]');
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'img: ['))!.markdown).toContain('(input) img: [None, 32, 32, 3]');
  });

  it('shows a layer call with its resolved arguments, parameter count, shapes and doc', () => {
    const h = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'Conv2D'))!;
    expect(slice(aux.text, h.span)).toBe('Conv2D');
    expect(h.markdown).toContain('Conv2D(filters: int, kernel_size: int | [int, int], strides = [1, 1]');
    expect(h.markdown).toContain('**Conv2D** `[None, 32, 32, 3]` → `[None, 30, 30, 32]` · 896 params');
    expect(h.markdown).toContain('- `filters: 32`');
    expect(h.markdown).toContain('- `kernel_size: [3, 3]`');
    expect(h.markdown).toContain('- `activation: relu`');
    expect(h.markdown).toContain('- `padding: valid` (default)');
    expect(h.markdown).toContain('Spatial convolution');
  });

  it('shows a merge with its input and output shapes', () => {
    const h = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'concat(cnn'))!;
    expect(h.markdown).toContain('**concat** `[None, 28800]`, `[None, 32]` → `[None, 28832]` · 0 params');
    expect(h.markdown).toContain('- `axis: -1` (default)');
  });

  it('shows a model with its inputs, outputs and parameter count', () => {
    const h = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'AuxBranches {'))!;
    expect(h.markdown).toContain('model AuxBranches');
    expect(h.markdown).toContain('**Inputs**: `img: [None, 32, 32, 3]`, `seq: [None, 20, 30]`');
    expect(h.markdown).toContain('`cnn_aux: [None, 1]` (aux)');
    expect(h.markdown).toContain('**960,547 params**');
  });

  it('shows an output with its settings', () => {
    const h = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn_aux  ='))!;
    expect(h.markdown).toContain('(output) cnn_aux: [None, 1]');
    expect(h.markdown).toContain('loss `mse` · weight `0.3`');
    expect(h.markdown).toContain('training only');
  });

  it('gives one-line docs for losses, activations, optimizers, settings and clause keywords', () => {
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'mse'))!.markdown).toBe('**loss** `mse`: Mean squared error (regression).');
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'relu'))!.markdown).toBe('**activation** `relu`: Rectified linear unit: `max(x, 0)`.');
    const adam = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'adam'))!.markdown;
    expect(adam).toContain('**optimizer** `adam`: Adam');
    expect(adam).toContain('Value: `adam(learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7)`');
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'epochs'))!.markdown).toContain('epochs: int = 10');
    const keyword = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'aux loss'))!;
    expect(slice(aux.text, keyword.span)).toBe('aux');
    expect(keyword.markdown).toContain('training-only output');
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'learning_rate'))!.markdown).toContain('learning_rate: float = 0.001');
    const train = hover(aux.analysis, aux.uri, offsetOf(aux.text, 'train {'))!;
    expect(slice(aux.text, train.span)).toBe('train');
    expect(train.markdown).toBe('**train**: Training settings: `train { optimizer: adam, epochs: 10 }`.');
  });

  it('says which use of a block each shape belongs to', () => {
    const paper = example('lstm_cnn_paper.mbn');
    const h = hover(paper.analysis, paper.uri, offsetOf(paper.text, 'features -> Dense'))!;
    expect(h.markdown).toContain('(input) features');
    expect(h.markdown).toContain('- `unknown shape` — `Head` on its own');
    expect(h.markdown).toContain('- `[None, 832]` — `LstmCnn` › `merged`');
    expect(h.markdown).toContain('- `[None, 768]` — `LstmCnn` › `cnn_aux`');
    expect(h.markdown).toContain('- `[None, 64]` — `LstmCnn` › `lstm_aux`');
    const dense = hover(paper.analysis, paper.uri, offsetOf(paper.text, 'Dense(500'))!.markdown;
    expect(dense).toContain('- `[None, 832]` → `[None, 500]` · 416,500 params — `LstmCnn` › `merged`');
    expect(dense).toContain('- `units: 500`');
    const use = hover(paper.analysis, paper.uri, offsetOf(paper.text, 'Head(lookForward)'))!.markdown;
    expect(use).toContain('model Head(lookForward: int = 1)');
    expect(use).toContain('**This use**: `[None, 832]` → `[None, 1]` · 469,151 params');
    const param = hover(paper.analysis, paper.uri, offsetOf(paper.text, 'lookBack: int'))!.markdown;
    expect(param).toContain('(parameter) lookBack: int = 30');
    expect(param).toContain('Value: `30`');
  });

  it('shows a sub-model use and its parameter count', () => {
    const ens = example('ensemble.mbn');
    const h = hover(ens.analysis, ens.uri, offsetOf(ens.text, 'SmallCNN()'))!.markdown;
    expect(h).toContain('model SmallCNN(classes: int = 10)');
    expect(h).toContain('**Outputs**: `probs: [None, 10]`');
    expect(h).toContain('**157,412 params**');
    expect(h).toContain('**This use**: `[None, 28, 28, 1]` → `[None, 10]` · 157,412 params');
    const shared = hover(ens.analysis, ens.uri, offsetOf(ens.text, 'cnn = SmallCNN'))!.markdown;
    expect(shared).toContain('(shared) cnn = SmallCNN()');
    expect(shared).toContain('applied 3 times');
  });

  it('explains symbols given to model parameters', () => {
    const merge = example('weighted_merge.mbn');
    expect(hover(merge.analysis, merge.uri, offsetOf(merge.text, 'linear'))!.markdown).toBe('**activation** `linear`: The identity: `x` (no activation).');
    const param = hover(merge.analysis, merge.uri, offsetOf(merge.text, 'activation: activation', 0, 14))!.markdown;
    expect(param).toContain('(parameter) activation: symbol = linear');
    expect(param).toContain('- `linear` — `Model1` on its own; `WeightedSum` › `o1`; `TrainableWeightedSum` › `o1`');
    expect(param).toContain('- `softmax` — `WeightedProduct` › `p1`');
  });

  it('shows the model doc comment', () => {
    const merge = example('weighted_merge.mbn');
    expect(hover(merge.analysis, merge.uri, offsetOf(merge.text, 'WeightedSum {'))!.markdown).toContain('Fixed weight: prediction = 0.1 * model1(inp1) + 0.9 * model2(inp2).');
  });

  it('works above a half-typed line', () => {
    const m = memory('model M {\n  input img: [32, 32, 3]\n  cnn = img -> Conv2D(8, 3) -> Flatten()\n  x = img -> Conv2D(32,\n}');
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'cnn'))!.markdown).toContain('(branch) cnn: [None, 7200]');
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'Conv2D', 1))!.markdown).toContain('Conv2D(filters: int');
  });

  it('works in a model whose closing brace is not typed yet', () => {
    const m = memory('model M {\n  input img: [32, 32, 3]\n  cnn = img -> Conv2D(8, 3) -> Flatten()\n  output y = cnn -> D');
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'cnn ='))!.markdown).toContain('(branch) cnn: [None, 7200]');
    expect(labels(complete(m.analysis, m.uri, m.text.length))).toContain('Dense');
  });

  it('has nothing to say in comments and on punctuation', () => {
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, 'Answers'))).toBeUndefined();
    expect(hover(aux.analysis, aux.uri, offsetOf(aux.text, '{', 0, 0))).toBeUndefined();
  });
});

describe('completion', () => {
  const base = 'model M {\n  input img: [32, 32, 3]\n  input seq: [20, 30]\n  cnn = img -> Conv2D(32, 3) -> Flatten()\n';

  it('offers what can be applied after `->`, on an unfinished last line', () => {
    const m = memory(`model Other { input x: [4]  output y = x -> Dense(1) }\n${base}  later = cnn -> Dense(4)\n  x = cnn -> |\n}`);
    const items = complete(m.analysis, m.uri, m.offset);
    expect(labels(items)).toEqual(expect.arrayContaining(['Conv2D', 'LSTM', 'Dense', 'MaxPooling2D', 'concat', 'add', 'Other']));
    // Branches and inputs are not layers: `x -> img` is an error, so they are not offered here.
    expect(labels(items)).not.toContain('img');
    expect(labels(items)).not.toContain('M');
    expect(labels(items)).not.toContain('slice');
    const conv = items.find((i) => i.label === 'Conv2D')!;
    expect(conv).toMatchObject({ kind: 'layer', snippet: 'Conv2D(${1:filters}, ${2:kernel_size})$0', insertText: 'Conv2D' });
    expect(conv.detail).toContain('Conv2D(filters: int');
    expect(items.find((i) => i.label === 'Other')).toMatchObject({ kind: 'model', detail: 'model Other' });
    expect(items.find((i) => i.label === 'add')!.snippet).toBe('add($0)');
  });

  it('offers shared instances after `->` and names in scope at an expression start', () => {
    const m = memory(`${base}  shared enc = Dense(8)\n  x = |\n  later = cnn -> Flatten()\n}`);
    const items = complete(m.analysis, m.uri, m.offset);
    expect(labels(items.filter((i) => i.kind === 'variable'))).toEqual(['img', 'seq', 'cnn']);
    expect(items.find((i) => i.label === 'cnn')!.detail).toBe('branch · [None, 28800]');
    expect(labels(items)).toEqual(expect.arrayContaining(['concat', 'weighted_sum', 'flatten']));
    expect(labels(items)).not.toContain('Conv2D');
    const stage = memory(`${base}  shared enc = Dense(8)\n  x = cnn -> |\n}`);
    expect(labels(complete(stage.analysis, stage.uri, stage.offset))).toContain('enc');
  });

  it("offers a layer's parameters inside its unclosed argument list, and enum values after `name:`", () => {
    const m = memory(`${base}  output y = cnn -> Dense(|\n}`);
    const items = complete(m.analysis, m.uri, m.offset);
    expect(labels(items)).toEqual(['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer']);
    expect(items[1]).toMatchObject({ kind: 'property', insertText: 'activation: ', detail: 'activation | None = None' });
    expect(items[0]!.detail).toBe('int (required)');
    const given = memory(`${base}  output y = cnn -> Dense(3, activation: relu, |`);
    expect(labels(complete(given.analysis, given.uri, given.offset))).not.toContain('activation');
    const value = memory(`${base}  output y = cnn -> Dense(3, activation: |)\n}`);
    const values = complete(value.analysis, value.uri, value.offset);
    expect(labels(values)).toEqual(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'None']);
    expect(values[1]!.documentation).toContain('max(x, 0)');
    const padding = memory(`${base}  y = img -> Conv2D(8, 3, padding: |`);
    expect(labels(complete(padding.analysis, padding.uri, padding.offset))).toEqual(['valid', 'same']);
    const reg = memory(`${base}  y = cnn -> Dense(3, kernel_regularizer: |`);
    expect(labels(complete(reg.analysis, reg.uri, reg.offset))).toEqual(['None', 'l1', 'l2', 'l1_l2']);
    const nested = memory(`${base}  y = seq -> Bidirectional(|`);
    expect(labels(complete(nested.analysis, nested.uri, nested.offset))).toEqual(expect.arrayContaining(['layer', 'merge_mode', 'LSTM']));
  });

  it('offers tensors and the merge parameters inside a merge', () => {
    const m = memory(`${base}  x = concat(cnn, |)\n}`);
    expect(labels(complete(m.analysis, m.uri, m.offset))).toEqual(['axis', 'img', 'seq', 'cnn']);
  });

  it('reads the names from the tokens in a model the parser could not make out yet', () => {
    // No closing brace at the end of the file: the model is not in the tree.
    const m = memory(`model M(width: int = 4) {\n  input img: [32, 32, 3]\n  shared enc = Dense(8)\n  a, b = switch(p, img, img)\n  x = concat(cnn, |`);
    expect(m.analysis.unit!.syntax.models).toHaveLength(0);
    expect(labels(complete(m.analysis, m.uri, m.offset))).toEqual(['axis', 'width', 'img', 'a', 'b']);
    const stage = memory(`model M {\n  input img: [32, 32, 3]\n  shared enc = Dense(8)\n  x = img -> |`);
    expect(labels(complete(stage.analysis, stage.uri, stage.offset)).slice(0, 2)).toEqual(['enc', 'Dense']);
  });

  it('offers losses, metrics and output clauses after an output', () => {
    const loss = memory(`${base}  output y = cnn -> Dense(1) loss |\n}`);
    expect(labels(complete(loss.analysis, loss.uri, loss.offset))).toEqual(['mse', 'mae', 'mape', 'msle', 'binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'hinge', 'squared_hinge', 'categorical_hinge', 'log_cosh', 'kld', 'poisson', 'cosine_similarity']);
    const metrics = memory(`${base}  output y = cnn -> Dense(1) loss mse metrics [|]\n}`);
    expect(labels(complete(metrics.analysis, metrics.uri, metrics.offset))).toContain('accuracy');
    const clauses = memory(`${base}  output y = cnn -> Dense(1) loss mse |\n}`);
    expect(labels(complete(clauses.analysis, clauses.uri, clauses.offset))).toEqual(['weight', 'metrics', 'aux']);
  });

  it('offers statement keywords, train settings, optimizers and types', () => {
    const start = memory(`${base}  |\n}`);
    expect(labels(complete(start.analysis, start.uri, start.offset))).toEqual(['input', 'output', 'shared', 'train']);
    const partial = memory(`${base}  outp|\n}`);
    expect(labels(complete(partial.analysis, partial.uri, partial.offset))).toEqual(['input', 'output', 'shared', 'train']);
    const train = memory(`${base}  output y = cnn -> Dense(1) loss mse\n  train {\n    epochs: 3\n    |\n  }\n}`);
    const keys = complete(train.analysis, train.uri, train.offset);
    expect(labels(keys)).toEqual(['optimizer', 'learning_rate', 'batch_size', 'validation_split', 'metrics', 'loss', 'shuffle', 'seed']);
    expect(keys[0]).toMatchObject({ kind: 'property', insertText: 'optimizer: ' });
    const optimizer = memory(`${base}  output y = cnn -> Dense(1) loss mse\n  train {\n    optimizer: |\n  }\n}`);
    expect(labels(complete(optimizer.analysis, optimizer.uri, optimizer.offset))).toEqual(['adam', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adamax']);
    const args = memory(`${base}  output y = cnn -> Dense(1) loss mse\n  train {\n    optimizer: sgd(|\n  }\n}`);
    expect(labels(complete(args.analysis, args.uri, args.offset))).toEqual(['learning_rate', 'momentum', 'nesterov']);
    const type = memory('model M(units: |) {\n}');
    expect(labels(complete(type.analysis, type.uri, type.offset))).toEqual(['int', 'float', 'bool', 'string', 'shape', 'symbol']);
    const file = memory('|');
    expect(labels(complete(file.analysis, file.uri, file.offset))).toEqual(['model', 'import']);
    const dtype = memory('model M {\n  input ids: [20] |\n}');
    expect(labels(complete(dtype.analysis, dtype.uri, dtype.offset))).toEqual(['float32', 'int32']);
  });

  it("offers a sub-model's parameters and outputs", () => {
    const files = { '/mem/enc.mbn': 'model Encoder(width: int = 8) {\n  input x: [4]\n  output features = x -> Dense(width)\n  output logits = x -> Dense(2)\n}\n' };
    const call = memory(`import { Encoder } from "enc"\nmodel M {\n  input x: [4]\n  enc = x -> Encoder(|`, files);
    expect(complete(call.analysis, call.uri, call.offset)[0]).toMatchObject({ label: 'width', detail: 'width: int = 8', insertText: 'width: ' });
    const stage = memory(`import { Encoder } from "enc"\nmodel M {\n  input x: [4]\n  enc = x -> |`, files);
    expect(complete(stage.analysis, stage.uri, stage.offset).find((i) => i.label === 'Encoder')).toMatchObject({ kind: 'model', detail: 'model Encoder(width: int = 8)' });
    const member = memory(`import { Encoder } from "enc"\nmodel M {\n  input x: [4]\n  enc = x -> Encoder()\n  output y = enc.|\n}`, files);
    const members = complete(member.analysis, member.uri, member.offset);
    expect(labels(members)).toEqual(['features', 'logits', 'shape']);
    expect(members[0]!.detail).toBe('output · [None, 8]');
    const names = memory('import { |', files);
    expect(complete(names.analysis, names.uri, names.offset)).toEqual([]);
  });

  it('leaves out models that would contain themselves', () => {
    const m = memory('model Inner { input x: [4]  output y = x -> Dense(1) }\nmodel Outer { input x: [4]  output y = x -> Middle() }\nmodel Middle {\n  input x: [4]\n  output y = x -> |\n}');
    const models = complete(m.analysis, m.uri, m.offset).filter((i) => i.kind === 'model');
    expect(labels(models)).toEqual(['Inner']);
  });

  it('offers nothing in comments, strings and numbers', () => {
    for (const text of [`${base}  # a comment -> |\n}`, `${base}  x = "abc|`, `${base}  x = cnn -> Dense(12|`]) {
      const m = memory(text);
      expect(complete(m.analysis, m.uri, m.offset)).toEqual([]);
    }
  });
});

describe('signature help', () => {
  const base = 'model M {\n  input img: [32, 32, 3]\n  cnn = img -> Conv2D(8, 3) -> Flatten()\n';

  it('shows the signature with the positional parameter active', () => {
    const m = memory(`${base}  x = img -> Conv2D(32, |`);
    const help = signatureHelp(m.analysis, m.uri, m.offset)!;
    expect(help.label.startsWith('Conv2D(filters: int, kernel_size: int | [int, int], strides = [1, 1], padding = valid')).toBe(true);
    expect(help.activeParameter).toBe(1);
    const active = help.parameters[1]!;
    expect(help.label.slice(active.range[0], active.range[1])).toBe('kernel_size: int | [int, int]');
    expect(active.documentation).toContain('convolution window');
    expect(signatureHelp(m.analysis, m.uri, m.offset - 2)!.activeParameter).toBe(0);
  });

  it('follows the named argument being written', () => {
    const m = memory(`${base}  x = cnn -> Dense(3, activation: |)\n}`);
    const help = signatureHelp(m.analysis, m.uri, m.offset)!;
    expect(help.parameters[help.activeParameter!]!.label).toBe('activation = None');
    const unknown = memory(`${base}  x = cnn -> Dense(3, colour: |)\n}`);
    expect(signatureHelp(unknown.analysis, unknown.uri, unknown.offset)!.activeParameter).toBeUndefined();
    const nested = memory(`${base}  x = cnn -> Dense(3, kernel_regularizer: l2(|`);
    expect(signatureHelp(nested.analysis, nested.uri, nested.offset)!.label).toBe('l2(l2 = 0.01)');
  });

  it('covers merges, functional forms and models', () => {
    const merge = memory(`${base}  x = concat(cnn, |`);
    const help = signatureHelp(merge.analysis, merge.uri, merge.offset)!;
    expect(help.label).toBe('concat(a, b, …, axis = -1)');
    expect(help.activeParameter).toBe(0);
    const functional = memory(`${base}  x = reshape(cnn, |`);
    const reshape = signatureHelp(functional.analysis, functional.uri, functional.offset)!;
    expect(reshape.label).toBe('reshape(x, target_shape: [int, …])');
    expect(reshape.activeParameter).toBe(1);
    const model = memory(`model Block(units: int = 4, rate: float = 0.1) { input x  output y = x -> Dense(units) -> Dropout(rate) }\n${base}  x = cnn -> Block(8, |`);
    const block = signatureHelp(model.analysis, model.uri, model.offset)!;
    expect(block.label).toBe('Block(units: int = 4, rate: float = 0.1)');
    expect(block.activeParameter).toBe(1);
  });

  it('is absent outside calls', () => {
    const m = memory(`${base}  x = cnn -> |`);
    expect(signatureHelp(m.analysis, m.uri, m.offset)).toBeUndefined();
  });
});

describe('definition, references and rename', () => {
  const aux = example('aux_branches.mbn');

  it('goes from a use to its declaration; layers have none', () => {
    const [target] = definition(aux.analysis, aux.uri, offsetOf(aux.text, 'lstm)'));
    expect(target!.uri).toBe(aux.uri);
    expect(slice(aux.text, target!.span)).toBe('lstm');
    expect(lineOf(aux.text, target!.span.start)).toBe(14);
    expect(definition(aux.analysis, aux.uri, offsetOf(aux.text, 'Conv2D'))).toEqual([]);
    expect(definition(aux.analysis, aux.uri, offsetOf(aux.text, 'mse'))).toEqual([]);
  });

  it('finds every reference', () => {
    const refs = references(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn  ='), true);
    expect(refs.map((r) => lineOf(aux.text, r.span.start))).toEqual([13, 16, 17]);
    expect(references(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn  ='), false)).toHaveLength(2);
    expect(references(aux.analysis, aux.uri, offsetOf(aux.text, 'img ->'), true)).toHaveLength(2);
  });

  it('renames a branch everywhere it is used', () => {
    const result = rename(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn,'), 'conv');
    expect('edits' in result && result.edits.map((e) => [lineOf(aux.text, e.span.start), slice(aux.text, e.span), e.newText])).toEqual([
      [13, 'cnn', 'conv'],
      [16, 'cnn', 'conv'],
      [17, 'cnn', 'conv'],
    ]);
    expect(prepareRename(aux.analysis, aux.uri, offsetOf(aux.text, 'cnn,'))).toEqual({ span: { start: offsetOf(aux.text, 'cnn,', 0, 0), end: offsetOf(aux.text, 'cnn,', 0, 3) }, placeholder: 'cnn' });
  });

  it('refuses names that clash, shadow or are not names', () => {
    const at = offsetOf(aux.text, 'lstm)');
    expect(rename(aux.analysis, aux.uri, at, 'img')).toEqual({ error: '`AuxBranches` already has an input `img` (line 10).' });
    expect(rename(aux.analysis, aux.uri, at, 'main')).toEqual({ error: '`AuxBranches` already has an output `main` (line 16).' });
    expect(rename(aux.analysis, aux.uri, at, 'Dense')).toEqual({ error: '`Dense` is the layer `Dense`; a branch called so would be confused with it.' });
    expect(rename(aux.analysis, aux.uri, at, 'relu')).toEqual({ error: '`AuxBranches` uses `relu` as a value (line 13); renaming to it would change what that means.' });
    expect(rename(aux.analysis, aux.uri, at, 'output')).toEqual({ error: '`output` is a keyword of the language.' });
    expect(rename(aux.analysis, aux.uri, at, '2x')).toMatchObject({ error: expect.stringContaining('not a valid name') });
    expect(prepareRename(aux.analysis, aux.uri, offsetOf(aux.text, 'Conv2D'))).toEqual({ error: '`Conv2D` is a layer of the catalogue: only names declared in .mbn files can be renamed.' });
    expect(prepareRename(aux.analysis, aux.uri, offsetOf(aux.text, 'mse'))).toEqual({ error: '`mse` is a built-in loss: it cannot be renamed.' });
    expect(rename(aux.analysis, aux.uri, offsetOf(aux.text, 'adam'), 'fast')).toEqual({ error: '`adam` is a built-in optimizer: only names declared in .mbn files can be renamed.' });
    expect(prepareRename(aux.analysis, aux.uri, offsetOf(aux.text, '{', 0, 0))).toBeUndefined();
  });

  it('renames a model with all its uses, and refuses names of other models and layers', () => {
    const ens = example('ensemble.mbn');
    const at = offsetOf(ens.text, 'SmallCNN(classes');
    const result = rename(ens.analysis, ens.uri, at, 'TinyCNN');
    expect('edits' in result && result.edits.map((e) => lineOf(ens.text, e.span.start))).toEqual([10, 19, 20, 21, 35, 36, 37, 46, 47, 48, 58]);
    expect(references(ens.analysis, ens.uri, offsetOf(ens.text, 'SmallCNN()'), false)).toHaveLength(10);
    expect(rename(ens.analysis, ens.uri, at, 'Ensemble')).toMatchObject({ error: expect.stringContaining('a model `Ensemble` already exists') });
    expect(rename(ens.analysis, ens.uri, at, 'Conv2D')).toEqual({ error: '`Conv2D` is the layer `Conv2D`: a model called so would hide it.' });
    expect(rename(ens.analysis, ens.uri, at, 'image')).toEqual({ error: '`Ensemble` has an input `image` (line 18); a model called so would be confused with it.' });
  });

  it('renames a parameter with the named arguments that set it', () => {
    const m = memory('model Block(units: int = 4) {\n  input x\n  output y = x -> Dense(units)\n}\nmodel M {\n  input a: [3]\n  h = a -> Block(units: 8)\n  output y = h -> Block(units: 2) loss mse\n}');
    const fromArgument = rename(m.analysis, m.uri, offsetOf(m.text, 'units: 8'), 'width');
    expect('edits' in fromArgument && fromArgument.edits.map((e) => `${lineOf(m.text, e.span.start)}:${slice(m.text, e.span)}`)).toEqual(['1:units', '3:units', '7:units', '8:units']);
    expect(definition(m.analysis, m.uri, offsetOf(m.text, 'units: 2')).map((d) => lineOf(m.text, d.span.start))).toEqual([1]);
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'units: 8'))!.markdown).toContain('(parameter) units: int = 4');
    expect(prepareRename(m.analysis, m.uri, offsetOf(m.text, 'Dense(units') + 6)).toEqual({ span: expect.anything(), placeholder: 'units' });
    const paramValues = hover(m.analysis, m.uri, offsetOf(m.text, 'Dense(units') + 6)!.markdown;
    expect(paramValues).toContain('- `4` — `Block` on its own');
    expect(paramValues).toContain('- `8` — `M` › `h`');
    expect(paramValues).toContain('- `2` — `M` › `y`');
    expect(prepareRename(m.analysis, m.uri, offsetOf(m.text, 'x -> Dense') + 8)).toEqual({ error: '`Dense` is a layer of the catalogue: only names declared in .mbn files can be renamed.' });
  });

  it('renames an output of a sub-model with its member uses', () => {
    const m = memory('model Enc {\n  input x: [4]\n  output features = x -> Dense(8)\n  output logits = x -> Dense(2)\n}\nmodel M {\n  input a: [4]\n  e = a -> Enc()\n  output y = e.features -> Dense(1) loss mse\n  output z = e.logits loss mse\n}');
    const result = rename(m.analysis, m.uri, offsetOf(m.text, 'e.features', 0, 3), 'embedding');
    expect('edits' in result && result.edits.map((e) => `${lineOf(m.text, e.span.start)}:${slice(m.text, e.span)}`)).toEqual(['3:features', '9:features']);
    expect(rename(m.analysis, m.uri, offsetOf(m.text, 'e.features', 0, 3), 'logits')).toEqual({ error: '`Enc` already has an output `logits` (line 4).' });
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'e.features', 0, 3))!.markdown).toContain('(output) features: [None, 8]');
  });

  it('refuses to rename a parameter to a branch name', () => {
    const paper = example('lstm_cnn_paper.mbn');
    expect(rename(paper.analysis, paper.uri, offsetOf(paper.text, 'lookBack: int'), 'cnn')).toEqual({ error: '`LstmCnn` already has a branch `cnn` (line 26).' });
    const ok = rename(paper.analysis, paper.uri, offsetOf(paper.text, 'lookBack: int'), 'window');
    expect('edits' in ok && ok.edits.map((e) => lineOf(paper.text, e.span.start))).toEqual([21, 23, 24]);
  });

  it('works across imports', () => {
    const files = { '/mem/blocks.mbn': 'model Block(units: int = 4) {\n  input x\n  output y = x -> Dense(units)\n}\nmodel Unused { input x: [2]  output y = x -> Dense(1) }\n' };
    const m = memory('import { Block } from "blocks"\nmodel M {\n  input a: [3]\n  h = a -> Block(units: 8)\n  output y = h -> Block() loss mse\n}', files);
    const [target] = definition(m.analysis, m.uri, offsetOf(m.text, 'Block(units'));
    expect(target!.uri).toBe('/mem/blocks.mbn');
    expect(slice(files['/mem/blocks.mbn'], target!.span)).toBe('Block');
    const result = rename(m.analysis, m.uri, offsetOf(m.text, 'Block()'), 'Dense2');
    expect('edits' in result && result.edits.map((e) => `${e.uri}@${e.span.start}`)).toEqual(['/mem/blocks.mbn@6', '/mem/main.mbn@9', '/mem/main.mbn@67', '/mem/main.mbn@101']);
    expect(rename(m.analysis, m.uri, offsetOf(m.text, 'Block()'), 'Unused')).toMatchObject({ error: expect.stringContaining('a model `Unused` already exists') });
    const param = rename(m.analysis, m.uri, offsetOf(m.text, 'units: 8'), 'width');
    expect('edits' in param && param.edits.map((e) => `${e.uri}@${e.span.start}`)).toEqual(['/mem/blocks.mbn@12', '/mem/blocks.mbn@64', '/mem/main.mbn@73']);
    expect(hover(m.analysis, m.uri, offsetOf(m.text, 'Block()'))!.markdown).toContain('Declared in `blocks.mbn`.');
    expect(definition(m.analysis, m.uri, offsetOf(m.text, '"blocks"', 0, 2))).toEqual([{ uri: '/mem/blocks.mbn', span: { start: 0, end: 0 } }]);
    expect(hover(m.analysis, m.uri, offsetOf(m.text, '"blocks"', 0, 2))!.markdown).toBe('`/mem/blocks.mbn`\n\nModels: `Block`, `Unused`');
  });
});
