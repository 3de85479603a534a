/**
 * `mbnc compile --emit ts`: a compiled model as a readable TypeScript module
 * that builds its training and inference models with plain tfjs calls.
 *
 *     const { fileName, text } = emitTypeScript(analysis, model);
 */
import type { Analysis, ModelAnalysis } from '../semantics/analyze.js';
import type { Value } from '../semantics/values.js';
import { checkCoverage } from './coverage.js';
import { emitModule } from './module.js';
import { Replay } from './replay.js';

export { CodegenError } from './errors.js';

export interface EmittedModule {
  /** `<ModelName>.ts`. */
  readonly fileName: string;
  readonly text: string;
}

export interface EmitOptions {
  /** `--param` values (by parameter name) the model was analysed with; they become the emitted defaults. */
  readonly params?: ReadonlyMap<string, Value>;
}

/** The module of a model that has a graph (it checks and can be compiled on its own). */
export function emitTypeScript(analysis: Analysis, model: ModelAnalysis, options: EmitOptions = {}): EmittedModule {
  if (!model.graph) throw new Error(`codegen: \`${model.name}\` has no graph`);
  const params = options.params ?? new Map<string, Value>();
  const plan = new Replay(analysis.program, model.graph).run(model.template, params);
  checkCoverage(analysis, plan, params);
  return { fileName: `${model.name}.ts`, text: emitModule(plan, { overrides: params }) };
}
