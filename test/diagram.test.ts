/**
 * `mbnc graph`: the diagram holds every layer, marks what inference drops,
 * draws merges and shared layers as such, escapes hostile text, writes DOT
 * that Graphviz lays out and Mermaid of the right structure, the same bytes
 * every time, and the CLI writes files atomically and fails cleanly.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toDot } from '../src/diagram/dot.js';
import { toMermaid } from '../src/diagram/mermaid.js';
import { buildDiagram, type Diagram, type DiagramNode } from '../src/diagram/model.js';
import { branchLocator, modelLocator } from '../src/diagram/origins.js';
import { renderSvg } from '../src/diagram/svg.js';
import { inferenceGraph } from '../src/passes/prune.js';
import { analyze } from '../src/semantics/analyze.js';
import type { Graph } from '../src/semantics/graph.js';
import { analyzeText, examplesDir, fileHost } from './helpers.js';
import { mbnc } from './mbnc.js';

/** The main model of every seed example. */
const mainModels: [file: string, model: string][] = [
  ['aux_branches.mbn', 'AuxBranches'],
  ['lstm_cnn_paper.mbn', 'LstmCnn'],
  ['soft_switch.mbn', 'ConditionalCatDog'],
  ['weighted_merge.mbn', 'WeightedSum'],
  ['ensemble.mbn', 'Ensemble'],
  ['mixture_of_experts.mbn', 'MixtureOfExperts'],
];

function load(file: string, model: string) {
  const analysis = analyze(path.join(examplesDir, file), fileHost);
  const graph = analysis.models.find((m) => m.name === model)?.graph;
  if (!graph) throw new Error(`${file}: no graph for ${model}`);
  return { analysis, graph };
}

function diagramOf(file: string, model: string, view: 'training' | 'inference' = 'training'): Diagram {
  const { analysis, graph } = load(file, model);
  return buildDiagram(graph, { view, modelAt: modelLocator(analysis), branchAt: branchLocator(analysis, model) });
}

const layerNames = (graph: Graph) => [...graph.inputs.map((i) => i.name), ...graph.layers.map((l) => l.name)];
const node = (d: Diagram, id: string): DiagramNode => d.nodes.find((n) => n.id === id) ?? expect.fail(`no node ${id}`);
/** The attribute list of one node statement in DOT text. */
const dotNode = (dot: string, id: string) => dot.split('\n').find((l) => l.trimStart().startsWith(`"${id}" [`)) ?? expect.fail(`no DOT node ${id}`);

describe('the diagram of every seed example', () => {
  it.each(mainModels)('%s (%s): every layer in the DOT and the SVG, laid out without errors', async (file, model) => {
    const { graph } = load(file, model);
    const diagram = diagramOf(file, model);
    const dot = toDot(diagram);
    const svg = await renderSvg(dot);
    expect(svg.startsWith('<?xml')).toBe(true);
    for (const name of layerNames(graph)) {
      expect(dot).toContain(`"${name}" [`);
      expect(svg).toContain(`<title>${name}</title>`);
    }
    for (const output of graph.outputs) expect(dot).toContain(`"output:${output.name}" [`);
    // A legend and the totals.
    expect(dot).toContain(`${graph.layers.reduce((n, l) => n + l.params.trainable + l.params.nonTrainable, 0).toLocaleString('en-US')} params`);
    expect(dot).toMatch(/FONT[^>]*>merge</);
  });

  it('writes shapes as Keras prints them and counts with separators', () => {
    const dot = toDot(diagramOf('aux_branches.mbn', 'AuxBranches'));
    expect(dotNode(dot, 'cnn_conv2d')).toContain('(None, 30, 30, 32) · relu · 896 params');
    expect(dotNode(dot, 'cnn_aux_dense')).toContain('921,632 params');
    expect(dot).toContain('960,547 params (37,793 at inference)');
  });

  it('groups each sub-model instance in a cluster named after the block', () => {
    const diagram = diagramOf('ensemble.mbn', 'Ensemble');
    expect(diagram.clusters.map((c) => `${c.id}:${c.model}`)).toEqual(['cnn1:SmallCNN', 'cnn2:SmallCNN', 'cnn3:SmallCNN']);
    expect(node(diagram, 'cnn2/features_conv2d').cluster).toBe('cnn2');
    const dot = toDot(diagram);
    expect(dot).toContain('subgraph "cluster_cnn2" {');
    expect(dot).toMatch(/<B>cnn2<\/B><\/FONT><FONT[^>]*> · SmallCNN</);
  });
});

describe('what inference drops', () => {
  it('draws the aux heads of aux_branches dashed and grey, and lists them as pruned', () => {
    const diagram = diagramOf('aux_branches.mbn', 'AuxBranches');
    const prunedIds = diagram.nodes.filter((n) => n.fate === 'pruned').map((n) => n.id);
    expect(prunedIds).toEqual([
      'cnn_aux_dense',
      'cnn_aux_dropout',
      'cnn_aux',
      'lstm_aux_dense',
      'lstm_aux_dropout',
      'lstm_aux',
      'output:cnn_aux',
      'output:lstm_aux',
    ]);
    // Exactly the layers the inference pass removes.
    const { graph } = load('aux_branches.mbn', 'AuxBranches');
    const kept = new Set(inferenceGraph(graph).layers.map((l) => l.name));
    expect(graph.layers.filter((l) => !kept.has(l.name)).map((l) => l.name)).toEqual(prunedIds.filter((id) => !id.startsWith('output:')));

    const dot = toDot(diagram);
    for (const id of prunedIds) {
      expect(dotNode(dot, id)).toMatch(/style="[^"]*dashed[^"]*"/);
      expect(dotNode(dot, id)).toContain('fillcolor="#F4F4F4"');
    }
    expect(dotNode(dot, 'main')).not.toContain('dashed');
    expect(dot).toMatch(/"cnn" -> "cnn_aux_dense" \[style="dashed", color="#B3B3B3"/);
    expect(dot).toContain('training only, pruned');
  });

  it('boxes each aux branch with its output; --branches boxes every branch', () => {
    const diagram = diagramOf('aux_branches.mbn', 'AuxBranches');
    expect(diagram.clusters.map((c) => `${c.id} ${c.kind} ${c.fate}`)).toEqual(['branch:cnn_aux branch pruned', 'branch:lstm_aux branch pruned']);
    expect(diagram.nodes.filter((n) => n.cluster === 'branch:cnn_aux').map((n) => n.id)).toEqual(['cnn_aux_dense', 'cnn_aux_dropout', 'cnn_aux', 'output:cnn_aux']);
    expect(toDot(diagram)).toMatch(/subgraph "cluster_branch:cnn_aux" \{\n\s+graph \[style="rounded,dashed"[^\n]*<B>cnn_aux<\/B><\/FONT><FONT[^>]*> · training only/);

    const { analysis, graph } = load('soft_switch.mbn', 'ConditionalCatDog');
    const all = buildDiagram(graph, { modelAt: modelLocator(analysis), branchAt: branchLocator(analysis, 'ConditionalCatDog'), branches: 'all' });
    expect(all.clusters.map((c) => c.name)).toEqual(['x', 'c2', 'c3', 'first', 'cat_features', 'dog_features', 'second']);
    // The switch is one layer bound to two names: no box of its own.
    expect(node(all, 'cat_dog').cluster).toBeUndefined();
    expect(node(all, 'output:second').cluster).toBe('branch:second');
  });

  it('marks Dropout on a kept path as dropped at inference, but not as pruned', () => {
    const diagram = diagramOf('lstm_cnn_paper.mbn', 'LstmCnn');
    expect(node(diagram, 'merged/hidden_dropout').fate).toBe('bypassed');
    expect(node(diagram, 'merged/hidden_dense').fate).toBe('kept');
    expect(node(diagram, 'cnn_aux/hidden_dense').fate).toBe('pruned');
    expect(diagram.clusters.find((c) => c.id === 'cnn_aux')!.fate).toBe('pruned');
    expect(dotNode(toDot(diagram), 'merged/hidden_dropout')).toMatch(/style="rounded,filled,dashed"/);
  });

  it('the inference drawing lacks the aux heads and the dropouts', async () => {
    const diagram = diagramOf('aux_branches.mbn', 'AuxBranches', 'inference');
    expect(diagram.nodes.map((n) => n.id)).toEqual(['img', 'seq', 'cnn_conv2d', 'cnn', 'lstm', 'main_concat', 'main', 'output:main']);
    expect(diagram.nodes.every((n) => n.fate === 'kept')).toBe(true);
    const svg = await renderSvg(toDot(diagram));
    expect(svg).not.toContain('aux');
    expect(svg).toContain('inference model · 37,793 params');
  });
});

describe('merges and shared layers', () => {
  it('names the use of a shared layer on the edges of each application', () => {
    const text = [
      'model Twins {',
      '  input ids1: [20] int32',
      '  input ids2: [20] int32',
      '  shared embed = Embedding(1000, 8)',
      '  a = ids1 -> embed -> GRU(4)',
      '  b = ids2 -> embed -> LSTM(4)',
      '  output y = concat(a, b) -> Dense(1) loss mse',
      '}',
    ].join('\n');
    const graph = analyzeText(text).models[0]!.graph!;
    const diagram = buildDiagram(graph);
    expect(node(diagram, 'embed')).toMatchObject({ applications: 2, params: 8000 });
    const uses = diagram.edges.filter((e) => e.use !== undefined).map((e) => `${e.from}->${e.to} use ${e.use}`);
    expect(uses).toEqual(['ids1->embed use 1', 'embed->a use 1', 'ids2->embed use 2', 'embed->b use 2']);
    const dot = toDot(diagram);
    expect(dotNode(dot, 'embed')).toContain('8,000 params · shared ×2');
    expect(dotNode(dot, 'embed')).toContain('peripheries="2"');
    expect(toMermaid(diagram)).toContain('n_embed -->|"use 2"| n_b');
  });

  it('draws merges as octagons and labels a gate input', () => {
    const diagram = diagramOf('mixture_of_experts.mbn', 'MixtureOfExperts');
    expect(node(diagram, 'out').kind).toBe('merge');
    const dot = toDot(diagram);
    expect(dotNode(dot, 'out')).toContain('shape="octagon"');
    expect(dot).toContain('"gate" -> "out" [label=" gate"]');
    expect(dotNode(toDot(diagramOf('aux_branches.mbn', 'AuxBranches')), 'main_concat')).toContain('shape="octagon"');
  });

  it('gives each output of a switch its own port', () => {
    const dot = toDot(diagramOf('soft_switch.mbn', 'ConditionalCatDog'));
    expect(dotNode(dot, 'cat_dog')).toMatch(/PORT="o0".*\(None, 17, 17, 12\).*PORT="o1".*\(None, 54, 54, 9\)/);
    expect(dot).toContain('"cat_dog":o0:s -> "cat_features_conv2d"');
    expect(dot).toContain('"cat_dog":o1:s -> "dog_features_conv2d"');
  });

  it('draws a shared sub-model once, with double borders and counted edges', () => {
    const diagram = diagramOf('ensemble.mbn', 'EnsembleShared');
    expect(node(diagram, 'cnn/features_conv2d').applications).toBe(3);
    expect(diagram.clusters).toEqual([expect.objectContaining({ id: 'cnn', model: 'SmallCNN', applications: 3 })]);
    const dot = toDot(diagram);
    expect(dotNode(dot, 'cnn/features')).toContain('peripheries="2"');
    expect(dot).toContain('"cnn/features_conv2d" -> "cnn/features_max_pool2d" [label=" ×3"');
    expect(dot).toContain('shared, applied 3×');
    // Each input names the use of the shared layers it enters.
    expect(dot).toContain('"image2" -> "cnn/features_conv2d" [label=" use 2"];');
    expect(toMermaid(diagram)).toContain('n_cnn_features_conv2d[["<b>features_conv2d</b> Conv2D');
  });
});

/** A diagram whose every piece of text tries to break out of its string. */
function hostileDiagram(): Diagram {
  const evil = 'a"b\\c<d>&e\'f\ng#h|end`i';
  const base = { kind: 'layer' as const, type: `T<${evil}>`, category: 'core' as const, detail: evil, shapes: ['(None, 3)'], params: 1234, trainableParams: 1234, applications: 1, fate: 'kept' as const, origin: { uri: 'x', span: { start: 0, end: 0 } } };
  return {
    model: `M ${evil}`,
    view: 'training',
    nodes: [
      { ...base, id: `in ${evil}`, kind: 'input', name: `in ${evil}`, shortName: `in ${evil}`, cluster: undefined },
      { ...base, id: `grp/${evil}`, name: `grp/${evil}`, shortName: evil, cluster: 'grp', applications: 2 },
      { ...base, id: `output:${evil}`, kind: 'output', name: evil, shortName: evil, category: 'output', cluster: undefined, fate: 'pruned' },
    ],
    edges: [
      { from: `in ${evil}`, fromPort: undefined, to: `grp/${evil}`, count: 2, role: evil, use: undefined, fate: 'kept' },
      { from: `grp/${evil}`, fromPort: undefined, to: `output:${evil}`, count: 1, role: undefined, use: 1, fate: 'pruned' },
    ],
    clusters: [{ id: 'grp', kind: 'model', parent: undefined, name: evil, model: evil, applications: 2, fate: 'kept' }],
    totalParams: 2468,
    inferenceParams: 1234,
  };
}

describe('escaping', () => {
  it('DOT: quotes, backslashes and markup in names and labels stay text', async () => {
    const dot = toDot(hostileDiagram());
    expect(dot).toContain('"in a\\"b\\\\c<d>&e\'f g#h|end`i" [');
    expect(dot).toContain('a&quot;b\\c&lt;d&gt;&amp;e&#39;f g#h|end`i');
    // Raw markup may sit in quoted strings (ids, tooltips), never in an HTML-like label.
    expect(dot.replace(/"(?:[^"\\]|\\.)*"/g, '""')).not.toMatch(/<d>/);
    const svg = await renderSvg(dot);
    // Graphviz reads the labels back as the original text (XML-escaped again in the SVG).
    expect(svg).toContain('a&quot;b\\c&lt;d&gt;&amp;e&#39;f g#h|end`i');
    expect(svg).not.toContain('<d>');
  });

  it('Mermaid: no raw quote, angle bracket or newline inside a label', () => {
    const mmd = toMermaid(hostileDiagram());
    const labels = [...mmd.matchAll(/"([^"\n]*)"/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThan(4);
    for (const label of labels) expect(label.replace(/<\/?b>|<br\/>/g, '')).not.toMatch(/[<>"\n]/);
    expect(mmd).toContain('a#34;b\\c#60;d#62;#38;e\'f g#35;h|end#96;i');
    expect(mmd).toMatch(/^ {2}n_in_a_b_c_d__e_f_g_h_end_i\["/m);
    assertMermaidStructure(mmd);
  });
});

/** Every line is a known statement; subgraphs balance; links join declared nodes. */
function assertMermaidStructure(mmd: string): void {
  const lines = mmd.trimEnd().split('\n');
  expect(lines.slice(0, 4)).toEqual(['---', expect.stringMatching(/^title: ".*"$/), '---', 'flowchart TB']);
  const declared = new Set<string>();
  const linked: string[] = [];
  let depth = 0;
  for (const line of lines.slice(4)) {
    const statement = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\w+)(\["|\("|\{\{"|\(\["|\[\[")(.*)("\]|"\)|"\}\}|"\]\)|"\]\])$/.exec(statement))) {
      declared.add(m[1]!);
      expect(m[3]).not.toContain('"');
    } else if ((m = /^subgraph (\w+)\["[^"]*"\]$/.exec(statement))) {
      declared.add(m[1]!);
      depth++;
    } else if (statement === 'end') {
      depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    } else if ((m = /^(\w+) (-->|-\.->)(\|"[^"]*"\|)? (\w+)$/.exec(statement))) {
      linked.push(m[1]!, m[4]!);
    } else if (!/^(%%.*|direction TB|linkStyle [\d,]+ \S+|classDef \w+ \S.*|class [\w,]+ \w+|style \w+ \S.*)$/.test(statement)) {
      expect.fail(`not a Mermaid statement: ${statement}`);
    }
  }
  expect(depth).toBe(0);
  for (const id of linked) expect(declared).toContain(id);
}

describe('Mermaid', () => {
  it.each(mainModels)('%s (%s): a flowchart with every layer and link', (file, model) => {
    const { graph } = load(file, model);
    const diagram = diagramOf(file, model);
    const mmd = toMermaid(diagram);
    assertMermaidStructure(mmd);
    for (const layer of graph.layers) expect(mmd).toContain(`<b>${layer.name.slice(layer.name.lastIndexOf('/') + 1)}</b>`);
    expect(mmd.match(/ (-->|-\.->)/g)).toHaveLength(diagram.edges.length);
  });

  it('draws pruned links dotted and grey', () => {
    const mmd = toMermaid(diagramOf('aux_branches.mbn', 'AuxBranches'));
    expect(mmd).toContain('n_cnn -.-> n_cnn_aux_dense');
    expect(mmd).toMatch(/linkStyle [\d,]+ stroke:#B3B3B3/);
    expect(mmd).toMatch(/class [\w,]*n_cnn_aux_dense[\w,]* pruned/);
  });
});

describe('determinism', () => {
  it('gives the same bytes twice, from separate analyses', async () => {
    for (const [file, model] of mainModels) {
      const a = toDot(diagramOf(file, model));
      const b = toDot(diagramOf(file, model));
      expect(a).toBe(b);
      expect(toMermaid(diagramOf(file, model))).toBe(toMermaid(diagramOf(file, model)));
      expect(await renderSvg(a)).toBe(await renderSvg(b));
    }
  });
});


describe('mbnc graph', () => {
  it('prints DOT on stdout without -o', async () => {
    const r = await mbnc(['graph', 'examples/aux_branches.mbn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ AuxBranches: training model[^\n]*\ndigraph "AuxBranches" \{/);
    expect(r.stderr).toBe('');
  });

  it('writes SVG, DOT and Mermaid by extension, replacing a file atomically', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-graph-'));
    writeFileSync(path.join(dir, 'model.svg'), 'old');
    for (const name of ['model.svg', 'model.dot', 'model.mmd', 'nested/dir/model.gv']) {
      const r = await mbnc(['graph', 'examples/ensemble.mbn', '--model', 'EnsembleShared', '-o', path.join(dir, name)]);
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(r.stderr).toMatch(new RegExp(`^wrote .*${name.replace(/[./]/g, '\\$&')}: training model \`EnsembleShared\`, 7 layers`));
    }
    expect(readFileSync(path.join(dir, 'model.svg'), 'utf8')).toMatch(/^<\?xml[\s\S]*<\/svg>\n$/);
    expect(readFileSync(path.join(dir, 'model.dot'), 'utf8')).toContain('digraph "EnsembleShared"');
    expect(readFileSync(path.join(dir, 'model.mmd'), 'utf8')).toContain('flowchart TB');
    expect(readFileSync(path.join(dir, 'nested/dir/model.gv'), 'utf8')).toContain('digraph');
    // No temporary file is left behind next to the outputs.
    expect(readdirSync(dir).sort()).toEqual(['model.dot', 'model.mmd', 'model.svg', 'nested']);
  });

  it('--inference and --param change what is drawn', async () => {
    const r = await mbnc(['graph', 'examples/aux_branches.mbn', '--inference', '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('inference model · 37,793 params');
    expect(r.stdout).not.toContain('aux');
    const p = await mbnc(['graph', 'examples/lstm_cnn_paper.mbn', '--param', 'lookBack=40']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('(None, 40, 2)');
  });

  it('reports an error in the spec with its location and exits 1', async () => {
    const r = await mbnc(['graph', 'examples/errors/dense_needs_flatten.mbn', '-o', path.join(tmpdir(), 'never.svg')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[MBN300]');
    expect(r.stderr).toContain(' --> examples/errors/dense_needs_flatten.mbn:6:26');
    expect(r.stderr).toMatch(/cannot draw `NeedsFlatten`: it has 1 error\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors, with one line and no stack trace', async () => {
    const cases: [string[], string][] = [
      [['graph'], 'graph takes exactly one .mbn file'],
      [['graph', 'examples/aux_branches.mbn', '-o', 'model.png'], 'cannot tell the format of "model.png"'],
      [['graph', 'examples/aux_branches.mbn', '--format', 'pdf'], '--format takes svg, dot or mermaid'],
      [['graph', 'examples/ensemble.mbn'], 'declares several models'],
      [['graph', 'examples/aux_branches.mbn', '--param', 'units=3'], '`AuxBranches` has no parameter "units"'],
      [['graph', 'examples/nope.mbn'], 'cannot read examples/nope.mbn'],
      [['graph', 'examples/aux_branches.mbn', '--colour'], "Unknown option '--colour'"],
    ];
    for (const [args, message] of cases) {
      const r = await mbnc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 1 with a message when the output cannot be written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mbn-graph-'));
    mkdirSync(path.join(dir, 'taken.svg'));
    const r = await mbnc(['graph', 'examples/aux_branches.mbn', '-o', path.join(dir, 'taken.svg')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mbnc: cannot write .*taken\.svg: cannot write it: it is a directory\n$/);
    expect(readdirSync(dir)).toEqual(['taken.svg']);
  });
});
