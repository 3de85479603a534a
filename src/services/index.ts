/**
 * Editor services over an `Analysis` made with `trace: true`: pure functions
 * of the analysis, a document uri and a zero-based UTF-16 offset, returning
 * mbn's own data (spans with uris, markdown). The language server turns them
 * into LSP messages.
 */
export { locate, type Located, type SymbolInfo, type Callee, type ModelContext } from './locate.js';
export { hover, type Hover } from './hover.js';
export { complete, type CompletionItem, type CompletionKind } from './completion.js';
export { signatureHelp, type SignatureHelp, type SignatureParameter } from './signature.js';
export { definition, references, prepareRename, rename, type Location, type RenameEdit } from './navigation.js';
