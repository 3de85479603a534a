/**
 * The shape of a catalogue entry. The catalogue is the single source of truth
 * about every layer and merge: its parameters (types, defaults, docs), its
 * static shape rule, its parameter count and how it becomes a tfjs layer. The
 * checker, the summary, codegen and the editor features all read it.
 */

/** Non-batch dimensions; `null` is a dimension only known at run time (Keras's `None`). */
export type Shape = readonly (number | null)[];

/** An argument value after binding: defaults filled in and normalised (e.g. `kernel_size: 3` → `[3, 3]`). */
export type ArgValue =
  | number
  | boolean
  | string
  | null
  | readonly ArgValue[]
  | NestedLayer
  | RegularizerValue;

export type Args = Readonly<Record<string, ArgValue>>;

/** A layer given as an argument, e.g. the `LSTM(32)` in `Bidirectional(LSTM(32))`. */
export interface NestedLayer {
  readonly kind: 'layer';
  readonly entry: LayerEntry;
  readonly args: Args;
}

/** `l2(0.001)`, `l1(0.01)` or `l1_l2(l1: 0.01, l2: 0.01)`. */
export interface RegularizerValue {
  readonly kind: 'regularizer';
  readonly l1: number;
  readonly l2: number;
}

export type ParamType =
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'float'; readonly min?: number; readonly max?: number; readonly maxExclusive?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  /** A symbol written as a bare name or a string: `activation: relu` or `activation: "relu"`. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** One int, or a list of `length` ints: `kernel_size: 3` is normalised to `[3, 3]`. */
  | { readonly kind: 'ints'; readonly length: number; readonly min?: number }
  /** A list of ints of any length (a shape; `-1` allowed where `allowMinusOne`). */
  | { readonly kind: 'intList'; readonly min?: number; readonly allowMinusOne?: boolean }
  /** Two-sided padding per spatial axis: `1`, `[1, 2]` or `[[1, 1], [2, 2]]`, normalised to `[[t, b], [l, r]]`. */
  | { readonly kind: 'padding2d' }
  /** A layer: `Bidirectional(LSTM(32))`. */
  | { readonly kind: 'layer' }
  | { readonly kind: 'regularizer' }
  /** A float, or the symbol `trainable` (a weight learned during training). */
  | { readonly kind: 'weight' }
  /** A list of floats. */
  | { readonly kind: 'floatList' }
  /** `T | None`. */
  | { readonly kind: 'optional'; readonly of: ParamType };

export interface ParamSpec {
  /** Keras's snake_case name. */
  readonly name: string;
  readonly type: ParamType;
  /** `undefined` makes the parameter required. */
  readonly default?: ArgValue;
  readonly doc: string;
  /** Other accepted names (e.g. Keras 1 spellings). */
  readonly aliases?: readonly string[];
  /** The tfjs config key (default: camelCase of `name`); `false` when tfjs has no such option. */
  readonly tfjsKey?: string | false;
  /** Converts the bound value to tfjs's form (e.g. `hard_sigmoid` → `hardSigmoid`). */
  readonly toTfjs?: (value: ArgValue) => unknown;
}

/** What went wrong in a shape rule, worded for a Keras user, with a fix to try. */
export interface ShapeProblem {
  readonly message: string;
  readonly notes?: readonly string[];
  /** A suggestion; with `insertBefore` the checker offers a machine edit inserting that stage. */
  readonly fix?: { readonly title: string; readonly insertBefore?: string };
  /** For merges: which input (0-based) the problem is about. */
  readonly input?: number;
  /** Which argument the problem is about (the diagnostic points at it). */
  readonly param?: string;
  /** The diagnostic code; defaults to the family's mismatch code. */
  readonly code?: 'MBN300' | 'MBN301' | 'MBN302' | 'MBN303' | 'MBN304' | 'MBN305';
}

export type ShapeResult = { readonly shape: Shape } | { readonly problem: ShapeProblem };
export type ShapesResult = { readonly shapes: readonly Shape[] } | { readonly problem: ShapeProblem };

export interface ParamCount {
  readonly trainable: number;
  readonly nonTrainable: number;
}

/**
 * How an entry becomes a tfjs layer: the `tf.layers` factory (or, for `custom`
 * entries, the mbn runtime layer class) and its config.
 */
export interface TfjsLayer {
  readonly factory: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** True when the layer is one of mbn's own registered classes rather than a tfjs built-in. */
  readonly custom?: boolean;
  /**
   * Built from several tfjs built-ins rather than one layer (e.g. a fixed
   * weighted sum as Rescaling layers and an Add), which keeps the model
   * loadable by Keras without custom objects. The runtime knows each such factory.
   */
  readonly composite?: boolean;
}

interface EntryBase {
  /** The name users write: `Dense`, `concat`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly category: string;
  /** Markdown, shown on hover and in docs/catalogue.md. */
  readonly doc: string;
  readonly params: readonly ParamSpec[];
  /** Cross-parameter checks that need more than one argument; return a message or undefined. */
  readonly validate?: (args: Args) => { readonly param: string; readonly message: string } | undefined;
  /**
   * Forward FLOPs per sample (a multiply-add counts 2), where the generic
   * estimate in summary/flops.ts is wrong for this entry: `null` dimensions count as 1.
   */
  readonly flops?: (inputs: readonly Shape[], outputs: readonly Shape[], args: Args, params: ParamCount) => number;
}

export interface LayerEntry extends EntryBase {
  readonly kind: 'layer';
  /** The input dtype it needs, when not float32 (Embedding takes integer ids). */
  readonly inputDtype?: 'int32';
  outputShape(input: Shape, args: Args): ShapeResult;
  /** Called only when `outputShape` succeeded. */
  paramCount(input: Shape, args: Args): ParamCount;
  tfjs(args: Args): TfjsLayer;
  /** Identity at inference (Dropout, noise): the inference model drops it. */
  readonly trainingOnly?: boolean;
}

/** Merges and tensor operations: several tensor inputs (and/or several outputs). */
export interface MergeEntry extends EntryBase {
  readonly kind: 'merge';
  readonly minInputs: number;
  readonly maxInputs: number;
  /** Describes the tensor arguments for signature help: `a, b, …`. */
  readonly inputsDoc: string;
  outputShapes(inputs: readonly Shape[], args: Args): ShapesResult;
  paramCount(inputs: readonly Shape[], args: Args): ParamCount;
  tfjs(args: Args, inputs: readonly Shape[]): TfjsLayer;
}

export type CatalogueEntry = LayerEntry | MergeEntry;

export const noParams: ParamCount = Object.freeze({ trainable: 0, nonTrainable: 0 });
