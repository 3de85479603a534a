/** FLOPs estimates, checked against counts worked out by hand for the seed examples' layers. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferenceGraph } from '../src/passes/prune.js';
import { analyze, pickModel } from '../src/semantics/analyze.js';
import { graphFlops, nodeFlops } from '../src/summary/flops.js';
import { flopsText } from '../src/summary/summary.js';
import type { Graph, LayerNode } from '../src/semantics/graph.js';
import { analyzeText, examplesDir, fileHost } from './helpers.js';

function graphOf(text: string): Graph {
  const analysis = analyzeText(text);
  expect(analysis.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return analysis.models[analysis.models.length - 1]!.graph!;
}

const flopsByLayer = (graph: Graph) =>
  Object.fromEntries(graph.nodes.filter((n): n is LayerNode => n.kind === 'layer').map((n) => [n.layer.name, nodeFlops(n)]));

describe('forward FLOPs per sample', () => {
  it('counts a multiply-add as 2 for weights applied at every position', () => {
    const graph = graphOf(`model M {
  input img: [32, 32, 3]
  input seq: [20, 30]
  input ids: [12] int32
  output a = img -> Conv2D(32, 3) -> MaxPool2D(2) -> Flatten() -> Dense(10) loss mse
  output b = seq -> LSTM(16) loss mse
  output c = ids -> Embedding(100, 8) -> GRU(4, return_sequences: true) loss mse
  output d = img -> Conv2DTranspose(4, 3, strides: 2) loss mse
}`);
    // Layers are named after the branch they end (Keras-style names otherwise).
    expect(flopsByLayer(graph)).toEqual({
      a_conv2d: 2 * (3 * 3 * 3 * 32 + 32) * 30 * 30, // 896 weights at 30x30 positions
      a_max_pool2d: 30 * 30 * 32, // reads each input once
      a_flatten: 15 * 15 * 32,
      a: 2 * (7200 * 10 + 10),
      b: 2 * 4 * (16 * (30 + 16) + 16) * 20, // every weight once per step
      c_embedding: 0, // a lookup
      c: 2 * 3 * (4 * (8 + 4) + 4) * 12,
      d: 2 * (3 * 3 * 3 * 4 + 4) * 32 * 32, // per input pixel
    });
  });

  it('drops what pruning removes: aux_branches runs 1.9x fewer FLOPs at inference', () => {
    const uri = path.join(examplesDir, 'aux_branches.mbn');
    const graph = pickModel(analyze(uri, fileHost), 'AuxBranches').graph!;
    const training = graphFlops(graph);
    const inference = graphFlops(inferenceGraph(graph));
    // conv 1,612,800 + LSTM 322,560 + main dense 57,666 + the aux heads' 28,800x32 dense 1,843,264 + ...
    expect(training - inference).toBeGreaterThan(2 * 28800 * 32);
    expect(training / inference).toBeCloseTo(1.9, 1);
  });

  it('prints like a profiler', () => {
    expect([flopsText(950), flopsText(12_100), flopsText(3_897_000), flopsText(2.5e9)]).toEqual(['950', '12.1 k', '3.90 M', '2.50 G']);
  });
});
