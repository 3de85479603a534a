/**
 * mbn as a library. The front end (`analyze`) needs no tfjs; `buildModels`
 * checks a spec and returns its training model and its pruned inference
 * model as tfjs LayersModels that share weights.
 *
 *     const { training, inference, report } = await buildModels(source, { model: 'AuxBranches' });
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { analyze, pickModel } from './semantics/analyze.js';
import type { Graph } from './semantics/graph.js';
import type { SourceHost } from './semantics/program.js';
import type { Value } from './semantics/values.js';
import { summarize, type ModelSummary } from './summary/summary.js';

export { analyze, pickModel, ModelChoiceError, standaloneDiagnostics, type Analysis, type ModelAnalysis } from './semantics/analyze.js';
export { inferenceGraph } from './passes/prune.js';
export { summarize, renderSummary, type ModelSummary } from './summary/summary.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';
export type { Graph } from './semantics/graph.js';
/** Registers mbn's tfjs layers, so that `tf.loadLayersModel` can load models that use them. */
export { registerMbnLayers } from './runtime/layers/index.js';

export interface BuildOptions {
  /** Which model of the file; defaults to the file's only model that no other uses. */
  readonly model?: string;
  /** Model parameters (`lookBack: 30`): numbers, booleans, strings or lists of ints. */
  readonly params?: Readonly<Record<string, number | boolean | string | readonly number[]>>;
  /** auto (default), gpu, node, wasm or cpu. */
  readonly backend?: 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';
  /** The file name the source is reported under, and imports are resolved from. */
  readonly uri?: string;
}

export interface BuildReport {
  readonly graph: Graph;
  readonly summary: ModelSummary;
  /** Warnings (errors throw). */
  readonly diagnostics: readonly Diagnostic[];
  /** The backend tfjs runs on. */
  readonly backend: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly inferenceOutputs: readonly string[];
}

/** A spec that does not check; `diagnostics` says why, each with its range. */
export class SpecError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n') || 'the spec cannot be compiled');
  }
}

function toValue(v: number | boolean | string | readonly number[]): Value {
  if (typeof v === 'number') return { kind: 'number', value: v, isInt: Number.isInteger(v) };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string') return { kind: 'symbol', name: v, ident: { kind: 'Identifier', name: v, span: { start: 0, end: 0 } } };
  return { kind: 'list', items: v.map((n) => ({ kind: 'number', value: n, isInt: true })) };
}

export async function buildModels(source: string, options: BuildOptions = {}) {
  const uri = path.resolve(options.uri ?? 'model.mbn');
  const host: SourceHost = {
    readFile: (u) => {
      if (u === uri) return source;
      try {
        return readFileSync(u, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
  const first = analyze(uri, host);
  const chosen = pickModel(first, options.model);
  const params = options.params ? new Map(Object.entries(options.params).map(([k, v]) => [k, toValue(v)])) : undefined;
  const analysis = params ? analyze(uri, host, { params: new Map([[chosen.name, params]]) }) : first;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const model = analysis.models.find((m) => m.name === chosen.name)!;
  if (errors.length > 0 || !model.graph) throw new SpecError(errors);
  const graph = model.graph;
  const { selectBackend } = await import('./runtime/backend.js');
  const { buildModels: build } = await import('./runtime/build.js');
  const backend = await selectBackend(options.backend ?? 'auto');
  const built = build(graph);
  const report: BuildReport = {
    graph,
    summary: summarize(graph),
    diagnostics: analysis.diagnostics,
    backend: backend.kind,
    inputs: built.trainingInputs,
    outputs: built.trainingOutputs,
    inferenceOutputs: built.inferenceOutputs,
  };
  return { training: built.training, inference: built.inference, report };
}
