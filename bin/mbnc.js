#!/usr/bin/env node
// The mbnc command. The TypeScript sources are compiled to dist/ by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mbnc: not built yet; run `npm install` (or `npm run build`) in the mbn folder first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
await main();
