/** Training progress for people: a bar within each epoch (on a terminal) and one line per epoch. */
import type { EpochFigures, EpochReport } from '../runtime/train.js';
import type { Style } from '../diagnostics/render.js';

const fmt = (n: number) => (Math.abs(n) >= 1000 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(3) : n.toFixed(4));

function figures(f: EpochFigures, style: Style): string {
  const parts = [`loss ${style.bold(fmt(f.loss))}`];
  const outputs = Object.entries(f.outputs);
  for (const [name, values] of outputs) {
    const items = Object.entries(values).map(([k, v]) => `${k} ${fmt(v)}`).join(' ');
    parts.push(outputs.length === 1 ? items.replace(/^loss \S+ ?/, '') : `${style.cyan(name)}: ${items}`);
  }
  return parts.filter((p) => p.length > 0).join('  ');
}

export function epochLine(report: EpochReport, epochs: number, style: Style): string {
  const head = `epoch ${String(report.epoch).padStart(String(epochs).length)}/${epochs}`;
  const speed = `${report.seconds.toFixed(1)}s ${Math.round(report.samplesPerSecond)} samples/s`;
  const val = report.validation ? `  | val ${figures(report.validation, style)}` : '';
  return `${style.bold(head)}  ${style.dim(speed)}  ${figures(report, style)}${val}`;
}

export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly stream: { write(s: string): void; isTTY?: boolean }, private readonly epochs: number) {}

  update(epoch: number, batch: number, batches: number, loss: number | undefined): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && batch < batches) return;
    this.last = now;
    const width = 24;
    const done = Math.round((batch / Math.max(1, batches)) * width);
    const bar = `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}]`;
    this.stream.write(`\r\u001b[2Kepoch ${epoch}/${this.epochs} ${bar} ${batch}/${batches}${loss !== undefined ? ` loss ${fmt(loss)}` : ''}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}
