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

/** Kernels implemented here, by name; installed on wasm before the generic fallback. */
export const fastWasmKernels: ReadonlyMap<string, tf.KernelFunc> = new Map([['Conv2DBackpropFilter', conv2dBackpropFilter]]);
