/** Output clauses (`loss mse weight 0.3 metrics [mae] aux`) and the `train { … }` block. */
import { functionEntries, lossByName, metricByName, trainingSettings, type NamedEntry } from '../catalogue/training.js';
import type { Args } from '../catalogue/types.js';
import type * as ast from '../syntax/ast.js';
import { span, type Span } from '../syntax/source.js';
import { closest } from '../util/suggest.js';
import { convert, isConverted } from './bind.js';
import { report, type Frame } from './context.js';
import { evaluate } from './evaluate.js';
import type { GraphOutput, OptimizerConfig, TrainingConfig } from './graph.js';
import { describeValue, type TensorValue, type Value } from './values.js';

const constant = { base: '', final: false };

function nameOf(value: Value): string | undefined {
  if (value.kind === 'symbol') return value.name;
  if (value.kind === 'string') return value.value;
  return undefined;
}

function lookupNamed(f: Frame, value: Value, at: Span, table: ReadonlyMap<string, NamedEntry>, what: string): string | undefined {
  if (value.kind === 'unknown') return undefined;
  const name = nameOf(value);
  if (name === undefined) {
    report(f, 'MBN404', at, `a ${what} is a name such as \`${[...table.keys()][0]}\`, got ${describeValue(value)}`);
    return undefined;
  }
  const entry = table.get(name);
  if (entry) return entry.name;
  const suggestion = closest(name, table.keys());
  report(f, what === 'loss' ? 'MBN404' : 'MBN404', at, `unknown ${what} \`${name}\``, {
    notes: [`${what === 'loss' ? 'losses' : 'metrics'}: ${[...new Set([...table.values()].map((e) => e.name))].join(', ')}`],
    ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: at, newText: suggestion }] } } : {}),
  });
  return undefined;
}

function metricList(f: Frame, value: Value, at: Span): string[] {
  const items = value.kind === 'list' || value.kind === 'tuple' ? value.items : [value];
  return items.map((item) => lookupNamed(f, item, at, metricByName, 'metric')).filter((m): m is string => m !== undefined);
}

type OutputSettings = Pick<GraphOutput, 'aux' | 'loss' | 'weight' | 'metrics'>;

/** Reads an output's clauses; missing losses are errors only in a model that is meant to be trained. */
export function outputSettings(f: Frame, decl: ast.OutputDecl, tensor: TensorValue | undefined, trained: boolean): OutputSettings | undefined {
  let aux = false;
  let loss: string | undefined;
  let weight = 1;
  let metrics: string[] = [];
  const seen = new Map<string, Span>();
  for (const clause of decl.clauses) {
    const previous = seen.get(clause.clause);
    if (previous) {
      report(f, 'MBN404', clause.span, `\`${clause.clause}\` is given twice for output \`${decl.name?.name}\``, {
        related: [{ uri: f.uri, span: previous, message: 'first given here' }],
      });
      continue;
    }
    seen.set(clause.clause, clause.span);
    if (clause.clause === 'aux') {
      aux = true;
      continue;
    }
    if (!clause.value) continue;
    const value = evaluate(f, clause.value, constant);
    if (clause.clause === 'loss') loss = lookupNamed(f, value, clause.value.span, lossByName, 'loss');
    else if (clause.clause === 'metrics') metrics = metricList(f, value, clause.value.span);
    else if (value.kind === 'number' && value.value >= 0) weight = value.value;
    else if (value.kind !== 'unknown') {
      report(f, 'MBN404', clause.value.span, `a loss weight is a number >= 0, got ${value.kind === 'number' ? value.value : describeValue(value)}`);
    }
  }
  const defaultLoss = trainBlockSetting(f, 'loss');
  if (!loss && !seen.has('loss') && defaultLoss) loss = lookupNamed(f, evaluate(f, defaultLoss.value, constant), defaultLoss.value!.span, lossByName, 'loss');
  if (!loss && !seen.has('loss') && trained && f.mode !== 'instance' && decl.value) {
    const end = decl.value.span.end;
    report(f, 'MBN404', decl.name?.span ?? decl.span, `output \`${decl.name?.name}\` has no loss`, {
      notes: ['every output of a model with a `train` block needs a loss (or give a default with `loss:` in the train block)'],
      fix: { title: 'add `loss mse`', edits: [{ span: span(end, end), newText: ' loss mse' }] },
    });
  }
  if (loss === 'categorical_crossentropy' && tensor?.shape && tensor.shape[tensor.shape.length - 1] === 1) {
    report(f, 'MBN404', decl.name?.span ?? decl.span, `categorical_crossentropy on a 1-wide output is always 0`, {
      severity: 'warning',
      fix: { title: 'use binary_crossentropy (with a sigmoid) for one probability' },
    });
  }
  return { aux, loss, weight, metrics };
}

function trainBlockSetting(f: Frame, name: string): ast.Setting | undefined {
  for (const statement of f.template.decl.body) {
    if (statement.kind !== 'TrainBlock') continue;
    return statement.settings.find((s) => s.key?.name === name && s.value);
  }
  return undefined;
}

const defaults: TrainingConfig = {
  optimizer: { name: 'adam', args: { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } },
  epochs: 10,
  batchSize: 32,
  validationSplit: 0,
  metrics: [],
  shuffle: true,
  seed: null,
  origin: undefined,
};

function defaultArgs(name: string): Args {
  const entry = functionEntries.get(name)!;
  return Object.fromEntries(entry.params.map((p) => [p.name, p.default!]));
}

export function trainingConfig(f: Frame, block: ast.TrainBlock | undefined): TrainingConfig {
  if (!block) return defaults;
  const seen = new Map<string, Span>();
  const config: { -readonly [K in keyof TrainingConfig]: TrainingConfig[K] } = { ...defaults, origin: { uri: f.uri, span: block.span } };
  let learningRate: number | undefined;
  for (const setting of block.settings) {
    if (!setting.key) continue;
    const spec = trainingSettings.find((s) => s.name === setting.key!.name || s.aliases?.includes(setting.key!.name));
    if (!spec) {
      const suggestion = closest(setting.key.name, trainingSettings.flatMap((s) => [s.name, ...(s.aliases ?? [])]));
      report(f, 'MBN405', setting.key.span, `unknown training setting \`${setting.key.name}\``, {
        notes: [`settings: ${trainingSettings.map((s) => s.name).join(', ')}`],
        ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: setting.key.span, newText: suggestion }] } } : {}),
      });
      continue;
    }
    const previous = seen.get(spec.name);
    if (previous) {
      report(f, 'MBN405', setting.key.span, `\`${spec.name}\` is set twice`, { related: [{ uri: f.uri, span: previous, message: 'first set here' }] });
      continue;
    }
    seen.set(spec.name, setting.key.span);
    if (!setting.value) continue;
    const value = evaluate(f, setting.value, constant);
    const at = setting.value.span;
    const ctx = {
      report: (code: Parameters<typeof report>[1], where: Span, message: string, options?: Parameters<typeof report>[4]) => report(f, code, where, message, options),
      scopeNames: () => f.scope.byName.keys(),
      bindNested: () => undefined,
    };
    switch (spec.name) {
      case 'optimizer': {
        const optimizer = optimizerOf(f, value, at);
        if (optimizer) config.optimizer = optimizer;
        break;
      }
      case 'metrics':
        config.metrics = metricList(f, value, at);
        break;
      case 'loss':
        lookupNamed(f, value, at, lossByName, 'loss');
        break;
      default: {
        const converted = convert(spec.type, value, at, `\`${spec.name}\``, ctx);
        if (!isConverted(converted)) break;
        if (spec.name === 'learning_rate') learningRate = converted as number;
        else if (spec.name === 'epochs') config.epochs = converted as number;
        else if (spec.name === 'batch_size') config.batchSize = converted as number;
        else if (spec.name === 'validation_split') config.validationSplit = converted as number;
        else if (spec.name === 'shuffle') config.shuffle = converted as boolean;
        else if (spec.name === 'seed') config.seed = converted as number | null;
      }
    }
  }
  if (learningRate !== undefined) config.optimizer = { ...config.optimizer, args: { ...config.optimizer.args, learning_rate: learningRate } };
  return config;
}

function optimizerOf(f: Frame, value: Value, at: Span): OptimizerConfig | undefined {
  if (value.kind === 'unknown') return undefined;
  if (value.kind === 'optimizer') return { name: value.entry.name, args: value.args };
  const name = nameOf(value);
  const entry = name ? functionEntries.get(name) : undefined;
  if (entry?.kind === 'optimizer') return { name: entry.name, args: defaultArgs(entry.name) };
  const optimizers = [...functionEntries.values()].filter((e) => e.kind === 'optimizer').map((e) => e.name);
  const suggestion = name ? closest(name, optimizers) : undefined;
  report(f, 'MBN405', at, name ? `unknown optimizer \`${name}\`` : `the optimizer is a name or a call such as \`adam(learning_rate: 0.001)\`, got ${describeValue(value)}`, {
    notes: [`optimizers: ${optimizers.join(', ')}`],
    ...(suggestion ? { fix: { title: `did you mean \`${suggestion}\`?`, edits: [{ span: at, newText: suggestion }] } } : {}),
  });
  return undefined;
}
