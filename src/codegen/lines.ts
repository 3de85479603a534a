/** A small writer of indented lines, for function bodies written as text. */
export class Lines {
  readonly lines: string[] = [];
  private depth = 0;

  line(text: string): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }

  indented(write: () => void): this {
    this.depth++;
    write();
    this.depth--;
    return this;
  }

  append(other: Lines): this {
    for (const line of other.lines) this.lines.push(line === '' ? '' : '  '.repeat(this.depth) + line);
    return this;
  }

  get text(): string {
    return this.lines.join('\n');
  }
}
