/**
 * The diagram as Graphviz DOT, laid out top to bottom by `dot`. Nodes carry
 * HTML-like labels (name and type, then shape and parameter count), the
 * colour of their kind of layer and a shape for their role: inputs are
 * square, layers rounded, merges octagons, outputs dark pills. What the
 * inference model drops is dashed, and grey when it goes with an aux
 * branch; a shared layer has a double border. A legend and the totals form
 * the graph's caption. One statement per line, so that diffs stay readable.
 */
import { scopesOf, type Diagram, type DiagramCluster, type DiagramEdge, type DiagramNode } from './model.js';
import { dotString, htmlText } from './escape.js';
import { fontFamily, ink, palette, pruned, type Category } from './style.js';
import { countText, edgeLabel, paramsText } from './text.js';

const indentUnit = '  ';

export function toDot(diagram: Diagram): string {
  const lines: string[] = [
    `// ${diagram.model}: ${diagram.view} model, drawn by \`mbnc graph\``.replace(/[\r\n]/g, ' '),
    `digraph ${dotString(diagram.model)} {`,
    `${indentUnit}graph [${attrs({
      rankdir: 'TB',
      newrank: 'true',
      nodesep: '0.22',
      ranksep: '0.28',
      pad: '0.15',
      bgcolor: 'white',
      fontname: fontFamily,
      fontsize: '10',
      labelloc: 'b',
      labeljust: 'c',
    })}, label=<${caption(diagram)}>];`,
    `${indentUnit}node [${attrs({ fontname: fontFamily, fontsize: '10', shape: 'box', style: 'rounded,filled', margin: '0.10,0.04', penwidth: '1.2', color: ink.edge, fontcolor: ink.text })}];`,
    `${indentUnit}edge [${attrs({ fontname: fontFamily, fontsize: '8.5', color: ink.edge, fontcolor: ink.muted, arrowsize: '0.6', penwidth: '1.1' })}];`,
  ];

  // Clusters nest by scope path: a scope holds its own nodes, then its clusters, each in graph order.
  const scopes = scopesOf(diagram);
  const clusterById = new Map(diagram.clusters.map((c) => [c.id, c]));
  const writeScope = (scope: string | undefined, depth: number) => {
    const pad = indentUnit.repeat(depth);
    for (const node of scopes.nodes.get(scope) ?? []) lines.push(pad + nodeStatement(node, scope === undefined ? undefined : clusterById.get(scope)));
    for (const cluster of scopes.clusters.get(scope) ?? []) {
      lines.push(`${pad}subgraph ${dotString(`cluster_${cluster.id}`)} {`);
      lines.push(`${pad}${indentUnit}${clusterAttributes(cluster)}`);
      writeScope(cluster.id, depth + 1);
      lines.push(`${pad}}`);
    }
  };
  writeScope(undefined, 1);

  for (const edge of diagram.edges) lines.push(indentUnit + edgeStatement(edge));
  lines.push('}');
  return lines.join('\n') + '\n';
}

function attrs(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${dotString(v)}`)
    .join(', ');
}

function font(text: string, options: { color?: string; size?: number; bold?: boolean }): string {
  const open = [options.color ? ` COLOR="${options.color}"` : '', options.size ? ` POINT-SIZE="${options.size}"` : ''].join('');
  const body = options.bold ? `<B>${text}</B>` : text;
  return open ? `<FONT${open}>${body}</FONT>` : body;
}

/** The HTML-like label of a node: a borderless table, so that shapes can be ports. */
function nodeLabel(node: DiagramNode, sharedCluster: boolean): string {
  const gone = node.fate === 'pruned';
  const dark = node.kind === 'output' && !gone;
  const text = gone ? pruned.text : dark ? '#FFFFFF' : ink.text;
  const muted = gone ? pruned.text : dark ? '#CFD8DC' : ink.muted;
  const typeColour = gone ? pruned.text : dark ? '#CFD8DC' : palette[node.category].stroke;
  const cols = node.shapes.length;
  const span = cols > 1 ? ` COLSPAN="${cols}"` : '';

  const typeText = node.kind === 'output' ? (node.detail ? htmlText(node.detail) : 'output') : htmlText(node.type);
  const head = `${font(htmlText(node.shortName), { color: text, bold: true })}${font(`&#160;&#160;${typeText}`, { color: typeColour, size: 9 })}`;
  const rows = [`<TR><TD${span}>${head}</TD></TR>`];

  const facts: string[] = [];
  if (node.kind !== 'output' && node.detail) facts.push(htmlText(node.detail));
  if (node.params > 0) facts.push(htmlText(paramsText(node.params)));
  if (node.applications > 1 && !sharedCluster) facts.push(`shared ×${node.applications}`);

  // One cell per output shape; each is a port that edges leave from.
  const shapeCells = node.shapes.map((s, i) => {
    const divider = i > 0 ? ` BORDER="1" SIDES="L" COLOR="${palette[node.category].stroke}"` : '';
    return `<TD PORT="o${i}" CELLPADDING="3"${divider}>${font(htmlText(s), { color: muted, size: 9 })}</TD>`;
  });
  if (cols > 1) {
    rows.push(`<TR>${shapeCells.join('')}</TR>`);
    if (facts.length > 0) rows.push(`<TR><TD${span}>${font(facts.join(' · '), { color: muted, size: 9 })}</TD></TR>`);
  } else {
    const line = [htmlText(node.shapes[0]!), ...facts].join(' · ');
    rows.push(`<TR><TD>${font(line, { color: muted, size: 9 })}</TD></TR>`);
  }
  return `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">${rows.join('')}</TABLE>`;
}

function nodeStatement(node: DiagramNode, cluster: DiagramCluster | undefined): string {
  const swatch = palette[node.category];
  const gone = node.fate === 'pruned';
  const sharedCluster = cluster !== undefined && cluster.applications > 1;
  const style: string[] = [];
  const a: Record<string, string> = {};
  switch (node.kind) {
    case 'input':
      style.push('filled');
      a['penwidth'] = '1.6';
      break;
    case 'merge':
      a['shape'] = 'octagon';
      a['margin'] = '0,0';
      style.push('filled');
      break;
    case 'output':
      style.push('rounded', 'filled');
      a['margin'] = '0.16,0.04';
      break;
    default:
      style.push('rounded', 'filled');
  }
  // Dashed: not in the inference model; grey as well: pruned with the aux branch it feeds.
  if (node.fate !== 'kept') style.push('dashed');
  a['style'] = style.join(',');
  a['fillcolor'] = gone ? pruned.fill : swatch.fill;
  a['color'] = gone ? pruned.stroke : swatch.stroke;
  if (node.applications > 1) a['peripheries'] = '2';
  a['tooltip'] = tooltip(node);
  return `${dotString(node.id)} [${attrs(a)}, label=<${nodeLabel(node, sharedCluster)}>];`;
}

function tooltip(node: DiagramNode): string {
  const parts = [`${node.name} (${node.type})`, node.shapes.join(', ')];
  if (node.params > 0) parts.push(`${countText(node.params)} params (${countText(node.trainableParams)} trainable)`);
  if (node.applications > 1) parts.push(`shared: applied ${node.applications} times`);
  if (node.fate === 'pruned') parts.push('removed from the inference model');
  if (node.fate === 'bypassed') parts.push('the identity at inference: removed from the inference model');
  return parts.join('; ');
}

function clusterAttributes(cluster: DiagramCluster): string {
  const gone = cluster.fate === 'pruned';
  const shared = cluster.applications > 1;
  const textColour = gone ? pruned.text : ink.muted;
  if (cluster.kind === 'branch') {
    // A branch is lighter than a sub-model: an outline and its name, as the spec groups it. The
    // name goes at the bottom, where an aux branch ends in its output and no edge leaves.
    const a = attrs({ style: gone ? 'rounded,dashed' : 'rounded', color: gone ? pruned.stroke : ink.cluster, penwidth: '0.8', labeljust: 'l', labelloc: 'b', fontsize: '9.5', margin: '6' });
    const label = font(htmlText(cluster.name), { color: textColour, bold: true }) + (gone ? font(' · training only', { color: textColour }) : '');
    return `graph [${a}, label=<${label}>];`;
  }
  const label = [
    font(htmlText(cluster.name), { color: gone ? pruned.text : ink.text, bold: true }),
    cluster.model ? font(` · ${htmlText(cluster.model)}`, { color: textColour }) : '',
    shared ? font(` · shared, applied ${cluster.applications}×`, { color: textColour }) : '',
  ].join('');
  const a = attrs({
    style: gone ? 'rounded,filled,dashed' : 'rounded,filled',
    fillcolor: gone ? '#FAFAFA' : shared ? ink.sharedFill : ink.clusterFill,
    color: gone ? pruned.stroke : shared ? palette.merge.stroke : ink.cluster,
    penwidth: shared ? '1.6' : '1',
    labeljust: 'l',
    labelloc: 't',
    fontsize: '9.5',
    margin: '8',
  });
  return `graph [${a}, label=<${label}>];`;
}

function edgeStatement(edge: DiagramEdge): string {
  const from = edge.fromPort === undefined ? dotString(edge.from) : `${dotString(edge.from)}:o${edge.fromPort}:s`;
  const a: Record<string, string> = {};
  const label = edgeLabel(edge);
  if (label) a['label'] = ` ${label}`;
  if (edge.fate === 'pruned') {
    a['style'] = 'dashed';
    a['color'] = pruned.edge;
    a['fontcolor'] = pruned.text;
  }
  if (edge.count > 1) a['penwidth'] = '1.8';
  const rest = Object.keys(a).length > 0 ? ` [${attrs(a)}]` : '';
  return `${from} -> ${dotString(edge.to)}${rest};`;
}

/** The caption under the drawing: model, totals and a legend of what appears in it. */
function caption(diagram: Diagram): string {
  const name = font(htmlText(diagram.model), { bold: true });
  const title =
    diagram.view === 'training'
      ? `${name} · training model · ${countText(diagram.totalParams)} params` +
        (diagram.inferenceParams !== diagram.totalParams ? ` (${countText(diagram.inferenceParams)} at inference)` : '')
      : `${name} · inference model · ${countText(diagram.totalParams)} params`;

  return (
    `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">` +
    `<TR><TD HEIGHT="8"></TD></TR>` +
    `<TR><TD>${font(title, { color: ink.text, size: 10.5 })}</TD></TR>` +
    `<TR><TD>${legend(diagram)}</TD></TR>` +
    `</TABLE>`
  );
}

/**
 * Samples and what they mean, for what the drawing holds: the colours of
 * its kinds of layer, then, from a new row, the marks for sharing and for
 * what the inference model drops. A grid with short texts, because Graphviz
 * stretches the cells of a short row to the table's width.
 */
function legend(diagram: Diagram): string {
  const sample = (fill: string, stroke: string, style: string, border = 1, inner = '') =>
    `<TD FIXEDSIZE="TRUE" WIDTH="22" HEIGHT="12" BGCOLOR="${fill}" COLOR="${stroke}" BORDER="${border}" STYLE="${style}" CELLPADDING="1">${inner}</TD>`;
  const text = (t: string, colour: string = ink.text) => `<TD ALIGN="LEFT">${font(htmlText(t), { color: colour, size: 8.5 })}</TD>`;

  const kinds: string[] = [];
  const present = new Set<Category>(diagram.nodes.filter((n) => n.fate !== 'pruned').map((n) => n.category));
  for (const category of legendOrder) {
    if (!present.has(category)) continue;
    const s = palette[category];
    const square = category === 'input' || category === 'merge';
    kinds.push(sample(s.fill, s.stroke, square ? 'solid' : 'rounded', category === 'input' ? 2 : 1) + text(s.label));
  }
  const marks: string[] = [];
  if (diagram.nodes.some((n) => n.applications > 1)) {
    const inner = `<TABLE BORDER="1" COLOR="${ink.edge}" STYLE="rounded" CELLSPACING="0" CELLPADDING="0"><TR><TD></TD></TR></TABLE>`;
    marks.push(sample('#FFFFFF', ink.edge, 'rounded', 1, inner) + text('shared (×n uses)'));
  }
  if (diagram.nodes.some((n) => n.fate === 'bypassed')) {
    marks.push(sample(palette.regularization.fill, palette.regularization.stroke, 'rounded,dashed') + text('identity at inference'));
  }
  if (diagram.nodes.some((n) => n.fate === 'pruned')) marks.push(sample(pruned.fill, pruned.stroke, 'rounded,dashed') + text('training only, pruned', pruned.text));

  const columns = Math.max(Math.min(kinds.length, 5), marks.length);
  const rows: string[] = [];
  for (const items of [kinds, marks]) {
    for (let i = 0; i < items.length; i += columns) {
      const cells = items.slice(i, i + columns);
      while (cells.length < columns) cells.push('<TD></TD><TD></TD>');
      rows.push(`<TR>${cells.join('<TD WIDTH="10"></TD>')}</TR>`);
    }
  }
  return `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">${rows.join('')}</TABLE>`;
}

const legendOrder: readonly Category[] = ['input', 'core', 'convolution', 'pooling', 'recurrent', 'normalization', 'regularization', 'reshaping', 'merge', 'output'];
