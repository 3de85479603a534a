/**
 * Identifiers, literals and comments of emitted TypeScript. Everything that
 * comes from a spec (names, strings, file names, comments) goes through here
 * on its way into the code, so none of it can change the code's structure:
 * names become valid identifiers that shadow nothing, strings are escaped,
 * and a comment cannot end early or spill onto the next line.
 */

/** Words that cannot name a variable in a strict-mode ES module, or would confuse TypeScript. */
const reservedWords = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'async',
  'arguments', 'eval', 'as', 'of', 'get', 'set', 'from', 'type', 'declare', 'namespace', 'module', 'keyof',
  'readonly', 'infer', 'is', 'asserts', 'unique', 'satisfies', 'accessor', 'abstract', 'override', 'constructor',
  'any', 'unknown', 'never', 'object', 'number', 'string', 'boolean', 'symbol', 'bigint', 'undefined',
  // Globals the emitted code refers to: a local of the same name would hide them.
  'NaN', 'Infinity', 'globalThis', 'Object', 'Array', 'Error', 'Math', 'Number', 'String', 'Boolean', 'Record',
  'Partial', 'Pick', 'Promise', 'JSON', 'Symbol', 'require', 'exports', 'console', 'process',
]);

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The identifiers taken in one scope of the emitted code. A nested scope
 * (a function inside the module) avoids its parent's names too, so a spec
 * name never shadows a helper or another model's function.
 */
export class NameScope {
  private readonly used = new Set<string>();

  constructor(private readonly parent?: NameScope) {}

  has(name: string): boolean {
    return this.used.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Takes `name` exactly (the code generator's own identifiers); it must be free. */
  reserve(name: string): string {
    if (this.has(name)) throw new Error(`codegen: identifier ${name} taken twice`);
    this.used.add(name);
    return name;
  }

  /** A fresh identifier as close to `wanted` as the rules allow: `class` → `class_`, a second `x` → `x_2`. */
  take(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_$]/g, '_');
    if (!identifierPattern.test(base)) base = `_${base}`;
    if (reservedWords.has(base)) base = `${base}_`;
    let name = base;
    for (let n = 2; this.has(name) || reservedWords.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }
}

/** `SmallCNN` → `smallCNN`: a model's name as a function name. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `lstm_cnn` → `LstmCnn`, `SmallCNN` → `SmallCNN`: a model's name as the start of a type name. */
export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const escapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/** Escapes one character that must not appear raw in a literal. */
function escapeChar(char: string): string {
  return escapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Control characters, line terminators and unpaired surrogates (which would not survive UTF-8). */
const unsafeChars = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A single-quoted TypeScript string literal holding exactly `text`. */
export function stringLiteral(text: string): string {
  return `'${text.replace(unsafeChars, escapeChar).replace(/'/g, "\\'")}'`;
}

/** The inside of a template literal (between the backquotes) holding exactly `text`. */
export function templateText(text: string): string {
  return text.replace(unsafeChars, escapeChar).replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

/**
 * Text safe inside a `//` or `/** … *\/` comment: one line, and no `*\/` to
 * end a block comment early.
 */
export function commentText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\*\//g, '*\\/')
    .trimEnd();
}

/** An object literal key or interface member name for `name`. */
export function propertyKey(name: string): string {
  // `__proto__: x` in an object literal sets the prototype instead of making a property.
  if (name === '__proto__') return `['__proto__']`;
  return identifierPattern.test(name) ? name : stringLiteral(name);
}

/** The same key in a type (interface members, `Pick<…>`): `__proto__` is an ordinary member there when quoted. */
export function typeKey(name: string): string {
  if (name === '__proto__') return stringLiteral(name);
  return identifierPattern.test(name) ? name : stringLiteral(name);
}

/** `object.name`, or `object['name']` where a dot would not do. */
export function propertyAccess(object: string, name: string): string {
  return identifierPattern.test(name) && name !== '__proto__' ? `${object}.${name}` : `${object}[${stringLiteral(name)}]`;
}

/** Keys that every object inherits: reading them from an options object needs an own-property check. */
export function isInheritedKey(name: string): boolean {
  return name in Object.prototype;
}
