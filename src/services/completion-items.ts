/** Completion items that depend only on the catalogue and on model declarations. */
import { layerEntries, layers, lookupEntry, mergeEntries } from '../catalogue/index.js';
import { losses, metrics } from '../catalogue/training.js';
import type { CatalogueEntry, ParamSpec } from '../catalogue/types.js';
import type { ModelTemplate, SourceUnit } from '../semantics/program.js';
import { functionalLayers } from '../semantics/resolve.js';
import { keywordDocs, paramTypeDocs } from './docs.js';
import { modelParamLabel, signatureOf } from './format.js';
import { leadingComment } from './model-summary.js';

export type CompletionKind = 'layer' | 'merge' | 'model' | 'variable' | 'parameter' | 'keyword' | 'value' | 'property' | 'type';

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail: string;
  /** Markdown. */
  readonly documentation: string;
  /** Text to insert when it differs from the label. */
  readonly insertText?: string;
  /** The same as a snippet with tab stops (`Conv2D(${1:filters}, ${2:kernel_size})`), for clients that take snippets. */
  readonly snippet?: string;
  readonly sortText?: string;
}

export function keyword(word: string, sortText = '0'): CompletionItem {
  return { label: word, kind: 'keyword', detail: 'keyword', documentation: keywordDocs[word] ?? '', sortText };
}

export function lossItems(): CompletionItem[] {
  return losses.map((l) => ({ label: l.name, kind: 'value', detail: 'loss', documentation: l.doc }));
}

export function metricItems(): CompletionItem[] {
  return metrics.map((m) => ({ label: m.name, kind: 'value', detail: 'metric', documentation: m.doc }));
}

export function typeItems(): CompletionItem[] {
  return Object.entries(paramTypeDocs).map(([name, doc]) => ({ label: name, kind: 'type', detail: 'parameter type', documentation: doc }));
}

/** Placeholders for the required parameters: `Conv2D(${1:filters}, ${2:kernel_size})`. */
export function callSnippet(name: string, required: readonly string[]): string {
  return required.length === 0 ? `${name}($0)` : `${name}(${required.map((p, i) => `\${${i + 1}:${p}}`).join(', ')})$0`;
}

function requiredOf(params: readonly ParamSpec[]): string[] {
  return params.filter((p) => p.default === undefined).map((p) => p.name);
}

function entryItem(entry: CatalogueEntry, label: string, piped: boolean, sortText: string): CompletionItem {
  const merge = entry.kind === 'merge';
  const tensors = merge ? (piped ? [] : entry.inputsDoc.split(', ').filter((p) => p !== '…').slice(0, Math.max(1, entry.minInputs))) : [];
  const alias = label !== entry.name ? ` (alias of ${entry.name})` : '';
  return {
    label,
    kind: merge ? 'merge' : 'layer',
    detail: signatureOf({ kind: 'entry', entry, name: label }, label).label + alias,
    documentation: entry.doc,
    insertText: label,
    snippet: callSnippet(label, [...tensors, ...requiredOf(entry.params)]),
    sortText,
  };
}

/** Lists that depend only on the catalogue, made once (items are never modified). */
const catalogueLists = new Map<string, readonly CompletionItem[]>();

function once(key: string, make: () => CompletionItem[]): CompletionItem[] {
  let list = catalogueLists.get(key);
  if (!list) {
    list = make();
    catalogueLists.set(key, list);
  }
  return [...list];
}

export function layerItems(piped: boolean): CompletionItem[] {
  return once(`layers${piped}`, () => {
    const items = layerEntries.map((e) => entryItem(e, e.name, piped, `2${e.name}`));
    for (const [name, entry] of layers) if (name !== entry.name) items.push(entryItem(entry, name, piped, `4${name}`));
    return items;
  });
}

/** Merges a user writes (`slice` is what `x[…]` becomes, not written by hand). */
export function mergeItems(piped: boolean): CompletionItem[] {
  return once(`merges${piped}`, () => mergeEntries.filter((e) => e.name !== 'slice').map((e) => entryItem(e, e.name, piped, `3${e.name}`)));
}

export function functionalItems(): CompletionItem[] {
  return once('functional', () =>
    [...functionalLayers].map(([name, layerName]) => {
      const entry = lookupEntry(layerName)!;
      return { ...entryItem(entry, name, false, `3${name}`), snippet: callSnippet(name, ['x', ...requiredOf(entry.params)]) };
    }),
  );
}

export function modelItem(template: ModelTemplate, call: boolean, from?: SourceUnit): CompletionItem {
  const text = template.unit.text;
  const params = template.decl.params.map((p) => modelParamLabel(p, text));
  const required = template.decl.params.filter((p) => p.name && !p.default).map((p) => p.name!.name);
  const doc = leadingComment(template);
  return {
    label: template.name,
    kind: 'model',
    detail: `model ${template.name}${params.length ? `(${params.join(', ')})` : ''}`,
    documentation: doc ?? `Model \`${template.name}\`${!from || template.unit === from ? '' : ` from \`${template.unit.uri.split('/').pop()}\``}.`,
    ...(call ? { insertText: template.name, snippet: callSnippet(template.name, required) } : {}),
    sortText: `1${template.name}`,
  };
}
