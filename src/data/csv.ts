/**
 * Numeric CSV files (np.savetxt, pandas' to_csv, spreadsheets) to and from float32 matrices.
 *
 * Reading: with `header: 'auto'` the first row is a header when it has a non-empty cell that
 * is not a number. Quoted fields are handled by csv-parse; a UTF-8 byte-order mark is dropped;
 * empty (and whitespace-only) lines are skipped; cells are trimmed. A cell is a number in
 * decimal or exponent notation, `nan`, `inf`, `-inf` or `infinity` (any case), or
 * `True`/`False` (pandas booleans; 1 and 0). Empty cells are errors (pandas writes NaN as
 * an empty cell). Row numbers in errors are 1-based line numbers in the file, counting the
 * header and skipped lines, so they match what an editor shows.
 *
 * Writing: one line per row, `\n` line endings, numbers in their shortest round-trip form
 * (for float32, the shortest decimal that reads back as the same float32), `nan`, `inf`, `-inf`.
 */
import { parse } from 'csv-parse/sync';
import { DataError, checkArray, type NdArray } from './array.js';

export interface ReadCsvOptions {
  /** Whether the first row holds column names; 'auto' (default): yes if it has a non-numeric cell. */
  readonly header?: 'auto' | boolean;
  /** The field separator (default ','). */
  readonly delimiter?: string;
}

export interface CsvTable {
  /** Column names from the header row, when there is one. */
  readonly columns: string[] | undefined;
  /** float32 [rows, columns]. */
  readonly array: NdArray;
}

interface Row {
  readonly cells: string[];
  /** 1-based line where the record ends. */
  readonly line: number;
}

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The cell's value, or undefined if it is not numeric. */
function parseCell(cell: string): number | undefined {
  const s = cell.trim();
  if (numberPattern.test(s)) return Number(s);
  const lower = s.toLowerCase();
  switch (lower) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'true':
      return 1;
    case 'false':
      return 0;
    default:
      return undefined;
  }
}

/** Reads CSV text into a float32 [rows, columns] array. `file` is only used in error messages. */
export function readCsv(text: string, file: string, options: ReadCsvOptions = {}): CsvTable {
  const delimiter = options.delimiter ?? ',';
  // One line ending throughout, so csv-parse's line counts match an editor's.
  const normalized = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(normalized, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    const where = typeof err.lines === 'number' ? `line ${err.lines}: ` : '';
    const hint =
      err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted field is never closed; check for a stray " character'
        : err.code === 'INVALID_OPENING_QUOTE' || err.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'a " inside a field must be doubled ("") and the whole field quoted'
          : undefined;
    throw new DataError(file, `${where}cannot parse the CSV: ${err.message}`, hint);
  }

  const rows: Row[] = [];
  for (const { record, info } of records) {
    if (record.length === 1 && record[0]!.trim() === '') continue; // whitespace-only line
    rows.push({ cells: record, line: info.lines });
  }
  if (rows.length === 0) {
    throw new DataError(file, 'the file has no rows; expected rows of numbers separated by commas');
  }

  const first = rows[0]!;
  // An empty cell does not make a header (it is a missing value), but pandas' index column
  // gives headers like ",a,b": any non-empty non-numeric cell does.
  const looksLikeHeader = first.cells.some((c) => c.trim() !== '' && parseCell(c) === undefined);
  const hasHeader = options.header === undefined || options.header === 'auto' ? looksLikeHeader : options.header;
  const columns = hasHeader ? first.cells.map((c) => c.trim()) : undefined;
  const dataRows = hasHeader ? rows.slice(1) : rows;
  const width = first.cells.length;

  const values = new Float32Array(dataRows.length * width);
  for (let r = 0; r < dataRows.length; r++) {
    const row = dataRows[r]!;
    if (row.cells.length !== width) {
      const against = hasHeader ? 'the header has' : `row ${first.line} has`;
      throw new DataError(
        file,
        `row ${row.line} has ${row.cells.length} ${row.cells.length === 1 ? 'column' : 'columns'}, expected ${width} (${against} ${width})`,
        row.cells.length > width && row.cells[row.cells.length - 1]!.trim() === ''
          ? 'the row may end with a stray delimiter'
          : undefined,
      );
    }
    for (let c = 0; c < width; c++) {
      const cell = row.cells[c]!;
      const v = parseCell(cell);
      if (v === undefined) throw badCell(file, row, c, cell, columns, delimiter, r === 0 && !hasHeader && options.header === false);
      values[r * width + c] = v;
    }
  }
  return { columns, array: { dtype: 'float32', shape: [dataRows.length, width], data: values } };
}

function badCell(
  file: string,
  row: Row,
  column: number,
  cell: string,
  columns: string[] | undefined,
  delimiter: string,
  firstRowWithoutHeader: boolean,
): DataError {
  const name = columns?.[column] ? ` (${JSON.stringify(columns[column])})` : '';
  const where = `row ${row.line}, column ${column + 1}${name}`;
  const trimmed = cell.trim();
  if (trimmed === '') {
    return new DataError(
      file,
      `${where} is empty; expected a number`,
      'fill in missing values before saving (e.g. df.fillna(0)), or write them as nan',
    );
  }
  let hint: string | undefined;
  const otherSeparator = [';', '\t', '|'].find((s) => s !== delimiter && trimmed.includes(s));
  if (firstRowWithoutHeader) hint = 'the first row looks like a header; read it with header: true';
  else if (otherSeparator !== undefined && row.cells.length === 1) {
    hint = `the file seems to use ${otherSeparator === '\t' ? 'tabs' : `'${otherSeparator}'`} as separator; pass delimiter: ${JSON.stringify(otherSeparator)}`;
  } else if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed) || /^\d+,\d+$/.test(trimmed)) {
    hint = 'numbers must use "." as decimal point and no thousands separators';
  } else if (/^-?\d+(\.\d*)?%$/.test(trimmed)) hint = 'write percentages as plain numbers';
  else hint = 'encode text categories as numbers before saving';
  return new DataError(file, `${where}: expected a number, found ${JSON.stringify(trimmed)}`, hint);
}

/**
 * Writes a 1-D array as one column, a 2-D array as rows, and a higher-rank array [n, a, b, …]
 * as n rows of a*b*… columns. `columns` (if given) becomes the header row.
 */
export function writeCsv(array: NdArray, columns?: readonly string[]): string {
  checkArray(array);
  const shape = array.shape;
  if (shape.length === 0) throw new Error('writeCsv needs an array of rank 1 or more, got a scalar');
  const rows = shape[0]!;
  let width = 1;
  for (let i = 1; i < shape.length; i++) width *= shape[i]!;
  if (columns !== undefined && columns.length !== width) {
    throw new Error(`writeCsv got ${columns.length} column names for ${width} columns`);
  }
  const format = formatter(array);
  const lines: string[] = [];
  if (columns !== undefined) lines.push(columns.map(quoteField).join(','));
  const cells = new Array<string>(width);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) cells[c] = format(r * width + c);
    lines.push(cells.join(','));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function formatter(array: NdArray): (i: number) => string {
  const data = array.data;
  switch (array.dtype) {
    case 'float32': {
      const f = data as Float32Array;
      return (i) => formatFloat32(f[i]!);
    }
    case 'float64': {
      const f = data as Float64Array;
      return (i) => formatFloat64(f[i]!);
    }
    case 'int64': {
      const b = data as BigInt64Array;
      return (i) => b[i]!.toString();
    }
    case 'bool': {
      const b = data as Uint8Array;
      return (i) => (b[i] ? '1' : '0');
    }
    default: {
      const n = data as Int32Array;
      return (i) => String(n[i]!);
    }
  }
}

function formatSpecial(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/** The shortest decimal that parses back to the same float64. */
function formatFloat64(x: number): string {
  return formatSpecial(x) ?? String(x);
}

/** The shortest decimal that parses back (rounded to float32) to the same float32. */
export function formatFloat32(x: number): string {
  const special = formatSpecial(x);
  if (special !== undefined) return special;
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9))); // 9 significant digits always round-trip a float32
}

function quoteField(name: string): string {
  return /[",\n\r]/.test(name) || name !== name.trim() ? `"${name.replace(/"/g, '""')}"` : name;
}
