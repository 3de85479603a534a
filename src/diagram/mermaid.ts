/**
 * The diagram as a Mermaid flowchart, for Markdown that renders Mermaid
 * (GitHub, GitLab, most wikis). Same palette and meaning as the DOT
 * drawing, within what Mermaid can say: shapes give the role (inputs
 * rectangles, layers rounded, merges hexagons, outputs stadiums, shared
 * layers with double sides), classes give the colours, dotted grey links
 * and dashed grey nodes what the inference model drops. Mermaid has no
 * ports, so a link from a node with several outputs names its output `[i]`.
 */
import { scopesOf, type Diagram, type DiagramCluster, type DiagramNode } from './model.js';
import { mermaidText } from './escape.js';
import { ink, palette, pruned, type Category } from './style.js';
import { countText, edgeLabel, paramsText } from './text.js';

export function toMermaid(diagram: Diagram): string {
  const ids = mermaidIds(diagram);
  const title =
    diagram.view === 'training'
      ? `${diagram.model} · training model · ${countText(diagram.totalParams)} params` +
        (diagram.inferenceParams !== diagram.totalParams ? ` (${countText(diagram.inferenceParams)} at inference)` : '')
      : `${diagram.model} · inference model · ${countText(diagram.totalParams)} params`;
  // Front matter is YAML, and a JSON string is a valid YAML scalar: quotes and colons stay inside it.
  const lines = [
    '---',
    `title: ${JSON.stringify(title)}`,
    '---',
    'flowchart TB',
    // Mermaid has no captions: the legend is a comment for whoever reads or edits the source.
    '  %% legend: rectangle input · rounded layer · hexagon merge · stadium output · double sides shared layer',
    '  %% colour: kind of layer · dashed: removed at inference (grey: training-only branch) · dotted link: pruned',
  ];

  const scopes = scopesOf(diagram);
  const writeScope = (scope: string | undefined, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const node of scopes.nodes.get(scope) ?? []) lines.push(pad + nodeLine(node, ids.get(node.id)!));
    for (const cluster of scopes.clusters.get(scope) ?? []) {
      lines.push(`${pad}subgraph ${ids.get(`cluster:${cluster.id}`)!}["${mermaidText(clusterTitle(cluster))}"]`);
      lines.push(`${pad}  direction TB`);
      writeScope(cluster.id, depth + 1);
      lines.push(`${pad}end`);
    }
  };
  writeScope(undefined, 1);

  const prunedLinks: number[] = [];
  diagram.edges.forEach((edge, i) => {
    const label = [edge.fromPort !== undefined ? `[${edge.fromPort}]` : undefined, edgeLabel(edge) || undefined].filter((p) => p !== undefined).join(' ');
    const arrow = edge.fate === 'pruned' ? '-.->' : '-->';
    lines.push(`  ${ids.get(edge.from)!} ${arrow}${label ? `|"${mermaidText(label)}"|` : ''} ${ids.get(edge.to)!}`);
    if (edge.fate === 'pruned') prunedLinks.push(i);
  });
  if (prunedLinks.length > 0) lines.push(`  linkStyle ${prunedLinks.join(',')} stroke:${pruned.edge},color:${pruned.text}`);

  // Colours: one class per kind of layer, and the two inference fates.
  const used = new Map<string, string[]>();
  for (const node of diagram.nodes) {
    const cls = node.fate === 'pruned' ? 'pruned' : node.fate === 'bypassed' ? 'dropped' : node.category;
    const list = used.get(cls);
    if (list) list.push(ids.get(node.id)!);
    else used.set(cls, [ids.get(node.id)!]);
  }
  for (const [cls, members] of [...used.entries()].sort(([a], [b]) => classOrder(a) - classOrder(b))) {
    lines.push(`  classDef ${cls} ${classStyle(cls)}`);
    lines.push(`  class ${members.join(',')} ${cls}`);
  }
  for (const cluster of diagram.clusters) {
    const shared = cluster.applications > 1;
    const gone = cluster.fate === 'pruned';
    // Sub-models are filled; a branch is only an outline, as in the DOT drawing.
    const fill = cluster.kind === 'branch' ? '#FFFFFF' : gone ? '#FAFAFA' : shared ? ink.sharedFill : ink.clusterFill;
    const stroke = gone ? pruned.stroke : shared ? palette.merge.stroke : ink.cluster;
    lines.push(`  style ${ids.get(`cluster:${cluster.id}`)!} fill:${fill},stroke:${stroke}${gone ? ',stroke-dasharray:5 3' : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Mermaid ids are plain words (and `end` is a keyword), so names are prefixed and squashed; clashes get a number. */
function mermaidIds(diagram: Diagram): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  const claim = (key: string, prefix: string, name: string) => {
    const base = `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    ids.set(key, id);
  };
  for (const node of diagram.nodes) claim(node.id, node.kind === 'output' ? 'out_' : 'n_', node.name);
  for (const cluster of diagram.clusters) claim(`cluster:${cluster.id}`, 'sub_', cluster.id);
  return ids;
}

function clusterTitle(cluster: DiagramCluster): string {
  if (cluster.kind === 'branch') return cluster.fate === 'pruned' ? `${cluster.name} · training only` : cluster.name;
  return [cluster.name, cluster.model, cluster.applications > 1 ? `shared, applied ${cluster.applications}×` : undefined].filter((p) => p !== undefined).join(' · ');
}

function nodeLine(node: DiagramNode, id: string): string {
  const head = `<b>${mermaidText(node.shortName)}</b> ${mermaidText(node.kind === 'output' ? (node.detail ?? 'output') : node.type)}`;
  const facts = [node.shapes.join(' | ')];
  if (node.kind !== 'output' && node.detail) facts.push(node.detail);
  if (node.params > 0) facts.push(paramsText(node.params));
  if (node.applications > 1) facts.push(`shared ×${node.applications}`);
  const label = `"${head}<br/>${mermaidText(facts.join(' · '))}"`;
  switch (node.kind) {
    case 'input':
      return `${id}[${label}]`;
    case 'merge':
      return `${id}{{${label}}}`;
    case 'output':
      return `${id}([${label}])`;
    default:
      return node.applications > 1 ? `${id}[[${label}]]` : `${id}(${label})`;
  }
}

const categoryOrder: readonly Category[] = ['input', 'core', 'convolution', 'pooling', 'recurrent', 'normalization', 'regularization', 'reshaping', 'merge', 'output'];

function classOrder(cls: string): number {
  const i = categoryOrder.indexOf(cls as Category);
  return i >= 0 ? i : cls === 'dropped' ? categoryOrder.length : categoryOrder.length + 1;
}

function classStyle(cls: string): string {
  if (cls === 'pruned') return `fill:${pruned.fill},stroke:${pruned.stroke},color:${pruned.text},stroke-dasharray:5 3`;
  if (cls === 'dropped') return `fill:${palette.regularization.fill},stroke:${palette.regularization.stroke},color:${ink.text},stroke-dasharray:5 3`;
  const swatch = palette[cls as Category];
  return `fill:${swatch.fill},stroke:${swatch.stroke},color:${cls === 'output' ? '#FFFFFF' : ink.text}`;
}
