/** Spatial reshaping of images: ZeroPadding2D, UpSampling2D, Cropping2D (channels last). */
import { intTuple } from './common.js';
import { expectImage, formatShape, padding2d, str, tuple } from './shape.js';
import { noParams, type Args, type ArgValue, type LayerEntry, type ParamSpec } from './types.js';

function sides(name: string, defaultValue: number, doc: string): ParamSpec {
  return { name, type: { kind: 'padding2d' }, default: defaultValue, doc, toTfjs: (v: ArgValue) => padding2d(v) };
}

function nonNegative(param: string, args: Args): { param: string; message: string } | undefined {
  const all = padding2d(args[param]).flat();
  if (all.some((v) => !Number.isInteger(v) || v < 0)) return { param, message: `${param} values must be whole numbers >= 0` };
  return undefined;
}

const zeroPaddingParams: ParamSpec[] = [
  sides('padding', 1, 'Rows and columns of zeros to add: `n` on every side, `[rows, cols]` on both sides of each axis, or `[[top, bottom], [left, right]]`.'),
];

export const ZeroPadding2D: LayerEntry = {
  kind: 'layer',
  name: 'ZeroPadding2D',
  category: 'reshaping',
  doc: 'Adds rows and columns of zeros around an image.\n\nInput `[None, height, width, channels]`, output `[None, height + top + bottom, width + left + right, channels]`.',
  params: zeroPaddingParams,
  validate: (args) => nonNegative('padding', args),
  outputShape(input, args) {
    const issue = expectImage('ZeroPadding2D', input);
    if (issue) return issue;
    const [[t, b], [l, r]] = padding2d(args['padding']);
    const h = input[0]!;
    const w = input[1]!;
    return { shape: [h === null ? null : h + t + b, w === null ? null : w + l + r, input[2]!] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'zeroPadding2d', config: { padding: padding2d(args['padding']) } }),
};

const upSamplingParams: ParamSpec[] = [
  intTuple('size', 2, [2, 2], 'Upsampling factors for height and width; one int for both.'),
  { name: 'interpolation', type: { kind: 'enum', values: ['nearest', 'bilinear'] }, default: 'nearest', doc: '`nearest` repeats pixels; `bilinear` interpolates.' },
];

export const UpSampling2D: LayerEntry = {
  kind: 'layer',
  name: 'UpSampling2D',
  category: 'reshaping',
  doc: 'Enlarges an image by repeating (or interpolating) rows and columns; no weights.\n\nInput `[None, height, width, channels]`, output `[None, height · size_h, width · size_w, channels]`.',
  params: upSamplingParams,
  outputShape(input, args) {
    const issue = expectImage('UpSampling2D', input);
    if (issue) return issue;
    const [sh, sw] = tuple(args['size'], 2) as [number, number];
    const h = input[0]!;
    const w = input[1]!;
    return { shape: [h === null ? null : h * sh, w === null ? null : w * sw, input[2]!] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'upSampling2d', config: { size: tuple(args['size'], 2), interpolation: str(args, 'interpolation') } }),
};

const croppingParams: ParamSpec[] = [
  sides('cropping', 0, 'Rows and columns to remove: `n` from every side, `[rows, cols]` from both sides of each axis, or `[[top, bottom], [left, right]]`.'),
];

export const Cropping2D: LayerEntry = {
  kind: 'layer',
  name: 'Cropping2D',
  category: 'reshaping',
  doc: 'Removes rows and columns from the edges of an image.\n\nInput `[None, height, width, channels]`, output `[None, height - top - bottom, width - left - right, channels]`.',
  params: croppingParams,
  validate: (args) => nonNegative('cropping', args),
  outputShape(input, args) {
    const issue = expectImage('Cropping2D', input);
    if (issue) return issue;
    const crop = padding2d(args['cropping']);
    const out: (number | null)[] = [];
    for (const [i, axis] of (['height', 'width'] as const).entries()) {
      const size = input[i]!;
      const [a, b] = crop[i]!;
      if (size !== null && size - a - b <= 0) {
        return {
          problem: {
            code: 'MBN303',
            message: `Cropping2D removes ${a + b} of the ${size} ${axis === 'height' ? 'rows' : 'columns'} of ${formatShape(input)}, leaving ${size - a - b}`,
            fix: { title: `crop less than ${size} in total along the ${axis}` },
          },
        };
      }
      out.push(size === null ? null : size - a - b);
    }
    return { shape: [...out, input[2]!] };
  },
  paramCount: () => noParams,
  tfjs: (args) => ({ factory: 'cropping2D', config: { cropping: padding2d(args['cropping']) } }),
};

export const reshapingLayers: LayerEntry[] = [ZeroPadding2D, UpSampling2D, Cropping2D];
