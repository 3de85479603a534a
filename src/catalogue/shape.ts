/** Shape arithmetic shared by the catalogue entries (mirrors Keras's conv_utils). */
import type { Args, ArgValue, ParamCount, Shape, ShapeProblem } from './types.js';

/** `[None, 30, 30, 32]`: the batch dimension first, as Keras prints it. */
export function formatShape(shape: Shape, withBatch = true): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return `[${(withBatch ? ['None', ...dims] : dims).join(', ')}]`;
}

export function convOutputLength(length: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dilated = (kernel - 1) * dilation + 1;
  let out: number;
  if (padding === 'same' || padding === 'causal') out = length;
  else if (padding === 'full') out = length + dilated - 1;
  else out = length - dilated + 1;
  return Math.floor((out + stride - 1) / stride);
}

/** Output length of a transposed convolution (Keras `deconv_output_length`, no output_padding). */
export function deconvOutputLength(length: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  if (padding === 'same') return length * stride;
  return length * stride + Math.max(dilated - stride, 0);
}

export function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}

/** Always a fresh array: tfjs keeps (and may rewrite, e.g. Reshape's -1) arrays it is given, which must not be the bound arguments. */
export function ints(value: ArgValue | undefined): number[] {
  return Array.isArray(value) ? [...(value as number[])] : [value as number];
}

export function int(args: Args, name: string): number {
  return args[name] as number;
}

export function str(args: Args, name: string): string {
  return args[name] as string;
}

export function bool(args: Args, name: string): boolean {
  return args[name] as boolean;
}

export function rankProblem(layer: string, expected: string, input: Shape, fix?: ShapeProblem['fix'], notes?: string[]): { problem: ShapeProblem } {
  return {
    problem: {
      message: `${layer} expects ${expected}, got ${formatShape(input)}`,
      ...(fix ? { fix } : {}),
      ...(notes ? { notes } : {}),
    },
  };
}

export function knownLast(layer: string, input: Shape): { problem: ShapeProblem } | undefined {
  if (input.length === 0) return rankProblem(layer, 'at least one feature axis', input);
  if (input[input.length - 1] === null) {
    return { problem: { message: `${layer} needs a known last dimension, got ${formatShape(input)}`, notes: ['its weights are sized by the last axis'] } };
  }
  return undefined;
}

export function trainable(count: number): ParamCount {
  return { trainable: count, nonTrainable: 0 };
}

/** Output shape of a sliding window over spatial axes; reports the first axis that collapses. */
export function slidingWindow(
  layer: string,
  input: Shape,
  spatial: number,
  window: readonly number[],
  strides: readonly number[],
  padding: string,
  dilation: readonly number[] = window.map(() => 1),
): { shape: number[] | (number | null)[] } | { problem: ShapeProblem } {
  const out: (number | null)[] = [];
  for (let i = 0; i < spatial; i++) {
    const length = convOutputLength(input[i]!, window[i]!, padding, strides[i]!, dilation[i]!);
    if (length !== null && length <= 0) {
      const span = (window[i]! - 1) * dilation[i]! + 1;
      return {
        problem: {
          code: 'MBN303',
          message: `${layer} with window ${span} on axis ${i + 1} of ${formatShape(input)} leaves ${length} positions`,
          fix: { title: `use padding: same, a smaller window, or a larger input` },
        },
      };
    }
    out.push(length);
  }
  return { shape: out };
}

/**
 * An `ints` argument as exactly `length` ints. The binder already normalises
 * `3` to `[3, 3]`; this also accepts the un-normalised forms (a default written
 * Keras-style, a one-element list) so entries never depend on that.
 */
export function tuple(value: ArgValue | undefined, length: number): number[] {
  const list = ints(value);
  return list.length === length ? list : Array.from({ length }, (_, i) => list[Math.min(i, list.length - 1)]!);
}

/** A `padding2d` argument as `[[top, bottom], [left, right]]`, from `n`, `[h, w]` or the full form. */
export function padding2d(value: ArgValue | undefined): [[number, number], [number, number]] {
  if (typeof value === 'number') return [[value, value], [value, value]];
  const [a, b] = value as readonly ArgValue[];
  const side = (v: ArgValue | undefined): [number, number] =>
    (Array.isArray(v) ? [(v as number[])[0]!, (v as number[])[1]!] : [v as number, v as number]);
  return [side(a), side(b)];
}

function perfectSquare(n: number): number | undefined {
  const s = Math.round(Math.sqrt(n));
  return s * s === n ? s : undefined;
}

/**
 * The rank check of the 2D (image) layers: `[None, height, width, channels]`.
 * Suggests the Reshape that makes a vector or a single-channel grid an image.
 */
export function expectImage(layer: string, input: Shape): { problem: ShapeProblem } | undefined {
  if (input.length === 3) return undefined;
  const expected = 'an image [None, height, width, channels]';
  const known = input.every((d) => d !== null);
  if (input.length === 1 && known) {
    const n = input[0] as number;
    const side = perfectSquare(n);
    const rgb = n % 3 === 0 ? perfectSquare(n / 3) : undefined;
    const reshape = side !== undefined ? `Reshape([${side}, ${side}, 1])` : rgb !== undefined ? `Reshape([${rgb}, ${rgb}, 3])` : undefined;
    return rankProblem(layer, expected, input, reshape
      ? { title: `insert ${reshape} before ${layer}`, insertBefore: reshape }
      : { title: `insert Reshape([h, w, c]) before ${layer}, with h * w * c = ${n}` });
  }
  if (input.length === 1) return rankProblem(layer, expected, input, { title: `insert Reshape([h, w, c]) before ${layer}` });
  if (input.length === 2 && known) {
    const reshape = `Reshape([${input[0]}, ${input[1]}, 1])`;
    return rankProblem(layer, expected, input, { title: `insert ${reshape} before ${layer} to add a channels axis`, insertBefore: reshape },
      ['a 2D layer needs a channels axis, even when there is only one channel']);
  }
  if (input.length === 4) {
    return rankProblem(layer, expected, input, { title: `wrap it to apply it to every step: TimeDistributed(${layer}(…))` });
  }
  return rankProblem(layer, expected, input);
}

/**
 * The rank check of the 1D (sequence) layers: `[None, steps, features]`.
 * `recurrent` words the fix for an RNN (RepeatVector turns a vector into steps).
 */
export function expectSequence(layer: string, input: Shape, recurrent = false): { problem: ShapeProblem } | undefined {
  if (input.length === 2) return undefined;
  const expected = 'a sequence [None, steps, features]';
  if (input.length === 1) {
    if (recurrent) return rankProblem(layer, expected, input, { title: 'insert RepeatVector(n) or Reshape([steps, features]) before it' });
    if (input[0] !== null) {
      const reshape = `Reshape([${input[0]}, 1])`;
      return rankProblem(layer, expected, input, { title: `insert ${reshape} before ${layer} (one feature per step)`, insertBefore: reshape });
    }
    return rankProblem(layer, expected, input, { title: `insert Reshape([steps, features]) before ${layer}` });
  }
  if (input.length === 3 && input[1] !== null && input[2] !== null) {
    const reshape = `Reshape([${input[0] === null ? -1 : input[0]}, ${input[1] * input[2]}])`;
    return rankProblem(layer, expected, input, { title: `insert ${reshape} before ${layer} to flatten each step (or TimeDistributed(Flatten()))`, insertBefore: reshape });
  }
  return rankProblem(layer, expected, input);
}
