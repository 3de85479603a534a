/**
 * Kernels the wasm backend lacks, or gets wrong, run through tfjs's cpu
 * kernels: inputs are copied into a private cpu backend, the cpu kernel runs,
 * results are copied back and the cpu copies freed. Correct for every kernel
 * the cpu backend has; slow for the heavy ones (convolution gradients),
 * which is what faster rewrites on wasm's own kernels are for.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { fastWasmKernels } from './wasm-kernels.js';

interface DataBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * wasm kernels that exist but are wrong in tfjs 4.22: MaxPoolGrad and
 * MaxPoolWithArgmax start the running max at FLT_MIN (windows of values <= 0
 * get no gradient); OneHot ignores its dtype; ResizeNearestNeighborGrad
 * gives every sample after the first a wrong gradient (UpSampling2D).
 */
export const wrongOnWasm: readonly string[] = ['MaxPoolGrad', 'MaxPoolWithArgmax', 'OneHot', 'ResizeNearestNeighborGrad'];

let installed: string[] | undefined;
let cpu: MathBackendCPU | undefined;

function copyInto(from: DataBackend, to: DataBackend, info: tf.TensorInfo): tf.TensorInfo {
  const values = from.readSync(info.dataId);
  return { dataId: to.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
}

function fallback(kernel: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: kernel.kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      if (!cpu) {
        cpu = new MathBackendCPU();
        (cpu as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
      }
      const wasm = backend as unknown as DataBackend;
      const local = cpu as unknown as DataBackend;
      const cpuInputs: Record<string, tf.TensorInfo> = {};
      const created: tf.TensorInfo[] = [];
      for (const [name, info] of Object.entries(inputs)) {
        if (!info) continue;
        const copy = copyInto(wasm, local, info);
        cpuInputs[name] = copy;
        created.push(copy);
      }
      try {
        const result = kernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
        const outputs = Array.isArray(result) ? result : [result];
        const back = outputs.map((o) => copyInto(local, wasm, o));
        for (const o of outputs) local.disposeData(o.dataId, true);
        return Array.isArray(result) ? back : back[0]!;
      } finally {
        for (const info of created) local.disposeData(info.dataId, true);
      }
    },
  };
}

/** Registers cpu-backed kernels for everything wasm lacks or gets wrong; returns their names. Idempotent. */
export function installWasmFallbacks(): readonly string[] {
  if (installed) return installed;
  const onWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  installed = [];
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    const name = kernel.kernelName;
    if (onWasm.has(name) && !wrongOnWasm.includes(name) && !fastWasmKernels.has(name)) continue;
    const original = onWasm.has(name) ? tf.getKernel(name, 'wasm').kernelFunc : undefined;
    if (original) tf.unregisterKernel(name, 'wasm');
    const generic = fallback(kernel);
    const fast = fastWasmKernels.get(name);
    tf.registerKernel(fast ? { kernelName: name, backendName: 'wasm', kernelFunc: fast(generic.kernelFunc, original) } : generic);
    installed.push(name);
  }
  return installed;
}

/** Tensors the fallback's private cpu backend holds right now (0 between kernels: each frees what it made). */
export function fallbackDataCount(): number {
  return cpu ? (cpu as unknown as { numDataIds(): number }).numDataIds() : 0;
}
