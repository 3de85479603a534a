/**
 * Faster wasm versions of gradient kernels tfjs-backend-wasm 4.22 lacks,
 * composed from kernels wasm has (so they run on XNNPACK), instead of the
 * generic copy-to-cpu fallback.
 *
 * Conv2DBackpropFilter is a convolution in disguise: with the batch and the
 * channel axes swapped, dW[kh, kw, ci, co] = sum_{b,oh,ow} x[b, oh*s + kh,
 * ow*s + kw, ci] * dy[b, oh, ow, co] is a stride-1 convolution of x^T
 * (channels as batch) by dy^T (batch as input channels) with dilation s.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;

interface WasmLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

function run(name: string, backend: tf.KernelBackend, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
  const kernel = tf.getKernel(name, 'wasm');
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function free(backend: tf.KernelBackend, ...infos: Info[]): void {
  for (const info of infos) (backend as unknown as WasmLike).disposeData(info.dataId, true);
}

const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as tf.KernelBackend;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat !== 'NHWC') throw new Error('mbn wasm Conv2DBackpropFilter supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const owned: Info[] = [];
  let xp = x;
  if (top || bottom || left || right) {
    xp = run('PadV2', backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    owned.push(xp);
  }
  const xT = run('Transpose', backend, { x: xp }, { perm: [3, 1, 2, 0] }); // [Ci, Hp, Wp, B]
  const dyT = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, B, Co]
  owned.push(xT, dyT);
  const conv = run('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: 'valid',
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
    dimRoundingMode,
  }); // [Ci, >=kh, >=kw, Co]
  owned.push(conv);
  let window = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    window = run('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    owned.push(window);
  }
  const dW = run('Transpose', backend, { x: window }, { perm: [1, 2, 0, 3] }); // [kh, kw, Ci, Co]
  free(backend, ...owned);
  return dW;
};

/**
 * MaxPoolGrad for non-overlapping windows (stride = pool size, the usual
 * MaxPool2D()), composed from wasm kernels: each window's first maximum
 * (as tfjs's cpu kernel picks it) gets the gradient. Windows are laid out
 * as rows, `ArgMax` finds the winner, `OneHot` places dy there, and the
 * rows are folded back into the image. Other pooling shapes use `fallback`.
 */
function maxPoolGrad(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as tf.KernelBackend;
    const { dy, input } = inputs as { dy: Info; input: Info };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, batchSize: b, inChannels: c } = info;
    const { top, left } = info.padInfo;
    if (kh !== strideHeight || kw !== strideWidth || top !== 0 || left !== 0 || oh * kh > h || ow * kw > w) return fallback(args);
    // Reshapes are views (same data, new shape), made here rather than by the Reshape kernel,
    // so that freeing the intermediates never frees the caller's input or the result.
    const view = (info: Info, shape: number[]): Info => ({ dataId: info.dataId, shape, dtype: info.dtype });
    const owned: Info[] = [];
    const keep = (i: Info) => (owned.push(i), i);
    let x = input;
    if (oh * kh !== h || ow * kw !== w) x = keep(run('Slice', backend, { x }, { begin: [0, 0, 0, 0], size: [b, oh * kh, ow * kw, c] }));
    const rows = keep(run('Transpose', backend, { x: view(x, [b, oh, kh, ow, kw, c]) }, { perm: [0, 1, 3, 5, 2, 4] })); // [b, oh, ow, c, kh, kw]
    const winner = keep(run('ArgMax', backend, { x: view(rows, [b * oh * ow * c, kh * kw]) }, { axis: 1 }));
    const hot = keep(run('OneHot', backend, { indices: winner }, { depth: kh * kw, onValue: 1, offValue: 0, dtype: 'float32' }));
    const spread = keep(run('Multiply', backend, { a: hot, b: view(dy, [b * oh * ow * c, 1]) }, {}));
    const image = run('Transpose', backend, { x: view(spread, [b, oh, ow, c, kh, kw]) }, { perm: [0, 1, 4, 2, 5, 3] }); // [b, oh, kh, ow, kw, c]
    let dx = view(image, [b, oh * kh, ow * kw, c]);
    if (oh * kh !== h || ow * kw !== w) {
      owned.push(image);
      dx = run('PadV2', backend, { x: dx }, { paddings: [[0, 0], [0, h - oh * kh], [0, w - ow * kw], [0, 0]], constantValue: 0 });
    }
    free(backend, ...owned);
    return dx;
  };
}

/**
 * OneHot on wasm writes int32 bits whatever dtype is asked for (a float32
 * one-hot reads as tiny denormals). The fix: ask for int32, then Cast.
 */
function oneHot(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as tf.KernelBackend;
    const dtype = (args.attrs as { dtype?: tf.DataType }).dtype ?? 'int32';
    const ints = original({ ...args, attrs: { ...args.attrs, dtype: 'int32' } }) as Info;
    if (dtype === 'int32') return ints;
    const cast = run('Cast', backend, { x: ints }, { dtype });
    free(backend, ints);
    return cast;
  };
}

/**
 * Kernels implemented here, by name. Each is made from the generic cpu
 * fallback (for the cases it does not cover) and, where wasm has the kernel
 * but gets it wrong, wasm's original; installed before the generic fallback.
 */
type KernelMaker = (fallback: tf.KernelFunc, original: tf.KernelFunc | undefined) => tf.KernelFunc;

export const fastWasmKernels: ReadonlyMap<string, KernelMaker> = new Map<string, KernelMaker>([
  ['Conv2DBackpropFilter', () => conv2dBackpropFilter],
  ['MaxPoolGrad', (fallback) => maxPoolGrad(fallback)],
  ['OneHot', (fallback, original) => (original ? oneHot(original) : fallback)],
]);
