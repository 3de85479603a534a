/**
 * The state of one model instance being elaborated (a "frame"): its scope,
 * the values bound so far, where its layers are named and cached, and how
 * its diagnostics point back at the instantiation site.
 */
import { codeInfo, type DiagnosticCode } from '../diagnostics/codes.js';
import type { DiagnosticOptions, DiagnosticSink } from '../diagnostics/diagnostic.js';
import type { Span } from '../syntax/source.js';
import type { GraphBuilder, LayerInstance } from './graph.js';
import type { ModelTemplate, Program } from './program.js';
import type { LocalDecl, ModelScope } from './resolve.js';
import type { Value } from './values.js';

export type Mode =
  /** A model compiled on its own: inputs become graph inputs. */
  | 'top'
  /** A model checked on its own that needs arguments or input shapes: unknowns stay unknown, nothing is built. */
  | 'abstract'
  /** A model used inside another. */
  | 'instance';

/** Everything shared by all frames of one elaboration. */
export interface Session {
  readonly program: Program;
  readonly sink: DiagnosticSink;
  readonly graph: GraphBuilder;
  readonly scopeOf: (template: ModelTemplate) => ModelScope;
  /** Records the value of every expression and stage, for hovers and inlay hints. */
  readonly trace: (node: object, value: Value) => void;
  /** Set when any error was reported while elaborating. */
  errors: number;
}

export interface Instantiation {
  readonly uri: string;
  readonly span: Span;
  readonly model: string;
}

export interface Frame {
  readonly session: Session;
  readonly template: ModelTemplate;
  readonly scope: ModelScope;
  readonly uri: string;
  readonly mode: Mode;
  readonly env: Map<LocalDecl, Value>;
  /** Prefix of layer names created here: '' at the top, 'branch/' inside an instance. */
  readonly prefix: string;
  /** Templates being instantiated, outermost first (recursion check). */
  readonly stack: readonly ModelTemplate[];
  /** Where this instance was created, for notes on its errors. */
  readonly instantiations: readonly Instantiation[];
  /** Layers of a shared instance, reused on every application. */
  readonly layerCache: Map<unknown, unknown> | undefined;
  readonly cacheKeyPrefix: string;
}

export function report(frame: Frame, code: DiagnosticCode, at: Span, message: string, options: DiagnosticOptions = {}): void {
  if ((options.severity ?? codeInfo(code).severity) === 'error') frame.session.errors++;
  const site = frame.instantiations[frame.instantiations.length - 1];
  if (!site) {
    frame.session.sink.report(code, frame.uri, at, message, options);
    return;
  }
  const chain = frame.instantiations.map((i) => `\`${i.model}\``).join(' in ');
  frame.session.sink.report(code, frame.uri, at, message, {
    ...options,
    notes: [...(options.notes ?? []), `while checking ${chain}`],
    related: [...(options.related ?? []), { uri: site.uri, span: site.span, message: `\`${site.model}\` is used here` }],
  });
}

export function cachedLayer(frame: Frame, key: string): LayerInstance | undefined {
  return frame.layerCache?.get(`${frame.cacheKeyPrefix}|${key}`) as LayerInstance | undefined;
}

export function cacheLayer(frame: Frame, key: string, layer: LayerInstance): void {
  frame.layerCache?.set(`${frame.cacheKeyPrefix}|${key}`, layer);
}

/** Keras-style snake_case layer name for an entry: `MaxPool2D` → `max_pool2d`. */
const snakeNames = new Map<string, string>();

export function snakeName(name: string): string {
  let snake = snakeNames.get(name);
  if (snake === undefined) {
    // Keras style: a digit does not start a new word (`Conv2D` → `conv2d`, not `conv2_d`).
    snake = name.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
    snakeNames.set(name, snake);
  }
  return snake;
}
