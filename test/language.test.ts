/**
 * Every construct of the language, checked through the front end: what the
 * graph looks like, which shapes and parameter counts come out, and which
 * diagnostics a misuse gets.
 */
import { describe, expect, it } from 'vitest';
import { inferenceGraph } from '../src/passes/prune.js';
import { totalParams, shapeOf, type Graph } from '../src/semantics/graph.js';
import { analyzeText, diagnosticLines, model } from './helpers.js';

function graphOf(text: string, name?: string, files?: Record<string, string>): Graph {
  const analysis = analyzeText(text, files);
  expect(diagnosticLines(analysis)).toEqual([]);
  return model(analysis, name).graph!;
}

const params = (g: Graph) => totalParams(g.layers).total;
const shapes = (g: Graph) => Object.fromEntries(g.nodes.map((n) => [n.kind === 'input' ? n.name : n.layer.name, n.kind === 'input' ? n.shape : n.outputShapes[0]]));
const outputShape = (g: Graph, i = 0) => shapeOf(g.outputs[i]!.tensor);

describe('layout and comments', () => {
  it('continues a statement on lines starting with -> or an output clause', () => {
    const g = graphOf(`
      # a comment
      // another comment
      /* and a
         block comment */
      model M {
        input x: [10]
        h = x -> Dense(8)        # trailing comment
              -> Dense(4)
        output y = h
          -> Dense(1)
          loss mse
          weight 0.5
      }`);
    expect(shapes(g)).toEqual({ x: [10], h_dense: [8], h: [4], y: [1] });
    expect(g.outputs[0]).toMatchObject({ loss: 'mse', weight: 0.5 });
  });

  it('continues inside brackets and after a trailing operator, and splits at ;', () => {
    const g = graphOf(`model M(n: int = 4) {
      input x: [
        n *
        2]; h = concat(
          x,
          x)
      output y = h -> Dense(1) loss mse }`);
    expect(shapes(g)).toMatchObject({ x: [8], h: [16] });
  });
});

describe('constant expressions', () => {
  it('follow the usual precedence, left to right', () => {
    const g = graphOf(`model M(n: int = 4) {
      input a: [2 + 3 * n - 1]
      input b: [20 - 6 / 2, 10 % 4 * 2, -(-n)]
      output y = concat(a, b -> Flatten()) loss mse
    }`);
    expect(g.inputs.map((i) => i.shape)).toEqual([[13], [17, 4, 4]]);
  });
});

describe('models and parameters', () => {
  it('uses typed parameters with defaults in shapes and arguments', () => {
    const g = graphOf(`model Forecast(lookBack: int = 30, units: int = 16, act: symbol = tanh, rate: float = 0.25) {
      input series: [lookBack, 2]
      output y = series -> LSTM(units, activation: act) -> Dropout(rate) -> Dense(lookBack / 10) loss mse
    }`);
    expect(shapes(g)).toMatchObject({ series: [30, 2], y_lstm: [16], y: [3] });
    expect(g.layers[0]!.args).toMatchObject({ units: 16, activation: 'tanh' });
  });

  it('takes parameter values from the caller', () => {
    const analysis = analyzeText(`model M(width: int = 4) { input x: [width]  output y = x -> Dense(1) loss mse }`);
    expect(model(analysis).graph!.inputs[0]!.shape).toEqual([4]);
  });

  it('checks parameter types and defaults', () => {
    const analysis = analyzeText(`model M(n: int = 2.5, k: integer = 3) { input x: [4]  output y = x -> Dense(1) loss mse }`);
    expect(diagnosticLines(analysis)).toEqual([
      'MBN402 1:9-1:10 parameter `n` is never used',
      'MBN212 1:18-1:21 parameter `n` expects an int, got a float (2.5)',
      'MBN402 1:23-1:24 parameter `k` is never used',
      'MBN212 1:26-1:33 unknown parameter type `integer`',
    ]);
  });

  it('gives every use of a sub-model its own weights, with scoped layer names', () => {
    const g = graphOf(`
      model Block(units: int = 8) { input x: [4]  output out = x -> Dense(units) }
      model Top {
        input x: [4]
        a = x -> Block()
        b = x -> Block(units: 2)
        output y = concat(a, b) -> Dense(1) loss mse
      }`, 'Top');
    expect(g.layers.map((l) => l.name)).toEqual(['a/out', 'b/out', 'y_concat', 'y']);
    expect(params(g)).toBe(40 + 10 + 11);
  });

  it('takes the input shape of a shape-less block from each use', () => {
    const g = graphOf(`
      model Head { input features  output p = features -> Dense(10) -> Dense(1) }
      model Top {
        input a: [3]
        input b: [7, 5]
        output y1 = a -> Head() loss mse
        output y2 = b -> Flatten() -> Head() loss mse
      }`, 'Top');
    expect(params(g)).toBe(3 * 10 + 10 + 11 + 35 * 10 + 10 + 11);
  });

  it('shares one instance (one set of weights) with `shared`', () => {
    const g = graphOf(`
      model Tower { input x: [16]  output out = x -> Dense(8) -> Dense(4) }
      model Siamese {
        input left: [16]
        input right: [16]
        shared tower = Tower()
        shared project = Dense(2)
        l = left -> tower -> project
        r = right -> tower -> project
        output similarity = dot(l, r, axes: 1, normalize: true) loss mse
      }`, 'Siamese');
    expect(params(g)).toBe(16 * 8 + 8 + 8 * 4 + 4 + 4 * 2 + 2);
    expect(g.layers.filter((l) => l.nodes.length === 2).map((l) => l.name)).toEqual(['tower/out_dense', 'tower/out', 'project']);
    expect(outputShape(g)).toEqual([1]);
  });

  it('feeds a multi-input sub-model with a tuple and picks outputs of a multi-output one by name', () => {
    const g = graphOf(`
      model Pair { input a: [4]  input b: [6]  output joined = concat(a, b)  output left = a -> Dense(2) }
      model Top {
        input p: [4]
        input q: [6]
        both = (p, q) -> Pair()
        output y = both.joined -> Dense(1) loss mse
        output z = both.left loss mse
      }`, 'Top');
    expect(outputShape(g, 0)).toEqual([1]);
    expect(outputShape(g, 1)).toEqual([2]);
  });

  it('reports recursion through sub-models', () => {
    const analysis = analyzeText(`model A { input x: [2]  output y = x -> A() loss mse }`);
    expect(diagnosticLines(analysis)).toEqual(['MBN204 1:41-1:42 recursive model instantiation: A → A']);
  });
});

describe('branches, skip connections and dead branches', () => {
  it('lets a named intermediate feed several later steps', () => {
    const g = graphOf(`model Res {
      input x: [8, 8, 4]
      h = x -> Conv2D(4, 3, padding: same, activation: relu)
      skip = add(x, h)
      output y = skip -> Flatten() -> Dense(1) loss mse
    }`);
    const skip = g.nodes.find((n) => n.kind === 'layer' && n.layer.name === 'skip')!;
    expect(skip.kind === 'layer' && skip.inputs.map((i) => (i.node.kind === 'input' ? i.node.name : i.node.layer.name))).toEqual(['x', 'h']);
  });

  it('warns about a branch that reaches no output, naming Keras\'s silent drop', () => {
    const analysis = analyzeText(`model M { input x: [4]  used = x -> Dense(2)  unused = x -> Dense(3)  output y = used loss mse }`);
    expect(diagnosticLines(analysis)).toEqual(['MBN400 1:47-1:53 branch `unused` reaches no output, so it is not part of the model']);
    expect(analysis.diagnostics[0]!.notes[0]).toContain('Keras drops such a branch');
  });
});

describe('merges', () => {
  const merge = (expr: string, inputs = 'input a: [4]\n input b: [4]') => analyzeText(`model M {\n ${inputs}\n output y = ${expr} loss mse\n}`);
  const shapeOfMerge = (expr: string, inputs?: string) => {
    const analysis = merge(expr, inputs);
    expect(diagnosticLines(analysis)).toEqual([]);
    return outputShape(model(analysis).graph!);
  };

  it('concatenates along an axis', () => {
    expect(shapeOfMerge('concat(a, b)')).toEqual([8]);
    expect(shapeOfMerge('concat(a, b, axis: 1)', 'input a: [3, 5]\n input b: [2, 5]')).toEqual([5, 5]);
    expect(diagnosticLines(merge('concat(a, b, axis: 1)', 'input a: [3, 5]\n input b: [2, 4]'))).toEqual([
      'MBN301 4:23-4:24 concat needs equal dims except axis 1: [None, 3, 5] vs [None, 2, 4]',
    ]);
  });

  it('adds, subtracts, averages, multiplies and takes extremes of equal shapes', () => {
    for (const op of ['add(a, b)', 'subtract(a, b)', 'average(a, b)', 'multiply(a, b)', 'maximum(a, b)', 'minimum(a, b)']) {
      expect(shapeOfMerge(op)).toEqual([4]);
    }
    expect(diagnosticLines(merge('subtract(a, b, a)'))).toEqual(['MBN214 4:28-4:29 subtract takes 2 tensors (a, b), got 3']);
    expect(diagnosticLines(merge('add(a, b)', 'input a: [4]\n input b: [5]'))).toEqual([
      'MBN301 4:20-4:21 add needs equal shapes (or 1s that broadcast): [None, 4] vs [None, 5]',
    ]);
  });

  it('broadcasts a per-sample scalar over a feature map', () => {
    expect(shapeOfMerge('multiply(a, b) -> Flatten()', 'input a: [5, 5, 3]\n input b: [1]')).toEqual([75]);
    expect(shapeOfMerge('multiply(a, b[0]) -> Flatten()', 'input a: [5, 5, 3]\n input b: [2]')).toEqual([75]);
  });

  it('weights two branches by a fixed or trainable alpha, N branches by softmax weights', () => {
    const count = (expr: string) => {
      const analysis = merge(expr, 'input a: [4]\n input b: [4]\n input c: [4]');
      expect(diagnosticLines(analysis).filter((d) => !d.startsWith('MBN401'))).toEqual([]);
      return params(model(analysis).graph!);
    };
    expect(count('weighted_sum(a, b, alpha: 0.1)')).toBe(0);
    expect(count('weighted_sum(a, b, alpha: trainable)')).toBe(1);
    expect(count('weighted_sum(a, b, c, weights: softmax)')).toBe(3);
    expect(count('weighted_sum(a, b, c, weights: [0.2, 0.3, 0.5])')).toBe(0);
    expect(count('weighted_product(a, b, alpha: trainable)')).toBe(1);
  });

  it('checks weighted merges', () => {
    expect(diagnosticLines(merge('weighted_sum(a, b, alpha: 1.5)'))).toEqual(['MBN213 4:32-4:42 weighted_sum: alpha must be in [0, 1], got 1.5']);
    expect(diagnosticLines(merge('weighted_sum(a, b)'))).toEqual(['MBN213 4:13-4:25 weighted_sum: give the weight: `alpha: 0.1`, `alpha: trainable`, or `weights: softmax`']);
    expect(diagnosticLines(merge('weighted_sum(a, b, weights: [0.5])'))).toEqual(['MBN302 4:32-4:46 weighted_sum has 1 weights but 2 inputs']);
    expect(diagnosticLines(merge('weighted_sum(a, b, alpha: 0.5)', 'input a: [4]\n input b: [3]'))).toEqual([
      'MBN301 4:29-4:30 weighted_sum needs inputs of the same shape: [None, 4] vs [None, 3]',
    ]);
  });

  it('mixes L experts by a gate of width L', () => {
    expect(shapeOfMerge('mixture(g, a, b)', 'input g: [2]\n input a: [4]\n input b: [4]')).toEqual([4]);
    expect(shapeOfMerge('mixture(g, [a, b, a])', 'input g: [3]\n input a: [4]\n input b: [4]')).toEqual([4]);
    expect(diagnosticLines(merge('mixture(g, a, b)', 'input g: [2]\n input a: [4]\n input b: [5]'))).toEqual([
      'MBN301 5:27-5:28 mixture needs experts of the same shape: [None, 4] vs [None, 5]',
    ]);
  });

  it('switches softly between branches of different shapes', () => {
    const analysis = analyzeText(`model M {
      input p: [2]
      input a: [6, 6, 3]
      input b: [10]
      first, second = switch(p, a, b)
      output y = concat(first -> Flatten(), second) loss mse
    }`);
    expect(diagnosticLines(analysis)).toEqual([]);
    expect(outputShape(model(analysis).graph!)).toEqual([118]);
    expect(diagnosticLines(analyzeText(`model M { input p: [3]  input a: [4]  x, y = switch(p, a, a)  output o = add(x, y) loss mse }`))).toEqual([
      'MBN302 1:53-1:54 switch probabilities have width 3 but there are 2 branches',
    ]);
  });

  it('takes dot products', () => {
    expect(shapeOfMerge('dot(a, b, axes: 1)')).toEqual([1]);
    expect(shapeOfMerge('dot(a, b, axes: [2, 1])', 'input a: [3, 5]\n input b: [5, 2]')).toEqual([3, 2]);
  });
});

describe('tensor expressions', () => {
  const shapeOf1 = (expr: string, input = '[2, 6]') => {
    const analysis = analyzeText(`model M { input x: ${input}  output y = ${expr} loss mse }`);
    expect(diagnosticLines(analysis)).toEqual([]);
    return outputShape(model(analysis).graph!);
  };
  it('slices and indexes the non-batch axes', () => {
    expect(shapeOf1('x[0]')).toEqual([6]);
    expect(shapeOf1('x[0:1]')).toEqual([1, 6]);
    expect(shapeOf1('x[:, 2:5]')).toEqual([2, 3]);
    expect(shapeOf1('x[1, -2:]')).toEqual([2]);
  });
  it('flattens and reshapes as plain expressions or pipeline steps', () => {
    expect(shapeOf1('flatten(x)')).toEqual([12]);
    expect(shapeOf1('reshape(x, [3, 4])')).toEqual([3, 4]);
    expect(shapeOf1('x -> Reshape([-1, 3])')).toEqual([4, 3]);
    expect(shapeOf1('x -> flatten()')).toEqual([12]);
  });
  it('wraps recurrent layers', () => {
    // Bidirectional(LSTM(8)) on [2, 6]: 2 * 4 * (8 * (6 + 8) + 8) = 960
    const analysis = analyzeText(`model M { input x: [2, 6]  output y = x -> Bidirectional(LSTM(8, return_sequences: true)) -> TimeDistributed(Dense(3)) loss mse }`);
    expect(diagnosticLines(analysis)).toEqual([]);
    expect(outputShape(model(analysis).graph!)).toEqual([2, 3]);
    expect(params(model(analysis).graph!)).toBe(960 + 16 * 3 + 3);
  });
  it('embeds integer ids and rejects float ids', () => {
    const ok = analyzeText(`model M { input ids: [20] int32  output y = ids -> Embedding(1000, 16) -> GlobalAveragePool1D() -> Dense(1) loss mse }`);
    expect(diagnosticLines(ok)).toEqual([]);
    expect(params(model(ok).graph!)).toBe(16000 + 17);
    expect(diagnosticLines(analyzeText(`model M { input ids: [20]  output y = ids -> Embedding(1000, 16) -> Flatten() -> Dense(1) loss mse }`))).toEqual([
      'MBN300 1:46-1:65 Embedding takes integer ids, but its input is float32',
    ]);
  });
  it('accepts unknown (None) dimensions where layers allow them', () => {
    expect(shapeOf1('x -> LSTM(4)', '[None, 6]')).toEqual([4]);
    expect(diagnosticLines(analyzeText(`model M { input x: [None, 6]  output y = x -> Flatten() loss mse }`))[0]).toMatch(/^MBN300 .* Flatten expects fully known dimensions, got \[None, None, 6\]/);
  });
});

describe('outputs and training', () => {
  it('records losses, weights, metrics, aux marks and the train block', () => {
    const g = graphOf(`model M {
      input x: [4]
      output main = x -> Dense(3, activation: softmax) loss categorical_crossentropy weight 2 metrics [accuracy, mse]
      output side = x -> Dense(1) aux loss mae
      train {
        optimizer: sgd(learning_rate: 0.05, momentum: 0.9)
        epochs: 7
        batch: 16
        validation_split: 0.25
        shuffle: false
        seed: 42
        metrics: [mae]
      }
    }`);
    expect(g.outputs.map((o) => [o.name, o.loss, o.weight, o.metrics, o.aux])).toEqual([
      ['main', 'categorical_crossentropy', 2, ['accuracy', 'mse'], false],
      ['side', 'mae', 1, [], true],
    ]);
    expect(g.training).toMatchObject({
      optimizer: { name: 'sgd', args: { learning_rate: 0.05, momentum: 0.9, nesterov: false } },
      epochs: 7,
      batchSize: 16,
      validationSplit: 0.25,
      shuffle: false,
      seed: 42,
      metrics: ['mae'],
    });
    expect(inferenceGraph(g).outputs.map((o) => o.name)).toEqual(['main']);
  });

  it('uses a default loss from the train block and Keras defaults otherwise', () => {
    const g = graphOf(`model M { input x: [4]  output y = x -> Dense(1)  train { loss: mse  learning_rate: 0.01 } }`);
    expect(g.outputs[0]!.loss).toBe('mse');
    expect(g.training.optimizer).toEqual({ name: 'adam', args: { learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } });
  });
});

describe('inference pruning', () => {
  it('drops aux heads, what only feeds them, and training-only layers', () => {
    const g = graphOf(`model M {
      input x: [8]
      input side: [3]
      h = x -> Dense(16) -> Dropout(0.5) -> GaussianNoise(0.1)
      output main = h -> Dense(1) loss mse
      output aux_head = concat(h, side) -> Dense(1) aux loss mse
    }`);
    const inference = inferenceGraph(g);
    expect(inference.inputs.map((i) => i.name)).toEqual(['x']);
    expect(inference.layers.map((l) => l.name)).toEqual(['h_dense', 'main']);
    const main = inference.nodes.at(-1)!;
    expect(main.kind === 'layer' && main.inputs[0]!.node.kind === 'layer' && main.inputs[0]!.node.layer.name).toBe('h_dense');
    // Layers keep their identity so the inference model can reuse trained weights.
    expect(inference.layers.map((l) => l.id)).toEqual(g.layers.filter((l) => ['h_dense', 'main'].includes(l.name)).map((l) => l.id));
  });
});

describe('imports', () => {
  const blocks = `model Block(units: int = 4) { input x  output y = x -> Dense(units) }\nmodel Other { input x: [2]  output y = x -> Dense(1) }`;
  it('imports every model of a file, or the named ones, relative to the importing file', () => {
    const files = { '/mem/lib/blocks.mbn': blocks };
    const all = analyzeText(`import "lib/blocks.mbn"\nmodel M { input x: [3]  output y = x -> Block() loss mse }`, files);
    expect(diagnosticLines(all)).toEqual([]);
    const named = analyzeText(`import { Block } from "lib/blocks"\nmodel M { input x: [3]  output y = x -> Block(units: 2) -> Other() loss mse }`, files);
    expect(diagnosticLines(named)).toEqual(['MBN200 2:60-2:65 unknown layer, model or operation `Other`']);
  });
  it('reports import cycles at the import that closes them', () => {
    const files = {
      '/mem/a.mbn': `import "b.mbn"\nmodel A { input x: [2]  output y = x -> Dense(1) }`,
      '/mem/b.mbn': `import "a.mbn"\nmodel B { input x: [2]  output y = x -> A() }`,
    };
    const analysis = analyzeText(`import "a.mbn"\nmodel M { input x: [2]  output y = x -> A() loss mse }`, files);
    expect(diagnosticLines(analysis)).toContain('MBN151 1:8-1:15 import cycle: a.mbn → b.mbn → a.mbn');
  });
});
