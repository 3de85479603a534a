/**
 * A check that the emitted code follows the parameters wherever mbn's own
 * models do. The model is elaborated again with each of its parameters
 * changed, and every layer setting that changes must be one the emitted
 * code computes (a parametric value found by the probe, or a slice resolved
 * when applied). Anything else would keep the compiled value whatever the
 * parameters, so it is reported instead of written.
 */
import type { TfjsLayer } from '../catalogue/types.js';
import { analyze, type Analysis } from '../semantics/analyze.js';
import { shapeOf, type Graph, type LayerInstance } from '../semantics/graph.js';
import type { Value } from '../semantics/values.js';
import { CodegenError } from './errors.js';
import { toPlainTree, variantsOf } from './parametric.js';
import type { LayerStep, ModelPlan } from './plan.js';

function descriptorOf(layer: LayerInstance): TfjsLayer {
  const entry = layer.entry;
  return entry.kind === 'layer' ? entry.tfjs(layer.args) : entry.tfjs(layer.args, layer.nodes[0]!.inputs.map(shapeOf));
}

/** Config paths (JSON of the path arrays) where two descriptors differ. */
function differences(a: unknown, b: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], [...path, Array.isArray(a) ? Number(key) : key], out);
    }
    return out;
  }
  out.push(path);
  return out;
}

export function checkCoverage(analysis: Analysis, plan: ModelPlan, params: ReadonlyMap<string, Value>): void {
  const root = plan.root;
  const steps = new Map<string, LayerStep>();
  for (const template of [root, ...plan.blocks]) {
    for (const statement of template.statements) {
      for (const step of statement.steps) {
        if (step.kind === 'layer' && step.creates) steps.set(`${template.template.unit.uri}#${step.layer.origin.span.start}:${step.layer.origin.span.end}`, step);
      }
    }
  }
  const sources = new Map([...analysis.program.units].map(([uri, unit]) => [uri, unit.text]));
  const host = { readFile: (uri: string) => sources.get(uri) };
  const name = root.template.name;
  for (const [decl, value] of root.params) {
    const variant = variantsOf(value, undefined).find((v) => v.kind !== 'symbol' && v.kind !== 'string');
    if (!variant) continue;
    const changed = new Map(params);
    changed.set(decl.name, variant);
    const other = analyze(analysis.uri, host, { params: new Map([[name, changed]]) }).models.find((m) => m.name === name)?.graph;
    if (!other) continue;
    compare(plan.graph, other, steps, decl.name);
  }
}

function compare(base: Graph, other: Graph, steps: ReadonlyMap<string, LayerStep>, param: string): void {
  const others = new Map(other.layers.map((l) => [l.name, l]));
  for (const layer of base.layers) {
    const changed = others.get(layer.name);
    if (!changed) continue;
    const paths = differences(toPlainTree(descriptorOf(layer)), toPlainTree(descriptorOf(changed)));
    if (paths.length === 0) continue;
    const step = steps.get(`${layer.origin.uri}#${layer.origin.span.start}:${layer.origin.span.end}`);
    if (step?.openSlice) continue;
    const covered = (path: (string | number)[]) =>
      step?.config?.parametric.leaves.some((leaf) => leaf.path.length <= path.length && leaf.path.every((p, i) => p === path[i])) ?? false;
    const missed = paths.find((p) => !covered(p));
    if (missed) {
      throw new CodegenError(layer.origin.uri, layer.origin.span, `the emitted code cannot follow parameter \`${param}\` here: it changes this layer's \`${missed.filter((p) => typeof p === 'string' && p !== 'config').join('.')}\` through the shapes it works out`, [
        'mbnc compile writes a layer\'s settings as expressions over the parameters, but this one is worked out from tensor shapes',
        'write the argument from the parameters directly (`Reshape([steps * 2])` rather than `Reshape([x.shape[0] * 2])`)',
      ]);
    }
  }
}
