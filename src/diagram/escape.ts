/**
 * Escaping for the text formats the diagram is written in. Names in a spec
 * are identifiers, but losses, model names from other front ends and any
 * future free-text label must not be able to break out of a string: every
 * piece of text goes through one of these.
 */

/** Control characters (line breaks included) end statements or break XML: each becomes a space. */
const controls = /[\u0000-\u001F\u007F]/g;

/** A DOT double-quoted string (also an escString: `\N`, `\l` must not expand). */
export function dotString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(controls, ' ')}"`;
}

/** Text inside an HTML-like DOT label: XML character data. */
export function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEntities[c]!).replace(controls, ' ');
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text inside a quoted Mermaid label. Mermaid has no backslash escapes; it
 * reads `#name;` and `#code;` entities, so `"`, `#`, `<`, `>` and `&` (and
 * anything that could end the statement) become codes.
 */
export function mermaidText(text: string): string {
  return text.replace(/["#<>&`]/g, (c) => `#${c.charCodeAt(0)};`).replace(controls, ' ');
}
