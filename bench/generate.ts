/**
 * Generates a large, valid .mbn spec for the front-end benchmark: reusable
 * blocks and models with long residual pipelines, merges, sub-model uses and
 * outputs, about `lines` lines in all.
 */
export function generateSpec(lines: number): string {
  const out: string[] = ['# generated for the parse + check benchmark'];
  out.push('model Block(units: int = 32) {', '  input x', '  h = x -> Dense(units, activation: relu) -> Dropout(0.1)', '  output y = h -> Dense(units)', '}', '');
  let model = 0;
  while (out.length < lines) {
    const body: string[] = [
      `model Net${model}(width: int = 64, steps: int = 20) {`,
      '  input features: [width]',
      '  input series: [steps, 8]',
      '  h0 = features -> Dense(width, activation: relu)',
      '  s = series -> LSTM(16, return_sequences: true) -> Conv1D(16, 3, padding: same) -> GlobalAveragePool1D()',
    ];
    for (let k = 1; k <= 90; k++) {
      if (k % 10 === 0) body.push(`  h${k} = add(h${k - 1}, h${k - 2})`);
      else if (k % 10 === 5) body.push(`  h${k} = h${k - 1} -> Block(units: width)`);
      else if (k % 10 === 7) body.push(`  h${k} = concat(h${k - 1}, s) -> Dense(width)   # skip from the sequence branch`);
      else body.push(`  h${k} = h${k - 1} -> Dense(width, activation: relu)`);
    }
    body.push('  output main = h90 -> Dense(1) loss mse weight 1.0', '  output aux_head = h45 -> Dense(1) aux loss mse weight 0.3', '  train {', '    epochs: 5', '  }', '}', '');
    out.push(...body);
    model++;
  }
  return out.join('\n');
}
