import { Node, SyntaxKind, type EnumDeclaration, type InterfaceDeclaration, type TypeAliasDeclaration } from 'ts-morph';
import type { Declaration } from './model.js';
import type { Reporter } from './reporter.js';
import { isUserFile } from './source-facts.js';

type Copyable = InterfaceDeclaration | TypeAliasDeclaration | EnumDeclaration;

/**
 * The declarations a generated file copies so that it stands alone: the services themselves and
 * every interface, type alias and enum they reach, from whichever project file declares it. The
 * generated signatures repeat the types as the user wrote them, so every name they use must
 * resolve inside the generated file: names are copied, not renamed, and a clash is reported.
 */
export function collectDeclarations(services: readonly InterfaceDeclaration[], reporter: Reporter, taken: ReadonlyMap<string, string>): Declaration[] {
  const found: Copyable[] = [];
  const byName = new Map<string, Copyable>();
  const queue: Copyable[] = [...services];
  for (const service of services) byName.set(service.getName(), service);
  found.push(...services);
  while (queue.length > 0) {
    const declaration = queue.shift() as Copyable;
    for (const reference of referencesIn(declaration)) {
      const target = resolveReference(reference, reporter);
      if (target === undefined || found.includes(target)) continue;
      const name = target.getName();
      const other = byName.get(name);
      if (other !== undefined) {
        reporter.report(target.getNameNode(), `two types named '${name}' are used (here and in ${other.getSourceFile().getBaseName()}); the generated file declares both under one name`, 'Rename one of them.');
        continue;
      }
      byName.set(name, target);
      found.push(target);
      queue.push(target);
    }
  }
  for (const declaration of found) {
    const why = taken.get(declaration.getName());
    if (why !== undefined) reporter.report(declaration.getNameNode(), `the name '${declaration.getName()}' is taken: ${why}`, 'Rename this type.');
  }
  // Source order: the service file first, then other files in the order they were reached.
  const files = [...new Set(found.map((d) => d.getSourceFile()))];
  const ordered = [...found].sort((a, b) => files.indexOf(a.getSourceFile()) - files.indexOf(b.getSourceFile()) || a.getStart() - b.getStart());
  return ordered.map((d) => ({ name: d.getName(), text: exported(d) }));
}

/** Every name a declaration's types refer to: type references and `extends` clauses. */
function referencesIn(declaration: Copyable): Node[] {
  const references: Node[] = [];
  for (const node of declaration.getDescendantsOfKind(SyntaxKind.TypeReference)) references.push(node.getTypeName());
  for (const node of declaration.getDescendantsOfKind(SyntaxKind.ExpressionWithTypeArguments)) references.push(node.getExpression());
  for (const node of declaration.getDescendantsOfKind(SyntaxKind.TypeQuery)) references.push(node);
  return references;
}

/** The project declaration a name refers to; undefined for type parameters and library types. */
function resolveReference(name: Node, reporter: Reporter): Copyable | undefined {
  if (Node.isTypeQuery(name)) {
    return reporter.report(name, `'${name.getText()}' takes the type of a value, which the generated file cannot copy`, 'Declare the type as an interface or type alias.');
  }
  if (Node.isQualifiedName(name) || Node.isPropertyAccessExpression(name)) {
    const left = Node.isQualifiedName(name) ? name.getLeft() : name.getExpression();
    const symbol = left.getSymbol();
    // `Color.Red` as a type names an enum member: the enum itself is what gets copied.
    const enumTarget = symbol?.getAliasedSymbol()?.getDeclarations()[0] ?? symbol?.getDeclarations()[0];
    if (enumTarget !== undefined && Node.isEnumDeclaration(enumTarget) && isUserFile(enumTarget.getSourceFile())) {
      if (left.getText() !== enumTarget.getName()) return renamed(left, enumTarget.getName(), reporter);
      return enumTarget;
    }
    if (symbol === undefined || symbol.getDeclarations().every((d) => !isUserFile(d.getSourceFile()))) return undefined;
    return reporter.report(name, `'${name.getText()}' is a qualified name, which the generated file cannot copy`, `Import the type by name: \`import type { ${name.getText().split('.').at(-1)} } from '…'\`.`);
  }
  const symbol = name.getSymbol();
  if (symbol === undefined) return undefined;
  const target = symbol.isAlias() ? symbol.getAliasedSymbol() : symbol;
  const declaration = target?.getDeclarations()[0];
  if (declaration === undefined || !isUserFile(declaration.getSourceFile())) return undefined;
  if (Node.isTypeParameterDeclaration(declaration)) return undefined;
  if (Node.isInterfaceDeclaration(declaration) || Node.isTypeAliasDeclaration(declaration) || Node.isEnumDeclaration(declaration)) {
    if (declaration.getName() !== name.getText()) return renamed(name, declaration.getName(), reporter);
    return declaration;
  }
  // Classes are reported where their values are resolved (resolve-type.ts); nothing to copy here.
  return undefined;
}

function renamed(node: Node, original: string, reporter: Reporter): undefined {
  return reporter.report(node, `'${node.getText()}' is '${original}' imported under another name, which the generated file cannot copy`, `Import it as \`${original}\`.`);
}

/** The declaration's text with its JSDoc, exported, without `declare` or `default`. */
function exported(declaration: Copyable): string {
  const text = declaration.getText(true);
  const start = declaration.getStart(true);
  const keywordStart = declaration.getStart(false) - start;
  const doc = text.slice(0, keywordStart);
  let rest = text.slice(keywordStart);
  rest = rest.replace(/^export\s+(default\s+)?/, '').replace(/^declare\s+/, '');
  return `${doc}export ${rest}`;
}
