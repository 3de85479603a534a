/**
 * `npm run docs` (second step): writes the editor grammars from the compiler's
 * own lists, so that highlighting never lags behind the language:
 *
 * - grammar/mbn.tmLanguage.json, the TextMate grammar (VS Code, GitHub-style
 *   highlighters, Shiki), scope `source.mbn`;
 * - lsp/neovim/syntax/mbn.vim, a plain Vim syntax file for (Neo)Vim without
 *   tree-sitter.
 *
 * Keywords come from src/syntax/tokens.ts, layer and merge names (with their
 * aliases) from src/catalogue/, losses, metrics, optimizers and regularizers
 * from src/catalogue/training.ts. test/tmgrammar.test.ts fails when the
 * committed files differ from what this script renders.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layerEntries, mergeEntries, type CatalogueEntry } from '../src/catalogue/index.js';
import { losses, metrics, optimizers, regularizers, type NamedEntry } from '../src/catalogue/training.js';
import { functionalLayers } from '../src/semantics/resolve.js';
import { keywords } from '../src/syntax/tokens.js';
import { writeFileAtomic } from '../src/data/io.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const tmGrammarFile = path.join(root, 'grammar', 'mbn.tmLanguage.json');
export const vimSyntaxFile = path.join(root, 'lsp', 'neovim', 'syntax', 'mbn.vim');

/**
 * What each keyword of tokens.ts is, for its scope. A keyword added to the
 * language without a line here stops `npm run docs` (and the test), rather
 * than being left uncoloured.
 */
const keywordRoles: Record<string, 'declaration' | 'import' | 'clause' | 'boolean' | 'none'> = {
  model: 'declaration',
  input: 'declaration',
  output: 'declaration',
  shared: 'declaration',
  train: 'declaration',
  import: 'import',
  from: 'import',
  aux: 'clause',
  loss: 'clause',
  weight: 'clause',
  metrics: 'clause',
  true: 'boolean',
  True: 'boolean',
  false: 'boolean',
  False: 'boolean',
  None: 'none',
};

/**
 * Parameter types (`units: int`) and input dtypes (`input ids: [20] int32`).
 * The checker keeps these in private tables (src/semantics/instantiate.ts);
 * test/tmgrammar.test.ts checks that it accepts each of them.
 */
export const parameterTypes = ['int', 'float', 'bool', 'string', 'shape', 'symbol'];
export const dtypes = ['float32', 'int32'];

function namesOf(entries: readonly (CatalogueEntry | NamedEntry)[]): string[] {
  return entries.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
}

/** Every list the grammars colour, sorted so that the output is stable. */
export function grammarWords() {
  const unclassified = [...keywords].filter((k) => !(k in keywordRoles));
  if (unclassified.length > 0) throw new Error(`gen-tmgrammar: give a role to the new keyword(s) ${unclassified.join(', ')} in keywordRoles`);
  const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
  const byRole = (role: string) => sorted([...keywords].filter((k) => keywordRoles[k] === role));
  return {
    declarations: byRole('declaration'),
    imports: byRole('import'),
    clauses: byRole('clause'),
    booleans: byRole('boolean'),
    none: byRole('none'),
    // Functional forms (`flatten(x)`) are layers too, written in lower case.
    layers: sorted(namesOf(layerEntries)),
    functionalLayers: sorted(functionalLayers.keys()),
    merges: sorted(namesOf(mergeEntries)),
    losses: sorted(namesOf(losses)),
    metrics: sorted(namesOf(metrics)),
    optimizers: sorted(optimizers.map((o) => o.name)),
    regularizers: sorted(regularizers.map((r) => r.name)),
    parameterTypes: [...parameterTypes],
    dtypes: [...dtypes],
  };
}

// ------------------------------------------------------------ TextMate grammar

/** A TextMate rule, as vscode-textmate reads it. */
interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
  include?: string;
}
type Captures = Record<string, { name?: string; patterns?: Rule[] }>;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
/** A whole word from a list. */
const word = (names: readonly string[]) => String.raw`\b(?:${names.join('|')})\b`;
/** A keyword used as an argument or setting name (`weight: 0.3`) is a name, not a keyword. */
const notKey = String.raw`(?!\s*:)`;
/** Where a new declaration starts: an unclosed `{` must not swallow the rest of the file. */
const nextDeclaration = String.raw`(?=^\s*(?:model|import)\b${notKey})`;
/**
 * Where the layout rule starts a new statement even inside an unclosed `(` or
 * `[` (src/syntax/tokens.ts): a line starting with a statement keyword or with
 * `name =`. Brackets end there too, so one missing `)` colours only its line.
 */
const statementKeywords = [...Object.keys(keywordRoles).filter((k) => keywordRoles[k] === 'declaration'), 'import'];
const statementStart = String.raw`(?=^\s*(?:(?:${statementKeywords.join('|')})\b${notKey}|${NAME}\s*=))`;
/** A brace also closes every open bracket in the layout rule. */
const bracketEnd = (close: string) => `\\${close}|(?=[{}])|${statementStart}`;
const inc = (name: string): Rule => ({ include: `#${name}` });
const scope = (name: string) => `${name}.mbn`;

export function renderTmGrammar(): string {
  const w = grammarWords();
  const repository: Record<string, Rule> = {
    comments: {
      patterns: [
        {
          // No nesting; an unclosed `/*` runs to the end of the file, as in the scanner.
          name: scope('comment.block'),
          begin: String.raw`/\*`,
          end: String.raw`\*/`,
          beginCaptures: { 0: { name: scope('punctuation.definition.comment.begin') } },
          endCaptures: { 0: { name: scope('punctuation.definition.comment.end') } },
        },
        { name: scope('comment.line.number-sign'), match: '(#).*', captures: { 1: { name: scope('punctuation.definition.comment') } } },
        { name: scope('comment.line.double-slash'), match: '(//).*', captures: { 1: { name: scope('punctuation.definition.comment') } } },
      ],
    },
    strings: {
      patterns: (['"', "'"] as const).flatMap((q): Rule[] => {
        const kind = q === '"' ? 'double' : 'single';
        const body = String.raw`(?:[^${q}\\]|\\.)*`;
        const punctuation = (edge: string) => ({ 0: { name: scope(`punctuation.definition.string.${edge}`) } });
        return [
          {
            // No closing quote before the end of the line: the scanner reports it (MBN101), and so do we.
            name: `${scope(`string.quoted.${kind}`)} ${scope('invalid.illegal.unterminated-string')}`,
            begin: `${q}(?=${body}$)`,
            end: '$',
            beginCaptures: punctuation('begin'),
            patterns: [inc('string-escape')],
          },
          {
            name: scope(`string.quoted.${kind}`),
            begin: q,
            end: `${q}|$`,
            beginCaptures: punctuation('begin'),
            endCaptures: punctuation('end'),
            patterns: [inc('string-escape')],
          },
        ];
      }),
    },
    'string-escape': { name: scope('constant.character.escape'), match: String.raw`\\.` },
    numbers: {
      // As the NumberLiteral token: no sign (`-1` is unary minus and a number).
      patterns: [
        { name: scope('constant.numeric.float'), match: String.raw`(?<![A-Za-z0-9_])(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)` },
        { name: scope('constant.numeric.integer'), match: String.raw`(?<![A-Za-z0-9_])\d+` },
      ],
    },
    constants: {
      patterns: [
        { name: scope('constant.language.boolean'), match: word(w.booleans) },
        { name: scope('constant.language.none'), match: word(w.none) },
      ],
    },
    keywords: {
      patterns: [
        ...w.declarations.map((k) => ({ name: scope(`keyword.declaration.${k}`), match: String.raw`\b${k}\b` })),
        ...w.imports.map((k) => ({ name: scope(`keyword.control.${k}`), match: String.raw`\b${k}\b` })),
        ...w.clauses.map((k) => ({ name: scope(`keyword.other.${k}`), match: String.raw`\b${k}\b` })),
      ],
    },
    // `-> Dense(…)`, `-> add(h)`, `-> encoder`: the stage after an arrow is applied, whatever it is.
    pipeline: {
      match: String.raw`(->)(?:\s*(?:(${word([...w.layers, ...w.functionalLayers])})|(${word(w.merges)})|(${NAME})))?`,
      captures: {
        1: { name: scope('keyword.operator.pipeline') },
        2: { name: scope('support.function.layer') },
        3: { name: scope('support.function.merge') },
        4: { name: scope('entity.name.function') },
      },
    },
    calls: {
      patterns: [
        // Layer names are CamelCase words that mean nothing else: coloured wherever they stand.
        { name: scope('support.function.layer'), match: word(w.layers) },
        // Merges and functional layers are everyday words (`add`, `average`): only when called.
        { name: scope('support.function.merge'), match: String.raw`${word(w.merges)}(?=\s*\()` },
        { name: scope('support.function.layer'), match: String.raw`${word(w.functionalLayers)}(?=\s*\()` },
        { name: scope('support.function.regularizer'), match: String.raw`${word(w.regularizers)}(?=\s*\()` },
        // Sub-models (`SmallCNN()`) and anything else that is called.
        { name: scope('entity.name.function'), match: String.raw`\b${NAME}(?=\s*\()` },
      ],
    },
    parens: {
      name: scope('meta.parens'),
      begin: String.raw`\(`,
      end: bracketEnd(')'),
      beginCaptures: { 0: { name: scope('punctuation.section.parens.begin') } },
      endCaptures: { 0: { name: scope('punctuation.section.parens.end') } },
      patterns: [inc('named-argument'), inc('expression')],
    },
    // `Dense(10, activation: softmax)`: any name or keyword before `:` in parentheses.
    'named-argument': {
      match: String.raw`\b(${NAME})\s*(:)`,
      captures: { 1: { name: scope('variable.parameter') }, 2: { name: scope('punctuation.separator.colon') } },
    },
    brackets: {
      name: scope('meta.brackets'),
      begin: String.raw`\[`,
      end: bracketEnd(']'),
      beginCaptures: { 0: { name: scope('punctuation.section.brackets.begin') } },
      endCaptures: { 0: { name: scope('punctuation.section.brackets.end') } },
      // In brackets a `:` is a slice (`p[0:1]`, `x[:, -5:]`), never an argument name.
      patterns: [{ name: scope('punctuation.separator.slice'), match: ':' }, inc('expression')],
    },
    member: {
      match: String.raw`(\.)\s*(${NAME})`,
      captures: { 1: { name: scope('punctuation.accessor') }, 2: { name: scope('variable.other.member') } },
    },
    operators: {
      patterns: [
        { name: scope('keyword.operator.arithmetic'), match: '[-+*/%]' },
        { name: scope('keyword.operator.assignment'), match: '=' },
        { name: scope('punctuation.separator.colon'), match: ':' },
        { name: scope('punctuation.separator.comma'), match: ',' },
        { name: scope('punctuation.terminator.statement'), match: ';' },
      ],
    },
    identifiers: { name: scope('variable.other'), match: String.raw`\b${NAME}\b` },
    // A closing bracket that closes nothing (each region above ends at its own).
    'stray-bracket': { name: scope('invalid.illegal.stray-bracket'), match: String.raw`[)\]}]` },
    // A character no token starts with (`@`, `$`, `!`): the scanner reports it (MBN100).
    'invalid-character': { name: scope('invalid.illegal.character'), match: String.raw`[^\s\x{FEFF}A-Za-z0-9_"'.,:;=(){}\[\]+\-*/%#]` },
    expression: {
      patterns: [
        inc('comments'),
        inc('strings'),
        inc('numbers'),
        inc('constants'),
        inc('pipeline'),
        inc('keywords'),
        inc('calls'),
        inc('parens'),
        inc('brackets'),
        inc('member'),
        inc('operators'),
        inc('identifiers'),
        inc('stray-bracket'),
        inc('invalid-character'),
      ],
    },
    // ---------------------------------------------------------- declarations
    import: {
      patterns: [
        { name: scope('keyword.control.import'), match: String.raw`\bimport\b${notKey}` },
        { name: scope('keyword.control.from'), match: String.raw`\bfrom\b${notKey}` },
        {
          // `import { SmallCNN, Head } from "../nets"`: a brace at the top level is an import list.
          name: scope('meta.import.names'),
          begin: String.raw`\{`,
          end: String.raw`\}`,
          beginCaptures: { 0: { name: scope('punctuation.section.braces.begin') } },
          endCaptures: { 0: { name: scope('punctuation.section.braces.end') } },
          patterns: [inc('comments'), { name: scope('entity.name.type.model'), match: String.raw`\b${NAME}\b` }, { name: scope('punctuation.separator.comma'), match: ',' }],
        },
      ],
    },
    model: {
      name: scope('meta.model'),
      begin: String.raw`\b(model)\b${notKey}(?:\s*(${NAME}))?`,
      beginCaptures: { 1: { name: scope('keyword.declaration.model') }, 2: { name: scope('entity.name.type.model') } },
      // Ends after the body's `}`, or where the next declaration starts if the body never closes.
      end: String.raw`(?<=\})|${nextDeclaration}`,
      patterns: [inc('comments'), inc('parameters'), inc('model-body')],
    },
    parameters: {
      name: scope('meta.parameters'),
      begin: String.raw`\(`,
      end: String.raw`\)|(?=\{)|${nextDeclaration}`,
      beginCaptures: { 0: { name: scope('punctuation.section.parameters.begin') } },
      endCaptures: { 0: { name: scope('punctuation.section.parameters.end') } },
      patterns: [
        inc('comments'),
        {
          // `units: int = 64`
          match: String.raw`\b(${NAME})\s*(:)\s*(${NAME})?`,
          captures: {
            1: { name: scope('variable.parameter') },
            2: { name: scope('punctuation.separator.colon') },
            3: { patterns: [{ name: scope('support.type.primitive'), match: word(w.parameterTypes) }, { name: scope('entity.name.type'), match: NAME }] },
          },
        },
        inc('expression'),
      ],
    },
    'model-body': {
      name: scope('meta.block.model'),
      begin: String.raw`\{`,
      end: String.raw`\}|${nextDeclaration}`,
      beginCaptures: { 0: { name: scope('punctuation.section.block.begin') } },
      endCaptures: { 0: { name: scope('punctuation.section.block.end') } },
      patterns: [inc('comments'), inc('train'), inc('declarations'), inc('binding'), inc('output-clauses'), inc('dtypes'), inc('expression')],
    },
    declarations: {
      // `input img: [32, 32, 3]`, `output main = …`, `shared cnn = SmallCNN()`.
      patterns: ['input', 'output', 'shared'].map((k) => ({
        match: String.raw`\b(${k})\b${notKey}(?:\s*(${NAME}))?`,
        captures: { 1: { name: scope(`keyword.declaration.${k}`) }, 2: { name: scope(`entity.name.variable.${k}`) } },
      })),
    },
    // `features = …` and `cat, dog = switch(…)` at the start of a statement.
    binding: {
      match: String.raw`(?:^|(?<=[;{]))\s*(${NAME}(?:\s*,\s*${NAME})*)\s*(=)`,
      captures: {
        1: { patterns: [{ name: scope('entity.name.variable.branch'), match: NAME }, { name: scope('punctuation.separator.comma'), match: ',' }] },
        2: { name: scope('keyword.operator.assignment') },
      },
    },
    dtypes: { name: scope('support.type.dtype'), match: word(w.dtypes) },
    'output-clauses': {
      patterns: [
        {
          // `loss categorical_crossentropy`
          match: String.raw`\b(loss)\b${notKey}(?:\s*(${NAME}))?`,
          captures: { 1: { name: scope('keyword.other.loss') }, 2: { patterns: [inc('loss-names'), inc('identifiers')] } },
        },
        {
          // `metrics [accuracy, mae]`
          begin: String.raw`\b(metrics)\b${notKey}\s*(\[)`,
          end: bracketEnd(']'),
          beginCaptures: { 1: { name: scope('keyword.other.metrics') }, 2: { name: scope('punctuation.section.brackets.begin') } },
          endCaptures: { 0: { name: scope('punctuation.section.brackets.end') } },
          name: scope('meta.brackets'),
          patterns: [inc('metric-names'), inc('expression')],
        },
      ],
    },
    'loss-names': { name: scope('support.constant.loss'), match: word(w.losses) },
    'metric-names': { name: scope('support.constant.metric'), match: word(w.metrics) },
    train: {
      name: scope('meta.block.train'),
      begin: String.raw`\b(train)\s*(\{)`,
      end: String.raw`\}|${nextDeclaration}`,
      beginCaptures: { 1: { name: scope('keyword.declaration.train') }, 2: { name: scope('punctuation.section.block.begin') } },
      endCaptures: { 0: { name: scope('punctuation.section.block.end') } },
      patterns: [
        inc('comments'),
        {
          match: String.raw`\b(loss)\s*(:)\s*(${NAME})?`,
          captures: { 1: { name: scope('support.type.property-name.setting') }, 2: { name: scope('punctuation.separator.colon') }, 3: { patterns: [inc('loss-names'), inc('identifiers')] } },
        },
        {
          begin: String.raw`\b(metrics)\s*(:)\s*(\[)`,
          end: bracketEnd(']'),
          beginCaptures: {
            1: { name: scope('support.type.property-name.setting') },
            2: { name: scope('punctuation.separator.colon') },
            3: { name: scope('punctuation.section.brackets.begin') },
          },
          endCaptures: { 0: { name: scope('punctuation.section.brackets.end') } },
          name: scope('meta.brackets'),
          patterns: [inc('metric-names'), inc('expression')],
        },
        {
          // `epochs: 20`, `optimizer: adam(…)`: a setting name is any name or keyword before `:`.
          match: String.raw`\b(${NAME})\s*(:)`,
          captures: { 1: { name: scope('support.type.property-name.setting') }, 2: { name: scope('punctuation.separator.colon') } },
        },
        { name: scope('support.function.optimizer'), match: word(w.optimizers) },
        inc('expression'),
      ],
    },
  };
  const grammar = {
    information_for_contributors: [
      'Generated by scripts/gen-tmgrammar.ts from src/syntax/tokens.ts and src/catalogue/: edit the script and run `npm run docs`.',
    ],
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'mbn',
    scopeName: 'source.mbn',
    fileTypes: ['mbn'],
    patterns: [inc('comments'), inc('strings'), inc('import'), inc('model'), inc('expression')],
    repository,
  };
  return `${JSON.stringify(grammar, null, 2)}\n`;
}

// ------------------------------------------------------------ Vim syntax

/** `syn keyword` lines of at most about 100 characters. */
function vimKeywords(group: string, names: readonly string[]): string[] {
  const lines: string[] = [];
  let line = `syn keyword ${group}`;
  for (const name of names) {
    if (line.length + name.length + 1 > 100) {
      lines.push(line);
      line = `syn keyword ${group}`;
    }
    line += ` ${name}`;
  }
  lines.push(line);
  return lines;
}

/** Vim's very-magic-free alternation of whole words, called: `\<\%(add\|concat\)\ze\s*(`. */
const vimCalled = (names: readonly string[]) => String.raw`\<\%(${names.join(String.raw`\|`)}\)\ze\s*(`;

export function renderVimSyntax(): string {
  const w = grammarWords();
  const lines = [
    '" Vim syntax file for .mbn, multi-branch neural network specs.',
    '" Generated by scripts/gen-tmgrammar.ts from the compiler\'s keywords and catalogue:',
    '" edit the script and run `npm run docs`.',
    '',
    "if exists('b:current_syntax')",
    '  finish',
    'endif',
    '',
    'syn iskeyword @,48-57,_',
    '',
    // Matches first: a keyword (below) beats a match that starts at the same place.
    String.raw`syn match mbnCall "\<\h\w*\ze\s*("`,
    String.raw`syn match mbnArgName "\<\h\w*\ze\s*:"`,
    `syn match mbnMerge "${vimCalled(w.merges)}"`,
    `syn match mbnLayer "${vimCalled(w.functionalLayers)}"`,
    `syn match mbnFunction "${vimCalled([...w.optimizers, ...w.regularizers])}"`,
    String.raw`syn match mbnNumber "\<\d\+\%(\.\d*\)\=\%([eE][+-]\=\d\+\)\="`,
    String.raw`syn match mbnNumber "\.\d\+\%([eE][+-]\=\d\+\)\="`,
    String.raw`syn match mbnOperator "->\|[-+*/%=]"`,
    '',
    ...vimKeywords('mbnDeclaration', w.declarations),
    ...vimKeywords('mbnImport', w.imports),
    ...vimKeywords('mbnClause', w.clauses),
    ...vimKeywords('mbnBoolean', w.booleans),
    ...vimKeywords('mbnNone', w.none),
    ...vimKeywords('mbnType', [...w.parameterTypes, ...w.dtypes]),
    ...vimKeywords('mbnLayer', w.layers),
    '',
    String.raw`syn match mbnEscape "\\." contained`,
    String.raw`syn region mbnString start=+"+ skip=+\\.+ end=+"+ end=+$+ oneline contains=mbnEscape`,
    String.raw`syn region mbnString start=+'+ skip=+\\.+ end=+'+ end=+$+ oneline contains=mbnEscape`,
    'syn keyword mbnTodo TODO FIXME XXX NOTE contained',
    'syn match mbnComment "\\%(#\\|//\\).*$" contains=mbnTodo',
    String.raw`syn region mbnComment start="/\*" end="\*/" contains=mbnTodo`,
    '',
    'hi def link mbnDeclaration Keyword',
    'hi def link mbnImport Include',
    'hi def link mbnClause Statement',
    'hi def link mbnBoolean Boolean',
    'hi def link mbnNone Constant',
    'hi def link mbnType Type',
    'hi def link mbnLayer Function',
    'hi def link mbnMerge Function',
    'hi def link mbnFunction Function',
    'hi def link mbnCall Identifier',
    'hi def link mbnArgName Special',
    'hi def link mbnNumber Number',
    'hi def link mbnOperator Operator',
    'hi def link mbnString String',
    'hi def link mbnEscape SpecialChar',
    'hi def link mbnComment Comment',
    'hi def link mbnTodo Todo',
    '',
    "let b:current_syntax = 'mbn'",
  ];
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------ main

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, text] of [
    [tmGrammarFile, renderTmGrammar()],
    [vimSyntaxFile, renderVimSyntax()],
  ] as const) {
    writeFileAtomic(file, text);
    console.log(`wrote ${path.relative(root, file)}`);
  }
}
