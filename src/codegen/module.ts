/**
 * Assembles one TypeScript module per compiled model with ts-morph: the
 * imports, the typed interfaces of its inputs, outputs and parameters, the
 * loss and training settings, a function per sub-model, the build function,
 * and the `compileForTraining` and `predict` helpers.
 *
 * The order of everything is fixed by the spec, so compiling twice gives the
 * same bytes.
 */
import * as path from 'node:path';
import { IndentationText, NewLineKind, Project, QuoteKind, StructureKind, VariableDeclarationKind, type StatementStructures, type WriterFunction } from 'ts-morph';
import { tfjsName } from '../runtime/build.js';
import { mbnLayerClasses } from '../runtime/layers/index.js';
import { shapeOf } from '../semantics/graph.js';
import type { ModelTemplate } from '../semantics/program.js';
import type { Value } from '../semantics/values.js';
import type * as ast from '../syntax/ast.js';
import { apiTypes, blockParamsInterface, describe, symbolNames, tensorType } from './api-types.js';
import { BlockEmitter } from './block-function.js';
import { location, modelComments } from './comments.js';
import { helperFunctions } from './helpers.js';
import type { EmittedFunction } from './model-function.js';
import { ModuleContext } from './module-context.js';
import { commentText, lowerFirst, NameScope, propertyAccess, propertyKey, typeKey, upperFirst } from './naming.js';
import type { ModelPlan, TemplatePlan } from './plan.js';
import { RootEmitter } from './root-function.js';
import { plainValue } from './tfjs-config.js';
import { compileBody, fitSettingsInitializer, lossesEntries, outputMetrics, topKName, trainingDoc } from './training.js';

export interface ModuleOptions {
  /** `--param` values the model was compiled with: they replace the spec's defaults. */
  readonly overrides: ReadonlyMap<string, Value>;
}

/** Sub-models in the order of the spec: imported files first, then by position. */
function specOrder(plans: readonly TemplatePlan[], rootUri: string): TemplatePlan[] {
  return [...plans].sort((a, b) => {
    const fileA = a.template.unit.uri === rootUri ? 1 : 0;
    const fileB = b.template.unit.uri === rootUri ? 1 : 0;
    return fileA - fileB || a.template.unit.uri.localeCompare(b.template.unit.uri) || a.template.decl.span.start - b.template.decl.span.start;
  });
}

export function emitModule(plan: ModelPlan, options: ModuleOptions): string {
  const root = plan.root;
  const template = root.template;
  const modelName = template.name;
  const graph = plan.graph;
  const module = new NameScope();
  // Every module-level name is taken before any function is written, so that no local shadows one.
  for (const fixed of ['tf', 'apply', 'applyAll', 'madeOnFirstUse', 'axisSize', 'compileForTraining', 'predict', topKName]) module.reserve(fixed);
  const runtimeNames = new Map<string, string>();
  for (const className of [...Object.keys(mbnLayerClasses), 'registerMbnLayers']) runtimeNames.set(className, module.reserve(className));
  const tablesName = module.take('tfjsNames');
  const Type = upperFirst(modelName);
  const value = lowerFirst(modelName);
  const names = {
    params: module.take(`${Type}Params`),
    inputs: module.take(`${Type}Inputs`),
    outputs: module.take(`${Type}Outputs`),
    inferenceInputs: module.take(`${Type}InferenceInputs`),
    inferenceOutputs: module.take(`${Type}InferenceOutputs`),
    outputName: module.take(`${Type}OutputName`),
    models: module.take(`${Type}Models`),
    compileOptions: module.take(`${Type}CompileOptions`),
    losses: module.take(`${value}Losses`),
    fitSettings: module.take(`${value}FitSettings`),
    build: module.take(`build${Type}`),
  };
  const blocks = specOrder(plan.blocks, template.unit.uri);
  const functions = new Map<ModelTemplate, string>();
  const blockParamTypes = new Map<ModelTemplate, string>();
  for (const block of blocks) {
    functions.set(block.template, module.take(lowerFirst(block.template.name)));
    if (block.template.decl.params.some((p) => p.name)) blockParamTypes.set(block.template, module.take(`${upperFirst(block.template.name)}Params`));
  }
  const seed = graph.training.seed;
  const seeds = seed === null ? undefined : { seed, names: { initializer: module.take('initializerSeed'), dropout: module.take('dropoutSeed') } };
  const context = new ModuleContext(module, functions, tfjsName, tablesName, runtimeNames, seeds);

  // Functions first: they decide which helpers, tables and runtime classes the module needs.
  const blockFunctions = blocks.map((block) => {
    const allOptional = block.template.decl.params.every((p) => !p.name || p.default);
    const emitted = new BlockEmitter(block, context).emit(blockParamTypes.get(block.template) ?? '', allOptional);
    return { block, emitted };
  });
  const rootOutputs = root.outputs.map((o) => ({ decl: o.decl, statement: o.decl.node as ast.OutputDecl }));
  const hasRootParams = template.decl.params.some((p) => p.name);
  const rootFunction = new RootEmitter(root, context).emit(hasRootParams ? `Partial<${names.params}>` : undefined, names.models, { overrides: options.overrides, modelName, outputs: rootOutputs });
  const symbols = symbolNames([root, ...blocks]);

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single, newLineKind: NewLineKind.LineFeed },
  });
  const file = project.createSourceFile('/module.ts', '', { overwrite: true });
  const statements: (StatementStructures | WriterFunction)[] = [];
  const source = path.basename(template.unit.uri);
  const overridden = [...options.overrides].map(([k, v]) => `${k}=${describe(v)}`).join(', ');
  file.insertText(0, [
    `// Generated by \`mbnc compile\` from ${commentText(source)}, model ${commentText(modelName)}${overridden ? ` (${commentText(overridden)})` : ''}.`,
    '// Edit the spec and compile again: changes made here are lost.',
    '',
  ].join('\n'));
  statements.push({ kind: StructureKind.ImportDeclaration, namespaceImport: 'tf', moduleSpecifier: '@tensorflow/tfjs' });
  const runtime = [...context.runtimeClasses].sort();
  if (runtime.length > 0) {
    statements.push({ kind: StructureKind.ImportDeclaration, namedImports: runtime.map((n) => (runtimeNames.get(n) === n ? n : { name: n, alias: runtimeNames.get(n)! })), moduleSpecifier: 'mbn/runtime' });
  }

  statements.push(...apiTypes(plan, names, context, symbols, options.overrides));
  const inferenceInputs = new Set(plan.inference.inputs.map((i) => i.name));

  // ---- constants
  statements.push(constObject(
    `Each output's loss, loss weight and metrics (weights at the default parameters). The total loss is sum_i weight_i * loss_i.`,
    `export const ${names.losses}`,
    lossesEntries(graph.outputs, graph.training),
  ));
  statements.push({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [trainingDoc(graph.training, graph.training.origin ? location(template, graph.training.origin) : undefined)],
    declarations: [{ name: names.fitSettings, initializer: fitSettingsInitializer(graph.training) }],
  });
  if (context.tables.length > 0) {
    const tables = context.tables.map(({ key, table }) => `${typeKey(key)}: ${plainValue(table).text},`);
    statements.push(constObject('tfjs\'s spelling of the names a parameter can take (the spec uses Keras\'s).', `const ${tablesName}`, tables));
  }

  statements.push(...helperFunctions(context, graph.outputs.some((o) => outputMetrics(o, graph.training).includes(topKName))));

  // ---- sub-models and the build function
  for (const { block, emitted } of blockFunctions) {
    const blockParams = blockParamTypes.get(block.template);
    if (blockParams) statements.push(blockParamsInterface(block, blockParams, context, symbols));
    const comments = modelComments(block.template);
    statements.push(functionStructure(functions.get(block.template)!, emitted, [
      ...comments,
      ...(comments.length > 0 ? [''] : []),
      commentText(`\`${block.template.name}\` (${location(block.template, block.template.decl)}), used ${block.instances === 1 ? 'once' : `${block.instances} times`}: makes its layers, named under \`scope\`, and returns the function that applies them. Call it once per copy; apply the returned function again to share the weights.`),
    ]));
  }
  const rootComments = modelComments(template, true);
  statements.push(functionStructure(names.build, rootFunction, [
    ...rootComments,
    ...(rootComments.length > 0 ? [''] : []),
    commentText(`\`${modelName}\` (${location(template, template.decl)}): the training model and the pruned inference model, which share their layers.`),
  ]));

  // ---- training and prediction
  statements.push({
    kind: StructureKind.Function,
    name: 'compileForTraining',
    isExported: true,
    docs: [commentText(`Compiles the training model as \`mbnc train\` does: the train block's optimizer, and each output's loss scaled by its weight (tfjs's compile() has no lossWeights), so the total loss is sum_i weight_i * loss_i. Pass \`lossWeights: models.lossWeights\` when the weights use parameters you changed.`)],
    parameters: [{ name: 'model', type: 'tf.LayersModel' }, { name: 'options', type: names.compileOptions, initializer: '{}' }],
    returnType: 'void',
    statements: compileBody(graph.outputs, graph.training, { losses: names.losses, fitSettings: names.fitSettings, outputName: names.outputName, compileOptions: names.compileOptions }, module),
  });
  const predictInputs = graph.inputs.filter((i) => inferenceInputs.has(i.name)).map((i) => propertyAccess('inputs', i.name));
  const predictOutputs = plan.inference.outputs.map((o, i) => `${propertyKey(o.name)}: outputs[${i}] as ${tensorType(shapeOf(graph.outputs.find((g) => g.name === o.name)!.tensor))}`);
  statements.push({
    kind: StructureKind.Function,
    name: 'predict',
    isExported: true,
    docs: ['Runs the inference model on named inputs and names its outputs.'],
    parameters: [{ name: 'model', type: 'tf.LayersModel' }, { name: 'inputs', type: names.inferenceInputs }],
    returnType: names.inferenceOutputs,
    statements: [
      `const result = model.predict(${predictInputs.length === 1 ? predictInputs[0] : `[${predictInputs.join(', ')}]`});`,
      'const outputs = Array.isArray(result) ? result : [result];',
      `return { ${predictOutputs.join(', ')} };`,
    ].join('\n'),
  });

  file.addStatements(statements);
  return file.getFullText();
}

/** `/** doc *\/ const name = { entry, … } as const;` laid out one entry per line. */
function constObject(doc: string, head: string, entries: readonly string[]): WriterFunction {
  return (writer) => {
    writer.blankLineIfLastNot();
    writer.writeLine(`/** ${commentText(doc)} */`);
    writer.write(`${head} = {`).newLine();
    writer.indent(() => entries.forEach((e) => writer.writeLine(e)));
    writer.writeLine('} as const;');
    writer.blankLine();
  };
}

function functionStructure(name: string, emitted: EmittedFunction, doc: string[]): StatementStructures {
  return {
    kind: StructureKind.Function,
    name,
    isExported: true,
    docs: [doc.join('\n')],
    parameters: emitted.parameters.map((p) => ({ ...p })),
    statements: emitted.body,
    ...(emitted.returnType ? { returnType: emitted.returnType } : {}),
  };
}

