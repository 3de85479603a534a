/**
 * The small functions an emitted module defines for itself, each only when
 * its code uses it: typed `layer.apply` on symbolic tensors, slices made from
 * their input's shape, the seeds `mbnc train` derives, and a top-k metric
 * tfjs lacks.
 */
import { StructureKind, type StatementStructures } from 'ts-morph';
import type { ModuleContext } from './module-context.js';
import { commentText } from './naming.js';
import { seedHelpers } from './seeds.js';
import { topKBody, topKName } from './training.js';

export function helperFunctions(context: ModuleContext, topK: boolean): StatementStructures[] {
  const statements: StatementStructures[] = [];
  const seeds = context.seeds;
  if (context.helpers.has('apply')) {
    statements.push({
      kind: StructureKind.Function,
      name: 'apply',
      docs: ['`layer.apply` on symbolic tensors: the output of a layer with one output.'],
      parameters: [{ name: 'layer', type: 'tf.layers.Layer' }, { name: 'inputs', type: 'tf.SymbolicTensor | tf.SymbolicTensor[]' }],
      returnType: 'tf.SymbolicTensor',
      statements: 'return layer.apply(inputs) as tf.SymbolicTensor;',
    });
  }
  if (context.helpers.has('madeOnFirstUse')) {
    statements.push({
      kind: StructureKind.Function,
      name: 'madeOnFirstUse',
      docs: ['A layer made from its first input (a slice whose bounds depend on that input\'s shape), then reused.'],
      parameters: [{ name: 'make', type: '(input: tf.SymbolicTensor) => tf.layers.Layer' }],
      returnType: '(input: tf.SymbolicTensor) => tf.layers.Layer',
      statements: ['let layer: tf.layers.Layer | undefined;', 'return (input) => (layer ??= make(input));'].join('\n'),
    });
  }
  if (context.helpers.has('axisSize')) {
    statements.push({
      kind: StructureKind.Function,
      name: 'axisSize',
      docs: ['The size of an axis of a symbolic tensor (axis 0 is the batch axis).'],
      parameters: [{ name: 'input', type: 'tf.SymbolicTensor' }, { name: 'axis', type: 'number' }],
      returnType: 'number',
      statements: `const size = input.shape[axis];\nif (size === null || size === undefined) throw new Error(\`axis \${axis} of \${input.name} has no fixed size to slice\`);\nreturn size;`,
    });
  }
  if (context.helpers.has('applyAll')) {
    statements.push({
      kind: StructureKind.Function,
      name: 'applyAll',
      docs: ['`layer.apply` on symbolic tensors: the outputs of a layer with several.'],
      parameters: [{ name: 'layer', type: 'tf.layers.Layer' }, { name: 'inputs', type: 'tf.SymbolicTensor | tf.SymbolicTensor[]' }],
      returnType: 'tf.SymbolicTensor[]',
      statements: 'return layer.apply(inputs) as tf.SymbolicTensor[];',
    });
  }
  if (seeds) {
    for (const helper of seedHelpers(seeds.seed, seeds.names)) {
      statements.push({ kind: StructureKind.Function, name: helper.name, docs: [commentText(helper.doc)], parameters: helper.parameters, returnType: 'number', statements: helper.body });
    }
  }

  if (topK) {
    statements.push({
      kind: StructureKind.Function,
      name: topKName,
      docs: ['Whether the target class is among the 5 highest predictions (tfjs has no such metric).'],
      parameters: [{ name: 'yTrue', type: 'tf.Tensor' }, { name: 'yPred', type: 'tf.Tensor' }],
      returnType: 'tf.Tensor',
      statements: topKBody,
    });
  }
  return statements;
}
