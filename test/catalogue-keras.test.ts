/**
 * The catalogue's shape and parameter rules against Keras's numbers, worked
 * out by hand in each case's `why` (see catalogue-cases.ts).
 */
import { describe, expect, it } from 'vitest';
import { layerEntries, layers } from '../src/catalogue/index.js';
import { convOutputLength, deconvOutputLength } from '../src/catalogue/shape.js';
import type { LayerEntry } from '../src/catalogue/types.js';
import { bind, bindCall, invalidCases, label, layerCases, lookup, problemCases, type RawArg } from './catalogue-cases.js';

describe('layer shapes and Keras parameter counts', () => {
  for (const c of layerCases) {
    it(`${label(c)} → ${JSON.stringify(c.output)}, ${c.trainable}+${c.nonTrainable ?? 0} params (${c.why})`, () => {
      const { entry, args } = bindCall(c);
      const result = entry.outputShape(c.input, args);
      if ('problem' in result) throw new Error(`unexpected problem: ${result.problem.message}`);
      expect(result.shape).toEqual(c.output);
      expect(entry.paramCount(c.input, args)).toEqual({ trainable: c.trainable, nonTrainable: c.nonTrainable ?? 0 });
      const verdict = entry.validate?.(args);
      if (c.rejected) expect(verdict?.param).toBe(c.rejected);
      else expect(verdict).toBeUndefined();
    });
  }
});

describe('shape problems', () => {
  for (const c of problemCases) {
    it(`${label(c)} is reported`, () => {
      const { entry, args } = bindCall(c);
      expect(entry.validate?.(args)).toBeUndefined();
      const result = entry.outputShape(c.input, args);
      if (!('problem' in result)) throw new Error(`expected a problem, got ${JSON.stringify(result.shape)}`);
      const { problem } = result;
      expect(problem.message).toMatch(c.message);
      if (c.code) expect(problem.code).toBe(c.code);
      if (c.fixTitle !== undefined) {
        if (typeof c.fixTitle === 'string') expect(problem.fix?.title).toBe(c.fixTitle);
        else expect(problem.fix?.title).toMatch(c.fixTitle);
      }
      if (c.insertBefore !== undefined) expect(problem.fix?.insertBefore).toBe(c.insertBefore);
      // A fix offered as a machine edit must itself fit the input.
      if (problem.fix?.insertBefore?.startsWith('Reshape(')) {
        const target = JSON.parse(problem.fix.insertBefore.slice('Reshape('.length, -1)) as number[];
        const reshaped = lookup('Reshape').outputShape(c.input, bind(lookup('Reshape'), { pos: [target] }));
        if ('problem' in reshaped) throw new Error(`the suggested ${problem.fix.insertBefore} does not fit: ${reshaped.problem.message}`);
        expect(entry.outputShape(reshaped.shape, args)).toHaveProperty('shape');
      }
    });
  }
});

describe('argument checks (validate)', () => {
  for (const c of invalidCases) {
    it(`${label({ ...c, input: [] })} rejects ${c.param}`, () => {
      const { entry, args } = bindCall(c);
      const verdict = entry.validate?.(args);
      expect(verdict?.param).toBe(c.param);
      if (typeof c.message === 'string') expect(verdict?.message).toBe(c.message);
      else expect(verdict?.message).toMatch(c.message);
    });
  }
});

describe('catalogue coverage', () => {
  it('every layer entry has at least one shape case', () => {
    const covered = new Set(layerCases.map((c) => lookup(c.name)));
    const missing = layerEntries.filter((e) => !covered.has(e)).map((e) => e.name);
    expect(missing).toEqual([]);
  });

  it('every alias is used by a case or resolves to its entry', () => {
    for (const entry of layerEntries) {
      for (const alias of entry.aliases ?? []) expect(layers.get(alias)).toBe(entry);
    }
    const expected: Record<string, string[]> = {
      MaxPool1D: ['MaxPooling1D'],
      MaxPool2D: ['MaxPooling2D'],
      AveragePool1D: ['AveragePooling1D', 'AvgPool1D'],
      AveragePool2D: ['AveragePooling2D', 'AvgPool2D'],
      GlobalMaxPool1D: ['GlobalMaxPooling1D'],
      GlobalMaxPool2D: ['GlobalMaxPooling2D'],
      GlobalAveragePool1D: ['GlobalAveragePooling1D'],
      GlobalAveragePool2D: ['GlobalAveragePooling2D'],
    };
    for (const [name, aliases] of Object.entries(expected)) expect(lookup(name).aliases).toEqual(aliases);
  });

  it('every entry and parameter is documented', () => {
    const undocumented: string[] = [];
    for (const entry of layerEntries as readonly LayerEntry[]) {
      if (!entry.doc.trim() || !entry.category) undocumented.push(entry.name);
      for (const p of entry.params) if (!p.doc.trim()) undocumented.push(`${entry.name}.${p.name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('positional order follows Keras', () => {
    const order = (name: string, n: number) => lookup(name).params.slice(0, n).map((p) => p.name);
    expect(order('Conv1D', 5)).toEqual(['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate']);
    expect(order('Conv2D', 5)).toEqual(['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate']);
    expect(order('SeparableConv2D', 6)).toEqual(['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'depth_multiplier']);
    expect(order('DepthwiseConv2D', 5)).toEqual(['kernel_size', 'strides', 'padding', 'depth_multiplier', 'dilation_rate']);
    expect(order('Conv2DTranspose', 6)).toEqual(['filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'dilation_rate']);
    expect(order('MaxPool2D', 3)).toEqual(['pool_size', 'strides', 'padding']);
    expect(order('SimpleRNN', 3)).toEqual(['units', 'activation', 'use_bias']);
    expect(order('LSTM', 4)).toEqual(['units', 'activation', 'recurrent_activation', 'use_bias']);
    expect(order('GRU', 4)).toEqual(['units', 'activation', 'recurrent_activation', 'use_bias']);
    expect(order('Bidirectional', 2)).toEqual(['layer', 'merge_mode']);
    expect(order('TimeDistributed', 1)).toEqual(['layer']);
    expect(order('ZeroPadding2D', 1)).toEqual(['padding']);
    expect(order('UpSampling2D', 2)).toEqual(['size', 'interpolation']);
    expect(order('Cropping2D', 1)).toEqual(['cropping']);
    expect(order('BatchNormalization', 5)).toEqual(['axis', 'momentum', 'epsilon', 'center', 'scale']);
    expect(order('LayerNormalization', 4)).toEqual(['axis', 'epsilon', 'center', 'scale']);
  });

  it('binds Keras defaults, not tfjs ones', () => {
    const lstm = bind(lookup('LSTM'), { pos: [8] });
    expect(lstm).toMatchObject({ activation: 'tanh', recurrent_activation: 'sigmoid', unit_forget_bias: true, kernel_initializer: 'glorot_uniform', recurrent_initializer: 'orthogonal' });
    expect(lookup('LSTM').tfjs(lstm).config).toMatchObject({ recurrentActivation: 'sigmoid', unitForgetBias: true, kernelInitializer: 'glorotUniform' });
    const gru = bind(lookup('GRU'), { pos: [8] });
    expect(gru).toMatchObject({ recurrent_activation: 'sigmoid', reset_after: false });
    expect(lookup('GRU').tfjs(gru).config).not.toHaveProperty('resetAfter');
    expect(lookup('Conv2D').tfjs(bind(lookup('Conv2D'), { pos: [8, 3] })).config).toMatchObject({ activation: 'linear', kernelSize: [3, 3], strides: [1, 1] });
    expect(lookup('MaxPool2D').tfjs(bind(lookup('MaxPool2D'), {})).config).toEqual({ poolSize: [2, 2], padding: 'valid' });
  });

  it('a causal Conv1D becomes the mbn runtime layer CausalConv1D', () => {
    const conv = lookup('Conv1D');
    expect(conv.tfjs(bind(conv, { pos: [4, 3], args: { padding: 'causal' } }))).toMatchObject({ factory: 'CausalConv1D', custom: true, config: { padding: 'causal', kernelSize: [3] } });
    expect(conv.tfjs(bind(conv, { pos: [4, 3] }))).toEqual(expect.objectContaining({ factory: 'conv1d' }));
    expect(conv.tfjs(bind(conv, { pos: [4, 3] })).custom).toBeUndefined();
  });

  it('wrappers carry the inner layer as a descriptor', () => {
    const bi = lookup('Bidirectional');
    const desc = bi.tfjs(bind(bi, { pos: [{ layer: 'LSTM', pos: [32] }] }));
    expect(desc.factory).toBe('bidirectional');
    expect(desc.config['mergeMode']).toBe('concat');
    expect(desc.config['layer']).toMatchObject({ factory: 'lstm', config: { units: 32 } });
  });

  it('keeps unknown dimensions unknown', () => {
    const shapeOf = (name: string, input: (number | null)[], pos: RawArg[] = []) => {
      const entry = lookup(name);
      const r = entry.outputShape(input, bind(entry, { pos }));
      return 'shape' in r ? r.shape : r.problem.message;
    };
    expect(shapeOf('Conv2D', [null, null, 3], [8, 3])).toEqual([null, null, 8]);
    expect(shapeOf('Conv2DTranspose', [null, 4, 3], [8, 3, 2])).toEqual([null, 9, 8]);
    expect(shapeOf('MaxPool1D', [null, 3])).toEqual([null, 3]);
    expect(shapeOf('ZeroPadding2D', [null, 4, 3])).toEqual([null, 6, 3]);
    expect(shapeOf('UpSampling2D', [4, null, 3])).toEqual([8, null, 3]);
    // Keras keeps None here; tfjs 4.22 would say -2 (see catalogue-tfjs.test.ts).
    expect(shapeOf('Cropping2D', [null, 10, 3], [1])).toEqual([null, 8, 3]);
    expect(shapeOf('TimeDistributed', [null, 16], [{ layer: 'Dense', pos: [4] }])).toEqual([null, 4]);
  });

  it('shape helpers match Keras conv_utils', () => {
    expect(convOutputLength(28, 3, 'valid', 1)).toBe(26);
    expect(convOutputLength(28, 3, 'same', 2)).toBe(14);
    expect(convOutputLength(20, 3, 'causal', 1, 2)).toBe(20);
    expect(deconvOutputLength(7, 3, 'valid', 2)).toBe(15);
    expect(deconvOutputLength(7, 1, 'valid', 2)).toBe(14);
    expect(deconvOutputLength(7, 3, 'same', 2)).toBe(14);
  });
});

