/**
 * The root model's build function: it makes the layers, wires the training
 * graph and the inference graph over them, and returns both models.
 */
import type { LocalDecl } from '../semantics/resolve.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { referencedLocals } from './expressions.js';
import { Lines } from './lines.js';
import { TemplateEmitter, type EmittedFunction } from './model-function.js';
import { propertyKey, stringLiteral } from './naming.js';
import type { TemplatePlan } from './plan.js';

/**
 * Which statements of the root the inference graph needs: the non-aux
 * outputs and, transitively, what they refer to.
 */
function neededStatements(plan: TemplatePlan): Set<ast.Statement> {
  const needed = new Set<ast.Statement>();
  const pending: ast.Statement[] = plan.template.decl.body.filter((s) => s.kind === 'OutputDecl' && !s.clauses.some((c) => c.clause === 'aux'));
  while (pending.length > 0) {
    const statement = pending.pop()!;
    if (needed.has(statement)) continue;
    needed.add(statement);
    const value = statement.kind === 'TrainBlock' || statement.kind === 'InputDecl' ? undefined : statement.value;
    for (const decl of referencedLocals(value, plan.scope)) if (decl.kind !== 'param') pending.push(decl.node as ast.Statement);
  }
  return needed;
}

/** Options of the root function: parameter values that override the spec's defaults (`--param`). */
export interface RootOptions {
  readonly overrides: ReadonlyMap<string, Value>;
  readonly modelName: string;
  /** Each output's loss weight expression: the `weight` clause, else 1. */
  readonly outputs: readonly { readonly decl: LocalDecl; readonly statement: ast.OutputDecl }[];
}

export class RootEmitter extends TemplateEmitter {
  /** The root: makes the layers, wires the training and the inference graph, and returns both models. */
  emit(paramsType: string | undefined, modelsType: string, options: RootOptions): EmittedFunction {
    const graphVar = this.vars.take('graph');
    const trainingGraphVar = this.vars.take('trainingGraph');
    const inferenceGraphVar = this.vars.take('inferenceGraph');
    const layers = this.layersLines();
    const needed = neededStatements(this.plan);
    const chunks = this.plan.statements.filter((s) => !(s.statement.kind === 'TrainBlock' || s.constant || s.shared));
    const forInference = chunks.filter((c) => needed.has(c.statement));
    const trainingOnly = chunks.filter((c) => !needed.has(c.statement));
    const lastNeeded = Math.max(-1, ...forInference.map((c) => chunks.indexOf(c)));
    const firstTrainingOnly = Math.min(chunks.length, ...trainingOnly.map((c) => chunks.indexOf(c)));
    // Moving training-only statements after the rest keeps every layer's node order unless a shared layer is applied in them.
    const movable = firstTrainingOnly > lastNeeded || trainingOnly.every((c) => c.steps.every((s) => !s.shared));
    const inputs = this.plan.statements.flatMap((s) => (s.input ? [s.input.decl] : []));
    const outputs = this.plan.outputs;
    const isAux = (decl: LocalDecl) => (decl.node as ast.OutputDecl).clauses.some((c) => c.clause === 'aux');
    const list = (decls: readonly LocalDecl[]) => `[${decls.map((d) => this.declVars.get(d)).join(', ')}]`;
    const inferenceInputs = inputs.filter((d) => needed.has(d.node as ast.Statement));
    const inferenceOutputs = outputs.filter((o) => !isAux(o.decl)).map((o) => o.decl);
    const allOutputs = outputs.map((o) => o.decl);
    const wiring = new Lines();
    if (trainingOnly.length === 0) {
      for (const chunk of chunks) wiring.append(this.wiring(chunk, false));
      wiring.line(`return { inputs: ${list(inputs)}, outputs: ${list(allOutputs)} };`);
    } else if (movable) {
      for (const chunk of forInference) wiring.append(this.wiring(chunk, false));
      this.usesTraining = true;
      wiring.line(`if (!${this.trainingVar}) return { inputs: ${list(inferenceInputs)}, outputs: ${list(inferenceOutputs)} };`);
      wiring.line('// Training only: the aux outputs and what only they use.');
      for (const chunk of trainingOnly) wiring.append(this.wiring(chunk, true));
      wiring.line(`return { inputs: ${list(inputs)}, outputs: ${list(allOutputs)} };`);
    } else {
      for (const chunk of chunks) wiring.append(this.wiring(chunk, false));
      this.usesTraining = true;
      wiring.line(`return ${this.trainingVar}`);
      wiring.indented(() => {
        wiring.line(`? { inputs: ${list(inputs)}, outputs: ${list(allOutputs)} }`);
        wiring.line(`: { inputs: ${list(inferenceInputs)}, outputs: ${list(inferenceOutputs)} };`);
      });
    }
    const weights = options.outputs.map(({ decl, statement }) => {
      const clause = statement.clauses.find((c) => c.clause === 'weight');
      return `${propertyKey(decl.name)}: ${clause?.value ? this.atom(clause.value).text : '1'}`;
    });
    const body = new Lines();
    if (this.module.runtimeClasses.size > 0) {
      body.line('// Registered so that models saved from these load back with tf.loadLayersModel.');
      body.line(`${this.module.runtimeClass('registerMbnLayers')}();`);
    }
    body.append(this.constantLines(options.overrides));
    body.append(layers);
    body.line(`/** Applies the layers to new inputs: the training graph, or (training: false) the inference graph. */`);
    body.line(`const ${graphVar} = (${this.usesTraining ? this.trainingVar : this.vars.take(`_${this.trainingVar}`)}: boolean) => {`);
    body.indented(() => body.append(wiring));
    body.line('};');
    body.line(`const ${trainingGraphVar} = ${graphVar}(true);`);
    body.line(`const ${inferenceGraphVar} = ${graphVar}(false);`);
    body.line('return {');
    body.indented(() => {
      body.line(`training: tf.model({ ...${trainingGraphVar}, name: ${stringLiteral(this.module.tfjsName(options.modelName))} }),`);
      body.line(`inference: tf.model({ ...${inferenceGraphVar}, name: ${stringLiteral(this.module.tfjsName(`${options.modelName}_inference`))} }),`);
      body.line(`lossWeights: { ${weights.join(', ')} },`);
    });
    body.line('};');
    return {
      parameters: paramsType && this.hasParams ? [{ name: this.paramsName(), type: paramsType, initializer: '{}' }] : [],
      body: body.text,
      returnType: modelsType,
    };
  }
}
