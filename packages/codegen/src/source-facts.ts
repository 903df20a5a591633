import { Node, type JSDocableNode, type SourceFile } from 'ts-morph';
import type { Reporter } from './reporter.js';

/**
 * JSDoc tags conduit reads. Every one is documented in the codegen README; any other tag is the
 * user's own and is copied with the doc comment.
 */
export const TAGS = {
  /** On a method: running it twice does no more than once, so transports may retry it freely. */
  idempotent: 'idempotent',
  /** On a method, property, interface or alias: `any`/`unknown` inside are accepted unvalidated. */
  unchecked: 'unchecked',
  /** `@field N` on a property, or `@field param N` on a method: the protobuf field number. */
  field: 'field',
} as const;

/** Largest protobuf field number (2^29 - 1); 19000–19999 are reserved by protobuf itself. */
const MAX_FIELD = 536_870_911;

/** Files the user wrote, as opposed to TypeScript's, Node's or a package's typings. */
export function isUserFile(file: SourceFile): boolean {
  return !file.isDeclarationFile() && !file.isInNodeModules() && !file.getFilePath().includes('/node_modules/');
}

/** The JSDoc text (description and tags) closest to the declaration, if any. */
export function docOf(node: JSDocableNode): string | undefined {
  const text = node.getJsDocs().at(-1)?.getInnerText().trim();
  return text ? text : undefined;
}

function tagsOf(node: Node): { name: string; text: string; node: Node }[] {
  if (!Node.isJSDocable(node)) return [];
  return node.getJsDocs().flatMap((doc) => doc.getTags().map((tag) => ({ name: tag.getTagName(), text: (tag.getCommentText() ?? '').trim(), node: tag })));
}

export function hasTag(node: Node, name: string): boolean {
  return tagsOf(node).some((t) => t.name === name);
}

/** `@field N` on a property: its protobuf field number, checked. */
export function fieldTag(node: Node, reporter: Reporter): number | undefined {
  const tag = tagsOf(node).find((t) => t.name === TAGS.field);
  return tag === undefined ? undefined : fieldNumber(tag.text, tag.node, reporter);
}

/** `@field param N` tags on a method: protobuf field numbers of its parameters, by name. */
export function paramFieldTags(node: Node, reporter: Reporter): Map<string, number> {
  const fields = new Map<string, number>();
  for (const tag of tagsOf(node).filter((t) => t.name === TAGS.field)) {
    const [param, number] = tag.text.split(/\s+/);
    if (param === undefined || number === undefined) {
      reporter.report(tag.node, `'@field ${tag.text}' on a method needs a parameter name and a number`, 'Write `@field points 3`.');
      continue;
    }
    const n = fieldNumber(number, tag.node, reporter);
    if (n !== undefined) fields.set(param, n);
  }
  return fields;
}

function fieldNumber(text: string, node: Node, reporter: Reporter): number | undefined {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_FIELD || (n >= 19_000 && n <= 19_999)) {
    return reporter.report(node, `'@field ${text}' is not a usable protobuf field number`, 'Use a whole number from 1 to 536870911, outside 19000–19999 (reserved by protobuf).');
  }
  return n;
}
