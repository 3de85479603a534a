/** A block's function: `head(scope, params)` makes the block's layers and returns the function that applies them. */
import { Lines } from './lines.js';
import { TemplateEmitter, type EmittedFunction, type EmittedParameter } from './model-function.js';
import { propertyKey, typeKey } from './naming.js';

export class BlockEmitter extends TemplateEmitter {
  /** A block: `function head(scope, params) { const layers = {…}; return (features, training) => {…}; }`. */
  emit(paramsType: string, allOptional: boolean): EmittedFunction {
    const layers = this.layersLines();
    const inputs = this.plan.inputs.map((d) => `${this.declVars.get(d)}: tf.SymbolicTensor`);
    const wiring = new Lines();
    for (const statement of this.plan.statements) {
      if (statement.statement.kind === 'TrainBlock' || statement.statement.kind === 'InputDecl' || statement.constant || statement.shared) continue;
      wiring.append(this.wiring(statement, false));
    }
    const outputs = this.plan.outputs;
    const single = outputs.length === 1;
    const returned = single
      ? this.codeOfValue(outputs[0]!.value)
      : `{ ${outputs.map((o) => `${propertyKey(o.decl.name)}: ${this.codeOfValue(o.value)}`).join(', ')} }`;
    const returnType = single ? 'tf.SymbolicTensor' : `{ ${outputs.map((o) => `${typeKey(o.decl.name)}: tf.SymbolicTensor`).join('; ')} }`;
    wiring.line(`return ${returned};`);
    const body = new Lines();
    body.append(this.constantLines(new Map()));
    body.append(layers);
    // Unused parameters get a leading underscore (for projects that forbid unused parameters).
    const training = this.usesTraining ? this.trainingVar : this.vars.take(`_${this.trainingVar}`);
    body.line(`return (${[...inputs, `${training}: boolean`].join(', ')}): ${returnType} => {`);
    body.indented(() => body.append(wiring));
    body.line('};');
    const parameters: EmittedParameter[] = [{ name: this.usesScope ? this.scopeVar : this.vars.take(`_${this.scopeVar}`), type: 'string' }];
    if (this.hasParams) parameters.push({ name: this.paramsName(), type: paramsType, ...(allOptional ? { initializer: '{}' } : {}) });
    if (this.module.seeds) parameters.push({ name: this.firstIdVar, type: 'number', initializer: '0' });
    return { parameters, body: body.text, returnType: undefined };
  }
}
