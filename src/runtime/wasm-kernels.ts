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

type Shape4 = [number, number, number, number];

/** The attributes both convolution gradients take (besides the shape of what they compute). */
interface ConvGradAttrs {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as tf.KernelBackend;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & { filterShape: Shape4 };
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
 * Conv2DBackpropInput (the gradient reaching a convolution's input), which
 * stock wasm computes with a scalar loop: it is the "full" convolution of
 * dy, with zeros inserted between its rows and columns (stride - 1 of them),
 * by the filter flipped in both spatial axes with its channel axes swapped.
 */
const conv2dBackpropInput: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as tf.KernelBackend;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & { inputShape: Shape4 };
  if (dataFormat !== 'NHWC') throw new Error('mbn wasm Conv2DBackpropInput supports NHWC only');
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, co], strides, 1, pad, dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, batchSize: b, inHeight: h, inWidth: w } = info;
  const view = (x: Info, shape: number[]): Info => ({ dataId: x.dataId, shape, dtype: x.dtype });
  const owned: Info[] = [];
  const keep = (i: Info) => (owned.push(i), i);
  // Zero-insert: [b, oh, 1, ow, 1, co] padded to [b, oh, sh, ow, sw, co], then cut to (oh-1)*sh+1 rows.
  let spread = dy;
  let rows = oh;
  let cols = ow;
  if (sh > 1 || sw > 1) {
    const padded = keep(run('PadV2', backend, { x: view(dy, [b, oh, 1, ow, 1, co]) }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }));
    rows = (oh - 1) * sh + 1;
    cols = (ow - 1) * sw + 1;
    spread = keep(run('Slice', backend, { x: view(padded, [b, oh * sh, ow * sw, co]) }, { begin: [0, 0, 0, 0], size: [b, rows, cols, co] }));
  }
  // Full convolution: kh - 1 - top rows before; enough after that the result has h rows (cut below if too many).
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = Math.max(0, h + kh - 1 - top - rows);
  const right = Math.max(0, w + kw - 1 - left - cols);
  if (top < 0 || left < 0) throw new Error('mbn wasm Conv2DBackpropInput: padding larger than the kernel');
  const framed = keep(run('PadV2', backend, { x: spread }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }));
  const flipped = keep(run('Reverse', backend, { x: filter }, { dims: [0, 1] }));
  const swapped = keep(run('Transpose', backend, { x: flipped }, { perm: [0, 1, 3, 2] })); // [kh, kw, co, ci]
  let dx = run('Conv2D', backend, { x: framed, filter: swapped }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  if (dx.shape[1] !== h || dx.shape[2] !== w) {
    owned.push(dx);
    dx = run('Slice', backend, { x: dx }, { begin: [0, 0, 0, 0], size: [b, h, w, ci] });
  }
  free(backend, ...owned);
  return dx;
};

/**
 * UnsortedSegmentSum (the gradient of a gather, so of every Embedding): the
 * cpu kernel builds one mask per segment (10,000 segments, 10,000 passes);
 * it is one ScatterNd, which adds the updates of repeated indices.
 */
const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as tf.KernelBackend;
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const indices: Info = { dataId: segmentIds.dataId, shape: [n, 1], dtype: segmentIds.dtype };
  const updates: Info = { dataId: x.dataId, shape: [n, ...rest], dtype: x.dtype };
  return run('ScatterNd', backend, { indices, updates }, { shape: [numSegments, ...rest] });
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
 * (wrong or slow), wasm's original; they replace whatever wasm registered.
 */
/**
 * BatchMatMul with a transposed operand: stock wasm runs XNNPACK only when
 * neither operand is transposed, and every Dense/LSTM backward matmul has
 * one (5x slower for a 64x4900 by 64x32 product here). Transposing the
 * operand first (a cheap copy) puts the product back on the fast path.
 */
function batchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const backend = args.backend as tf.KernelBackend;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const swapLast = (x: Info) => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
      return run('Transpose', backend, { x }, { perm });
    };
    const at = transposeA ? swapLast(a) : a;
    const bt = transposeB ? swapLast(b) : b;
    const out = original({ ...args, inputs: { a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as Info;
    if (transposeA) free(backend, at);
    if (transposeB) free(backend, bt);
    return out;
  };
}

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

/**
 * Slice (and so SplitV, Unpack and StridedSlice's simple cases, which call
 * it). Stock wasm first copies the whole input out of the heap
 * (`readSync`) for every slice, so unstacking an LSTM's [20, 256, 30] input
 * into 20 steps copied it 20 times (8 ms of a 40 ms predict); and it copies
 * each innermost run with `subarray` + `set`, which costs more than the copy
 * when runs are short: splitting an LSTM's [256, 128] gates into four
 * [256, 32] took 0.6 ms, 20% of an LSTM step. This reads the heap in place,
 * copies a contiguous slice in one go, runs of 16 or more with `copyWithin`
 * and shorter ones element by element (the four gates: 89 -> 43 us).
 */
function slice(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype === 'string') return original(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo & { shape: number[] }, (args.attrs as { begin: number[] }).begin, (args.attrs as { size: number[] }).size);
    const rank = x.shape.length;
    const inner = size[rank - 1] ?? 0;
    const backend = args.backend as unknown as WasmHeap;
    // The output first: allocating it can grow the wasm memory, which detaches views taken before.
    const out = backend.makeOutput(size, x.dtype);
    const outs = backend.typedArrayFromHeap(out);
    if (outs.length === 0) return out;
    // A view of the heap: readSync would copy the whole input for every slice.
    const xs = backend.typedArrayFromHeap(x);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const from = tf.slice_util.computeFlatOffset(begin, strides);
      outs.set(xs.subarray(from, from + outs.length));
      return out;
    }
    const index = new Array<number>(rank - 1).fill(0); // position among the outer axes
    const runs = outs.length / Math.max(inner, 1);
    // Input and output live in the same wasm memory: runs of 16 or more are moved with copyWithin (a memmove)
    // on one view of it, shorter ones element by element (a call per run costs more than the copy).
    const heap = inner >= 16 ? new (outs.constructor as Float32ArrayConstructor)(outs.buffer) : undefined;
    const xAt = xs.byteOffset / xs.BYTES_PER_ELEMENT;
    const outAt = outs.byteOffset / outs.BYTES_PER_ELEMENT;
    let o = 0;
    for (let r = 0; r < runs; r++) {
      let from = begin[rank - 1]!;
      for (let a = 0; a < rank - 1; a++) from += (begin[a]! + index[a]!) * strides[a]!;
      if (heap) {
        heap.copyWithin(outAt + o, xAt + from, xAt + from + inner);
        o += inner;
      } else for (let j = 0; j < inner; j++) outs[o++] = xs[from + j]!;
      for (let a = rank - 2; a >= 0; a--) {
        if (++index[a]! < size[a]!) break;
        index[a] = 0;
      }
    }
    return out;
  };
}

/**
 * SplitV and Unpack: the stock kernels call wasm's slice module directly, so
 * they would not see the faster Slice above; these call the registered one.
 */
const splitV: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: Info };
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const at = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, at);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[at] = s;
    const piece = run('Slice', backend as tf.KernelBackend, { x }, { begin: [...begin], size });
    begin[at]! += s;
    return piece;
  });
};

const unpack: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { value } = inputs as { value: Info };
  const rank = value.shape.length;
  const at = ((attrs as unknown as { axis: number }).axis + rank) % rank;
  const shape = value.shape.filter((_, i) => i !== at);
  const size = [...value.shape];
  size[at] = 1;
  return Array.from({ length: value.shape[at]! }, (_, i) => {
    const begin = new Array<number>(rank).fill(0);
    begin[at] = i;
    const { dataId, dtype } = run('Slice', backend as tf.KernelBackend, { x: value }, { begin, size });
    return { dataId, dtype, shape };
  });
};

type KernelMaker = (fallback: tf.KernelFunc, original: tf.KernelFunc | undefined) => tf.KernelFunc;

export const fastWasmKernels: ReadonlyMap<string, KernelMaker> = new Map<string, KernelMaker>([
  ['Conv2DBackpropFilter', () => conv2dBackpropFilter],
  ['Conv2DBackpropInput', () => conv2dBackpropInput],
  ['UnsortedSegmentSum', () => unsortedSegmentSum],
  ['MaxPoolGrad', (fallback) => maxPoolGrad(fallback)],
  ['OneHot', (fallback, original) => (original ? oneHot(original) : fallback)],
  ['BatchMatMul', (fallback, original) => (original ? batchMatMul(original) : fallback)],
  ['Slice', (fallback, original) => (original ? slice(original) : fallback)],
  ['SplitV', () => splitV],
  ['Unpack', () => unpack],
]);
