/**
 * `npm run build` (after tsc): bundles mbn's runtime layers
 * (src/runtime/layers) into one browser ES module, dist/browser/mbn-layers.js,
 * so a web page can register them before `tf.loadLayersModel` (docs/browser.md).
 *
 * `@tensorflow/tfjs` stays an import, resolved by the page (an import map):
 * tfjs keeps its registered layer classes in a module-level map, so the layers
 * must register in the same tfjs instance that loads the model. A bundled
 * second copy of tfjs would hold its own map, which the page never reads.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm run build` writes the bundle. */
export const browserBundlePath = path.join(root, 'dist', 'browser', 'mbn-layers.js');

/** The one module the bundle leaves to the page. */
export const tfjsModule = '@tensorflow/tfjs';

/**
 * Writes the bundle (and its source map) to `outfile` and returns the modules
 * the bundle still imports, which should be `@tensorflow/tfjs` alone.
 * `platform: 'browser'` makes esbuild fail on any `node:` import in the layers.
 */
export async function buildBrowserLayers(outfile = browserBundlePath): Promise<string[]> {
  mkdirSync(path.dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'src', 'runtime', 'layers', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // The sources are ES2022 (class fields); every current browser runs them as they are.
    target: 'es2022',
    external: [tfjsModule],
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  return [...new Set(imports)];
}

// Run as a script (not imported by a test): build into dist/browser.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const imports = await buildBrowserLayers();
  const unexpected = imports.filter((i) => i !== tfjsModule);
  if (unexpected.length > 0) {
    console.error(`dist/browser/mbn-layers.js must import only ${tfjsModule}, but it imports ${unexpected.join(', ')}`);
    process.exit(1);
  }
}
