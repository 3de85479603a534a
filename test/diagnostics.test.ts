/**
 * Every diagnostic kind, on its example in examples/errors/: code, exact
 * range (1-based line:column, end exclusive) and message. Machine-applicable
 * fixes are applied and must make their diagnostic go away.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes } from '../src/diagnostics/codes.js';
import { analyze, standaloneDiagnostics } from '../src/semantics/analyze.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { fileHost, examplesDir, rangeText } from './helpers.js';

const errorsDir = path.join(examplesDir, 'errors');

type Expected = [code: string, range: string, message: string];

const expected: Record<string, Expected[]> = {
  'argument_range.mbn': [
    ['MBN213', '4:25-4:26', "`units` of Dense must be at least 1, got 0"],
    ['MBN213', '4:39-4:42', "`rate` of Dropout must be in [0, 1), got 1.5"],
  ],
  'argument_twice.mbn': [
    ['MBN215', '4:28-4:36', "`units` is given twice in Dense(…)"],
  ],
  'argument_type.mbn': [
    ['MBN212', '4:25-4:28', "`units` of Dense expects an int, got a float (8.5)"],
    ['MBN212', '4:54-4:59', "`activation` of Dense expects one of `linear`, `relu`, `relu6`, `elu`, `selu`, `sigmoid`, `hard_sigmoid`, `tanh`, `softmax`, `softplus`, `softsign`, `swish`, `mish`, `gelu`, got `rellu`"],
  ],
  'concat_mismatch.mbn': [
    ['MBN301', '5:24-5:25', "concat needs equal dims except axis -1: [None, 10] vs [None, 5, 2]"],
  ],
  'constant_expression.mbn': [
    ['MBN400', '5:3-5:4', "branch `b` reaches no output, so it is not part of the model"],
    ['MBN206', '5:26-5:27', "division by zero"],
    ['MBN206', '6:14-6:19', "arithmetic on tensors is written as a merge: use `add(a, b)`"],
  ],
  'conv_too_small.mbn': [
    ['MBN303', '4:53-4:65', "Conv2D with window 3 on axis 1 of [None, 2, 2, 4] leaves 0 positions"],
  ],
  'dead_branch.mbn': [
    ['MBN400', '9:3-9:7', "branch `cnn3` reaches no output, so it is not part of the model"],
  ],
  'dense_needs_flatten.mbn': [
    ['MBN300', '6:26-6:56', "Dense expects a vector [None, features] or a sequence [None, steps, features], got [None, 30, 30, 32]"],
  ],
  'duplicate.mbn': [
    ['MBN201', '5:3-5:4', "`h` is already defined in `Duplicate`"],
  ],
  'gate_width.mbn': [
    ['MBN302', '9:22-9:26', "gate has width 3 but there are 4 experts"],
  ],
  'import_cycle_a.mbn': [
    ['MBN151', 'import_cycle_b.mbn:2:8-2:28', "import cycle: import_cycle_a.mbn → import_cycle_b.mbn → import_cycle_a.mbn"],
  ],
  'import_cycle_b.mbn': [
    ['MBN151', 'import_cycle_a.mbn:2:8-2:28', "import cycle: import_cycle_b.mbn → import_cycle_a.mbn → import_cycle_b.mbn"],
    ['MBN408', '2:1-2:28', "nothing imported from `import_cycle_a.mbn` is used"],
  ],
  'import_missing.mbn': [
    ['MBN150', '2:8-2:26', "cannot find `blocks/heads.mbn`"],
  ],
  'import_name.mbn': [
    ['MBN152', '2:10-2:18', "`../ensemble.mbn` has no model `SmallCnn`"],
    ['MBN300', '6:19-6:27', "Dense expects a vector [None, features] or a sequence [None, steps, features], got [None, 28, 28, 1]"],
  ],
  'input_without_shape.mbn': [
    ['MBN406', '3:12-3:22', "`Head` cannot be compiled on its own: parameter `units` has no default"],
    ['MBN406', '4:3-4:17', "`Head` cannot be compiled on its own: input `features` has no shape"],
  ],
  'missing_argument.mbn': [
    ['MBN211', '4:19-4:25', "Conv2D needs `filters`: Number of output channels (filters)."],
  ],
  'no_outputs.mbn': [
    ['MBN403', '2:7-2:16', "model `NoOutputs` has no outputs"],
  ],
  'not_callable.mbn': [
    ['MBN203', '5:19-5:20', "`h` is a branch, not a layer"],
  ],
  'only_aux.mbn': [
    ['MBN407', '2:7-2:14', "every output of `OnlyAux` is `aux`, so its inference model is empty"],
  ],
  'output_settings.mbn': [
    ['MBN404', '5:33-5:50', "unknown loss `mean_square_error`"],
    ['MBN404', '5:59-5:68', "unknown metric `acuracy`"],
    ['MBN404', '6:37-6:45', "`loss` is given twice for output `b`"],
    ['MBN404', '7:10-7:11', "output `c` has no loss"],
  ],
  'recursive_model.mbn': [
    ['MBN204', '4:31-4:35', "recursive model instantiation: Pong → Ping → Pong"],
    ['MBN204', '9:19-9:23', "recursive model instantiation: Ping → Pong → Ping"],
  ],
  'reshape_size.mbn': [
    ['MBN304', '4:19-4:34', "cannot reshape [None, 12] (12 values) to [None, 5, 2] (10 values)"],
  ],
  'size_limit.mbn': [
    ['MBN401', '3:9-3:10', "input `x` is never used"],
    ['MBN306', '3:12-3:28', "input `x` has 10,000,000,000 values per sample, over the 2^31 - 1 limit"],
    ['MBN306', '5:19-5:31', "Dense would have 4,295,032,832 parameters, over the 2^31 - 1 limit of a tfjs weight"],
  ],
  'slice_range.mbn': [
    ['MBN305', '5:21-5:22', "index 2 is out of range for size 2 on axis 1 of [None, 2]"],
    ['MBN305', '6:20-6:28', "2 indices for a tensor with 1 non-batch axis (shape [None, 2])"],
  ],
  'submodel_input.mbn': [
    ['MBN307', '9:21-9:26', "`Block` expects input `x` of shape [None, 28, 28, 1], got [None, 32, 32, 3]"],
  ],
  'syntax.mbn': [
    ['MBN102', '5:20-5:20', "expected `)` but found end of line"],
    ['MBN400', '6:3-6:4', "branch `b` reaches no output, so it is not part of the model"],
    ['MBN102', '6:11-6:11', "expected a layer call such as `Dense(10)` after `->` but found end of line"],
    ['MBN400', '7:3-7:4', "branch `c` reaches no output, so it is not part of the model"],
    ['MBN102', '7:12-7:12', "expected `)` but found end of line"],
  ],
  'too_many_arguments.mbn': [
    ['MBN214', '4:75-4:76', "Dense takes at most 7 positional arguments (units, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer), got 8"],
  ],
  'training_settings.mbn': [
    ['MBN405', '6:5-6:14', "unknown training setting `optimiser`"],
    ['MBN405', '7:16-7:21', "unknown optimizer `adamw`"],
    ['MBN213', '8:13-8:14', "`epochs` must be at least 1, got 0"],
    ['MBN213', '9:23-9:26', "`validation_split` must be in [0, 1), got 1.5"],
  ],
  'unclosed_model.mbn': [
    ['MBN300', '4:19-4:31', "Conv2D expects an image [None, height, width, channels], got [None, 4]"],
    ['MBN102', '4:40-4:40', "expected `}` but found end of file"],
  ],
  'undefined_name.mbn': [
    ['MBN400', '4:3-4:11', "branch `features` reaches no output, so it is not part of the model"],
    ['MBN200', '4:14-4:19', "undefined name `imgae`"],
    ['MBN200', '5:23-5:29', "unknown layer, model or operation `Flaten`"],
  ],
  'unexpected_character.mbn': [
    ['MBN100', '4:28-4:29', "unexpected character \"@\""],
  ],
  'unknown_argument.mbn': [
    ['MBN210', '4:30-4:45', "LSTM has no parameter `return_sequence`"],
  ],
  'unterminated.mbn': [
    ['MBN101', '2:8-2:18', "this string is never closed"],
    ['MBN150', '2:8-2:18', "cannot find `heads.mbn`"],
    ['MBN101', '7:1-7:3', "this block comment is never closed"],
  ],
  'unused_input.mbn': [
    ['MBN401', '4:9-4:14', "input `extra` is never used"],
  ],
  'unused_parameter.mbn': [
    ['MBN402', '2:39-2:46', "parameter `dropout` is never used"],
  ],
  'unused_shared.mbn': [
    ['MBN408', '2:1-2:31', "nothing imported from `../weighted_merge.mbn` is used"],
    ['MBN408', '6:10-6:17', "shared layer `encoder` is never applied"],
  ],
  'use_before_definition.mbn': [
    ['MBN202', '4:14-4:15', "`h` is used before its definition on line 5"],
  ],
  'wrong_kind.mbn': [
    ['MBN400', '5:3-5:8', "branch `layer` reaches no output, so it is not part of the model"],
    ['MBN205', '5:11-5:19', "`layer` is a layer that is never applied to a tensor"],
    ['MBN205', '7:3-7:7', "this gives 2 tensors; bind each to a name: `both1, both2 = …`"],
    ['MBN400', '7:3-7:7', "branch `both` reaches no output, so it is not part of the model"],
  ],
};

function actual(file: string): { list: Expected[]; diagnostics: readonly Diagnostic[] } {
  const uri = path.join(errorsDir, file);
  const analysis = analyze(uri, fileHost);
  const diagnostics = [...analysis.diagnostics];
  if (file === 'input_without_shape.mbn') diagnostics.push(...standaloneDiagnostics(analysis.models[0]!));
  const list = diagnostics.map((d): Expected => {
    const lines = analysis.program.units.get(d.uri)!.lines;
    const prefix = d.uri === uri ? '' : `${path.basename(d.uri)}:`;
    return [d.code, prefix + rangeText(lines, d.span), d.message];
  });
  return { list, diagnostics };
}

describe('examples/errors', () => {
  const files = readdirSync(errorsDir).filter((f) => f.endsWith('.mbn')).sort();

  it('has an expectation for every file and a file for every expectation', () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    it(file, () => {
      expect(actual(file).list).toEqual(expected[file]);
    });
  }

  it('covers every diagnostic code', () => {
    const covered = new Set(Object.values(expected).flatMap((list) => list.map(([code]) => code)));
    const missing = Object.keys(diagnosticCodes).filter((code) => !covered.has(code));
    expect(missing).toEqual([]);
  });

  it('names the code it demonstrates in its first line', () => {
    for (const file of files) {
      const first = readFileSync(path.join(errorsDir, file), 'utf8').split('\n')[0]!;
      const code = /^# (MBN\d{3}):/.exec(first)?.[1];
      expect(code, file).toBeDefined();
      expect(expected[file]!.some(([c]) => c === code), `${file} should report ${code}`).toBe(true);
    }
  });

  it('applying a machine-applicable fix removes its diagnostic', () => {
    let applied = 0;
    for (const file of files) {
      const uri = path.join(errorsDir, file);
      const text = readFileSync(uri, 'utf8');
      for (const d of actual(file).diagnostics) {
        if (d.uri !== uri || !d.fix?.edits?.length) continue;
        const edits = [...d.fix.edits].sort((a, b) => b.span.start - a.span.start);
        let fixed = text;
        for (const e of edits) fixed = fixed.slice(0, e.span.start) + e.newText + fixed.slice(e.span.end);
        const after = analyze(uri, fileHost, { text: fixed }).diagnostics;
        expect(after.some((x) => x.code === d.code && x.message === d.message), `${file}: ${d.fix.title}`).toBe(false);
        applied++;
      }
    }
    expect(applied).toBeGreaterThanOrEqual(10);
  });
});
