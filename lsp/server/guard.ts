/**
 * Every request handler runs inside `guarded`: an exception (half-typed text
 * can reach corners of the front end nobody tested) is logged to the client
 * and answered with `null`, the "nothing here" of every request, so the
 * server never dies and the editor never shows an error popup for a hover.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import { describeError } from './diagnostics.js';

export function guarded<P, R>(
  connection: Connection,
  name: string,
  handler: (params: P, token: CancellationToken) => R | ResponseError<void>,
): (params: P, token: CancellationToken) => R | null | ResponseError<void> {
  return (params, token) => {
    // A request the client has given up on (the user typed on) is not worth analysing for.
    if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    try {
      return handler(params, token);
    } catch (error) {
      connection.console.error(`mbn: ${name} failed: ${describeError(error)}`);
      return null;
    }
  };
}
