/**
 * Models mbn emits load and predict in a real browser (issue 4): headless
 * Chromium loads the saved model.json + weights.bin of several examples with
 * tfjs's browser build and mbn's browser bundle (dist/browser/mbn-layers.js,
 * built here by scripts/build-browser.ts), and predicts what Node predicts for
 * the same fixed input. Both sides run tfjs's cpu backend, so the numbers
 * should agree to float32 rounding.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`);
 * without it the suite fails rather than skips.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowserLayers, tfjsModule } from '../scripts/build-browser.js';
import { buildModels } from '../src/index.js';
import { loadModel, saveModel } from '../src/runtime/artifacts.js';
import { examplesDir, repoRoot } from './helpers.js';
import { mbnc } from './mbnc.js';
import { fixedInputs, layerClasses, maxRelativeDifference, perturbWeights, predictData, type TensorData } from './model-fixtures.js';

const chromiumPath = '/usr/bin/chromium';
const installHint = `headless Chromium is needed at ${chromiumPath}: install Debian's package with \`apt-get install -y chromium\``;

interface PageResult {
  backend: string;
  layers: { name: string; className: string }[];
  outputs: TensorData[];
}

/** What the page's module script defines on `globalThis` once tfjs and mbn's layers are ready. */
interface PageGlobals {
  mbnPredict(url: string, inputs: TensorData[]): Promise<PageResult>;
}

/**
 * The page a user would write (docs/browser.md): an import map points
 * `@tensorflow/tfjs` at tfjs's ES module build, mbn's bundle registers its
 * layers, then `tf.loadLayersModel` fetches model.json and weights.bin.
 */
const pageHtml = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>mbn in the browser</title><link rel="icon" href="data:,"></head>
<body>
<script type="importmap">{ "imports": { "${tfjsModule}": "/tfjs/tf.fesm.min.js" } }</script>
<script type="module">
  import * as tf from '${tfjsModule}';
  import { registerMbnLayers } from '/mbn/mbn-layers.js';

  registerMbnLayers();
  // Node's side predicts on tfjs's cpu backend too: the same kernels, so the numbers can be compared tightly.
  await tf.setBackend('cpu');

  globalThis.mbnPredict = async (url, inputs) => {
    const model = await tf.loadLayersModel(url);
    const xs = inputs.map((x) => tf.tensor(x.values, x.shape));
    const ys = [model.predict(xs)].flat();
    const outputs = [];
    for (const y of ys) outputs.push({ shape: y.shape, values: Array.from(await y.data()) });
    const layers = model.layers.map((layer) => ({ name: layer.name, className: layer.getClassName() }));
    tf.dispose([...xs, ...ys]);
    model.dispose();
    return { backend: tf.getBackend(), layers, outputs };
  };
</script>
</body>
</html>
`;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/**
 * A static server on 127.0.0.1 (random port): `/` is the page, and each
 * prefix maps to a folder. Only files inside those folders are served.
 */
async function serve(folders: Record<string, string>): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': contentTypes['.html']! }).end(pageHtml);
      return;
    }
    for (const [prefix, folder] of Object.entries(folders)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.resolve(folder, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(folder + path.sep) || !existsSync(file) || !statSync(file).isFile()) break;
      response.writeHead(200, { 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
    response.writeHead(404).end(`not found: ${url.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A model with the runtime layers the examples do not use: causal (dilated) Conv1D, subtract, SpatialDropout2D, softmax-weighted sum. */
const remainingLayers = `
model RemainingLayers {
  input seq: [12, 4]
  input img: [8, 8, 3]
  dilated = seq -> Conv1D(5, 3, padding: causal, dilation_rate: 2) -> Flatten()
  plain   = seq -> Conv1D(5, 3, padding: causal, activation: tanh) -> Flatten()
  change  = subtract(dilated, plain)
  picture = img -> SpatialDropout2D(0.2) -> Conv2D(4, 3) -> Flatten() -> Dense(60)
  output out = weighted_sum(change, picture, weights: softmax)   loss mse
}
`;

interface Case {
  readonly model: string;
  readonly file?: string;
  readonly source?: string;
  readonly params?: Record<string, number>;
  /** mbn's own layer classes the loaded inference (and training) model must contain. */
  readonly custom: readonly string[];
  /** Those the training model has besides (layers pruned for inference). */
  readonly trainingOnly?: readonly string[];
}

const cases: readonly Case[] = [
  // Two inputs; the auxiliary heads are pruned from the inference model.
  { file: 'aux_branches.mbn', model: 'AuxBranches', custom: [] },
  { file: 'mixture_of_experts.mbn', model: 'MixtureOfExperts', custom: ['MixtureOfExperts'] },
  // 161 is the smallest size whose five 3x3 conv + 3x3 pool stages leave a non-empty map.
  { file: 'soft_switch.mbn', model: 'ConditionalCatDog', params: { size: 161 }, custom: ['SoftSwitch'] },
  { file: 'soft_switch.mbn', model: 'ConditionalCatDogSliced', params: { size: 161 }, custom: ['Slice'] },
  { file: 'weighted_merge.mbn', model: 'TrainableWeightedSum', custom: ['WeightedSum'] },
  { file: 'weighted_merge.mbn', model: 'WeightedProduct', custom: ['WeightedProduct'] },
  { source: remainingLayers, model: 'RemainingLayers', custom: ['CausalConv1D', 'Subtract', 'WeightedSum'], trainingOnly: ['SpatialDropout2D'] },
];

describe('models mbn emits load and predict in headless Chromium', () => {
  let work: string;
  let bundleImports: string[];
  let server: Server | undefined;
  let origin: string;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mbn-browser-'));
    bundleImports = await buildBrowserLayers(path.join(work, 'mbn', 'mbn-layers.js'));
    mkdirSync(path.join(work, 'models'));
    ({ server, origin } = await serve({
      '/tfjs/': path.join(repoRoot, 'node_modules', '@tensorflow', 'tfjs', 'dist'),
      '/mbn/': path.join(work, 'mbn'),
      '/models/': path.join(work, 'models'),
    }));
    // Without Chromium every browser test fails with installHint (a throw here would only mark them skipped).
    if (!existsSync(chromiumPath)) return;
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
    page.on('response', (response) => { if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`); });
    await page.goto(`${origin}/`);
    try {
      await page.waitForFunction(() => 'mbnPredict' in globalThis, undefined, { timeout: 15_000 });
    } catch {
      throw new Error(`the page did not get ready: ${pageErrors.join('; ') || 'no error reported'}`);
    }
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The ready page, or the reason there is none. */
  function loadedPage(): Page {
    if (!page) throw new Error(installHint);
    return page;
  }

  it('finds Chromium', () => {
    expect(existsSync(chromiumPath), installHint).toBe(true);
  });

  it('the browser bundle leaves only @tensorflow/tfjs to the page (nothing Node-specific)', () => {
    expect(bundleImports).toEqual([tfjsModule]);
  });

  for (const c of cases) {
    it(`${c.file ?? 'inline'} ${c.model}: same layers and predictions as Node`, async () => {
      const browserPage = loadedPage();
      const uri = c.file ? path.join(examplesDir, c.file) : path.join(work, `${c.model}.mbn`);
      const source = c.source ?? readFileSync(uri, 'utf8');
      const { training, inference } = await buildModels(source, { model: c.model, backend: 'cpu', uri, ...(c.params ? { params: c.params } : {}) });
      perturbWeights(training);
      for (const [kind, model] of [['inference', inference], ['training', training]] as const) {
        const dir = path.join(work, 'models', c.model, kind);
        await saveModel(model, dir);
        const inputs = fixedInputs(model);
        const expected = predictData(model, inputs);
        const got = await browserPage.evaluate(([url, xs]) => (globalThis as unknown as PageGlobals).mbnPredict(url, xs), [`${origin}/models/${c.model}/${kind}/model.json`, inputs] as const);

        expect(got.backend).toBe('cpu');
        expect(got.layers, `${kind} layers`).toEqual(layerClasses(model));
        const classes = new Set(got.layers.map((l) => l.className));
        for (const cls of kind === 'training' ? [...c.custom, ...(c.trainingOnly ?? [])] : c.custom) expect(classes.has(cls), `${kind} has a ${cls}`).toBe(true);
        expect(got.outputs.map((o) => o.shape), `${kind} output shapes`).toEqual(expected.map((o) => o.shape));
        expected.forEach((out, i) => {
          // A constant output would agree trivially; these vary across elements.
          expect(new Set(out.values).size, `${kind} output ${i} varies`).toBeGreaterThan(1);
          expect(maxRelativeDifference(got.outputs[i]!, out), `${kind} output ${i}`).toBeLessThanOrEqual(1e-5);
        });
      }
      inference.dispose();
      training.dispose();
      expect(pageErrors).toEqual([]);
    });
  }

  it('the inference model written by mbnc compile --emit model-json --weights: same predictions as Node', async () => {
    const browserPage = loadedPage();
    const out = path.join(work, 'models', 'compiled');
    const { code, stderr } = await mbnc(['compile', path.join(examplesDir, 'mixture_of_experts.mbn'), '--emit', 'model-json', '--weights', '-o', out]);
    expect(code, stderr).toBe(0);
    // Node loads the same files (its initial weights are random, and so compared only through them).
    const model = await loadModel(path.join(out, 'MixtureOfExperts', 'inference'));
    const inputs = fixedInputs(model);
    const expected = predictData(model, inputs);
    const got = await browserPage.evaluate(([url, xs]) => (globalThis as unknown as PageGlobals).mbnPredict(url, xs), [`${origin}/models/compiled/MixtureOfExperts/inference/model.json`, inputs] as const);
    expect(got.layers).toEqual(layerClasses(model));
    expect(got.layers.map((l) => l.className)).toContain('MixtureOfExperts');
    expect(got.outputs.map((o) => o.shape)).toEqual([[inputs[0]!.shape[0], 10]]);
    expect(new Set(expected[0]!.values).size).toBeGreaterThan(1);
    expect(maxRelativeDifference(got.outputs[0]!, expected[0]!)).toBeLessThanOrEqual(1e-5);
    model.dispose();
    expect(pageErrors).toEqual([]);
  });
});
