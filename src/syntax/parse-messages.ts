/**
 * Parse error messages in mbn's voice: "expected X but found Y", naming
 * tokens the way a user reads them (`)`, end of line, a name) instead of
 * Chevrotain's token type names.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { Arrow, Identifier, Newline } from './tokens.js';

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'end of file';
  if (token.tokenType === Newline) return token.image === ';' ? '`;`' : token.image === '' ? 'the next statement' : 'end of line';
  return `\`${token.image}\``;
}

export function labelOf(type: TokenType): string {
  if (type === EOF) return 'end of file';
  return type.LABEL ?? type.name;
}

const stageExpectation = 'a layer call such as `Dense(10)` after `->`';

/** What each rule expects, in words, when none of its alternatives matched. */
const ruleExpectations: Record<string, string> = {
  statement: 'a statement (`input`, `output`, `shared`, `train` or `name = …`)',
  primary: 'an expression',
  operand: 'an expression',
  expression: 'an expression',
  outputClause: '`loss`, `weight`, `metrics` or `aux`',
  setting: 'a training setting such as `epochs: 10`',
  sliceItem: 'an index or a slice such as `0:2`',
};

function listOf(labels: string[]): string {
  const unique = [...new Set(labels)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    const what = expected === Identifier && previous?.tokenType === Arrow ? stageExpectation : labelOf(expected);
    return `expected ${what} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}; expected end of line after this declaration`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : 'end of file';
    const expected = ruleExpectations[ruleName] ?? listOf(expectedPathsPerAlt.flat().map((path) => labelOf(path[0]!)));
    return `expected ${expected} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : 'end of file';
    const expected = ruleExpectations[ruleName] ?? listOf(expectedIterationPaths.map((path) => labelOf(path[0]!)));
    return `expected ${expected} but found ${found}`;
  },
};
