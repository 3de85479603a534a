/**
 * Every bundled example checks cleanly and has the parameter counts Keras
 * reports for the same model (figures from the seed questions, or computed
 * by hand from Keras's formulas in the comments).
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferenceGraph } from '../src/passes/prune.js';
import { analyze, type Analysis } from '../src/semantics/analyze.js';
import { totalParams } from '../src/semantics/graph.js';
import { summarize } from '../src/summary/summary.js';
import { examplesDir, fileHost, model } from './helpers.js';

const load = (file: string): Analysis => analyze(path.join(examplesDir, file), fileHost);

function counts(analysis: Analysis, name: string) {
  const graph = model(analysis, name).graph!;
  expect(graph, `${name} has a graph`).toBeDefined();
  return { training: totalParams(graph.layers).total, inference: totalParams(inferenceGraph(graph).layers).total };
}

describe('bundled examples', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.mbn'));

  it('are the ones later work relies on', () => {
    for (const name of ['aux_branches', 'lstm_cnn_paper', 'soft_switch', 'weighted_merge', 'ensemble', 'mixture_of_experts']) {
      expect(files).toContain(`${name}.mbn`);
    }
  });

  for (const file of files) {
    it(`${file} has no diagnostics and every model compiles`, () => {
      const analysis = load(file);
      expect(analysis.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      for (const m of analysis.models) {
        const standalone = m.template.decl.body.every((s) => s.kind !== 'InputDecl' || s.shape) && m.template.decl.params.every((p) => p.default);
        if (standalone) expect(m.graph, m.name).toBeDefined();
      }
    });
  }
});

describe('seeds/000: examples/aux_branches.mbn', () => {
  const analysis = load('aux_branches.mbn');

  it('matches the Keras summary of the answer layer by layer', () => {
    const s = summarize(model(analysis, 'AuxBranches').graph!);
    const rows = s.training.layers.map((r) => [r.type, r.outputShapes[0], r.params]);
    expect(rows).toEqual([
      ['InputLayer', [null, 32, 32, 3], 0],
      ['InputLayer', [null, 20, 30], 0],
      ['Conv2D', [null, 30, 30, 32], 896],
      ['Flatten', [null, 28800], 0],
      ['LSTM', [null, 32], 8064],
      ['Concatenate', [null, 28832], 0],
      ['Dense', [null, 1], 28833],
      ['Dense', [null, 32], 921632],
      ['Dropout', [null, 32], 0],
      ['Dense', [null, 1], 33],
      ['Dense', [null, 32], 1056],
      ['Dropout', [null, 32], 0],
      ['Dense', [null, 1], 33],
    ]);
    expect(s.training.totalParams).toBe(960547);
  });

  it('prunes to input, conv, flatten, input, lstm, concatenate and the merged Dense (37,793)', () => {
    const s = summarize(model(analysis, 'AuxBranches').graph!);
    expect(s.inference.layers.map((r) => r.type)).toEqual(['InputLayer', 'InputLayer', 'Conv2D', 'Flatten', 'LSTM', 'Concatenate', 'Dense']);
    expect(s.inference.totalParams).toBe(37793);
    expect(s.inference.outputs).toEqual(['main']);
  });

  it('keeps each output loss and weight', () => {
    const outputs = model(analysis, 'AuxBranches').graph!.outputs.map((o) => [o.name, o.aux, o.loss, o.weight]);
    expect(outputs).toEqual([
      ['main', false, 'mse', 1],
      ['cnn_aux', true, 'mse', 0.3],
      ['lstm_aux', true, 'mse', 0.3],
    ]);
  });
});

describe('seeds/000: examples/lstm_cnn_paper.mbn', () => {
  it('has the three 500-100-25 heads, two of them pruned', () => {
    // Conv1D(64,3) on [30,2]: 3*2*64+64 = 448; Conv1D(64,3) on [14,64]: 3*64*64+64 = 12,352
    // LSTM(64) on [30,2]: 4*(64*66+64) = 17,152; LSTM(64) on [30,64]: 4*(64*128+64) = 33,024
    // Head on w features: w*500+500 + 50,100 + 2,525 + 26
    const head = (w: number) => w * 500 + 500 + 50100 + 2525 + 26;
    const trunk = 448 + 12352 + 17152 + 33024;
    expect(counts(load('lstm_cnn_paper.mbn'), 'LstmCnn')).toEqual({
      training: trunk + head(768 + 64) + head(768) + head(64),
      inference: trunk + head(768 + 64),
    });
  });

  it('passes alpha, beta and gamma as the loss weights', () => {
    const graph = model(load('lstm_cnn_paper.mbn'), 'LstmCnn').graph!;
    expect(graph.outputs.map((o) => o.weight)).toEqual([1, 0.5, 0.5]);
    expect(graph.training).toMatchObject({ epochs: 20, batchSize: 64, validationSplit: 0.2, metrics: ['mae'] });
  });
});

describe('seeds/001: examples/soft_switch.mbn', () => {
  // conv1 27*6+6=168, conv2 54*9+9=495, conv3 108*12+12... see the answer's model:
  // 168 + 495 + 984 + 1,635 (conv4) + 752 (first) + 1,635 (conv5) + 984 (conv6) + 1,635 (conv7) + 24,032 + 66
  const total = 168 + 495 + 984 + 1635 + 752 + 1635 + 984 + 1635 + 24032 + 66;

  it('has the answer model with a gated switch', () => {
    const analysis = load('soft_switch.mbn');
    expect(counts(analysis, 'ConditionalCatDog')).toEqual({ training: total, inference: total });
    const s = summarize(model(analysis, 'ConditionalCatDog').graph!);
    const sw = s.training.layers.find((r) => r.type === 'SoftSwitch')!;
    expect(sw.outputShapes).toEqual([[null, 17, 17, 12], [null, 54, 54, 9]]);
    expect(sw.inputs).toEqual(['first[0][0]', 'c3[0][0]', 'c2[0][0]']);
  });

  it('writes the same model with slices and broadcasting', () => {
    const analysis = load('soft_switch.mbn');
    expect(counts(analysis, 'ConditionalCatDogSliced').training).toBe(total);
    const layers = summarize(model(analysis, 'ConditionalCatDogSliced').graph!).training.layers;
    expect(layers.filter((r) => r.type === 'Slice').map((r) => r.outputShapes[0])).toEqual([[null, 1], [null, 1]]);
    expect(layers.filter((r) => r.type === 'Multiply').map((r) => r.outputShapes[0])).toEqual([[null, 17, 17, 12], [null, 54, 54, 9]]);
  });
});

describe('seeds/002: examples/weighted_merge.mbn', () => {
  const analysis = load('weighted_merge.mbn');
  it('merges two models with a fixed weight: 2,880 params', () => {
    expect(counts(analysis, 'WeightedSum').training).toBe(600 + 1010 + 560 + 710);
    const merge = model(analysis, 'WeightedSum').graph!.layers.at(-1)!;
    expect(merge.args).toMatchObject({ alpha: 0.1 });
  });
  it('learns the weight with one more parameter', () => {
    expect(counts(analysis, 'TrainableWeightedSum').training).toBe(2881);
  });
  it('has a weighted-product variant', () => {
    expect(counts(analysis, 'WeightedProduct').training).toBe(2880);
    expect(summarize(model(analysis, 'WeightedProduct').graph!).customLayers).toEqual(['WeightedProduct']);
  });
});

describe('seeds/003: examples/ensemble.mbn', () => {
  const analysis = load('ensemble.mbn');
  // SmallCNN: Conv2D(25,3,same) on [28,28,1]: 9*25+25 = 250; Dense(32) on 14*14*25 = 4,900: 156,832; Dense(10): 330
  const cnn = 250 + 156832 + 330;

  it('averages three copies with their own weights: 472,236 params', () => {
    expect(cnn * 3).toBe(472236);
    expect(counts(analysis, 'Ensemble')).toEqual({ training: 472236, inference: 472236 });
  });
  it('has the two-output and two-input variants', () => {
    expect(counts(analysis, 'EnsembleTwoOutputs').training).toBe(472236);
    expect(model(analysis, 'EnsembleTwoOutputs').graph!.outputs.map((o) => o.name)).toEqual(['mean', 'third']);
    expect(model(analysis, 'EnsembleTwoInputs').graph!.inputs.map((i) => i.name)).toEqual(['image1', 'image2']);
  });
  it('shares one set of weights when asked', () => {
    expect(counts(analysis, 'EnsembleShared').training).toBe(cnn);
    const graph = model(analysis, 'EnsembleShared').graph!;
    const shared = graph.layers.filter((l) => l.name.startsWith('cnn/'));
    expect(shared.map((l) => l.nodes.length)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

describe('seeds/004: examples/mixture_of_experts.mbn', () => {
  it('weights three experts by a gate', () => {
    // Expert: Dense(64) on 20: 1,344; Dense(10) on 64: 650. Gate Dense(3) on 20: 63.
    expect(counts(load('mixture_of_experts.mbn'), 'MixtureOfExperts').training).toBe(3 * (1344 + 650) + 63);
  });
});
