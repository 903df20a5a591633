import { Node, SymbolFlags, ts, TypeFlags, type Symbol as MorphSymbol, type Type, type TypeChecker } from 'ts-morph';
import type { Shape, TypeRef } from './model.js';
import type { Reporter } from './reporter.js';
import { fieldTag, hasTag, isUserFile } from './source-facts.js';

/** A type as the user would write it at `at`, for messages: no `import("…")` qualifiers. */
function textOf(type: Type, at: Node): string {
  return type.getText(at, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
}

/** Where a type is being resolved: what to call it in a message, and where to point. */
export interface TypeScope {
  /** Diagnostics point here when the offending type has no declaration of its own. */
  readonly at: Node;
  /** For messages: `parameter 'points'`, `property 'x'`, `the result of 'add'`. */
  readonly subject: string;
  /** `@unchecked` is in force: `any` and `unknown` are accepted and travel unvalidated. */
  readonly unchecked: boolean;
}

const DATA_HINT = 'Use data: string, number, boolean, bigint, null, literals, enums, arrays, tuples, objects, Map, Set, Date or Uint8Array.';

/** Library types that travel, by the name of their declaration in the TypeScript or Node typings. */
const LIBRARY_TYPES: Record<string, 'date' | 'bytes' | 'map' | 'set'> = {
  Date: 'date',
  Uint8Array: 'bytes',
  Buffer: 'bytes',
  Map: 'map',
  ReadonlyMap: 'map',
  Set: 'set',
  ReadonlySet: 'set',
};

/** What to send instead of library types that cannot travel. */
const LIBRARY_HINTS: Record<string, string> = {
  Promise: "Send the value itself; only a method's result may be a Promise.",
  ArrayBuffer: 'Send a Uint8Array.',
  RegExp: 'Send its source as a string.',
  Error: 'Throw an RpcError from the handler instead; its details carry data.',
  WeakMap: 'Send a Map.',
  WeakSet: 'Send a Set.',
};

const STREAM_TYPES = new Set(['AsyncIterable', 'AsyncIterableIterator', 'AsyncGenerator', 'ReadableStream', 'Iterable']);

/**
 * Turns what the type checker resolved into wire types. Interfaces, object aliases, unions with
 * objects in them and enums become named shapes (so recursive types terminate and each gets one
 * validator); generic instances are named after their arguments (`Page<User>` → `Page_User`).
 * Everything that cannot travel is reported where it is written.
 */
export class TypeResolver {
  readonly #checker: TypeChecker;
  readonly #reporter: Reporter;
  readonly #shapes = new Map<string, Shape>();
  /** Each named type once: checker types are interned, so identity is equality. */
  readonly #names = new Map<ts.Type, string | null>();
  readonly #inline = new Set<ts.Type>();
  /** Shape names given out, so two different types never share one. */
  readonly #taken = new Set<string>();

  constructor(checker: TypeChecker, reporter: Reporter) {
    this.#checker = checker;
    this.#reporter = reporter;
  }

  /** Named shapes reached so far, sorted by name. */
  shapes(): Shape[] {
    return [...this.#shapes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The wire type of `type`; undefined (after reporting) when it cannot travel. */
  resolve(type: Type, scope: TypeScope): TypeRef | undefined {
    const flags = type.getFlags();
    if (isErrorType(type)) {
      return this.#reporter.report(scope.at, `${scope.subject} has type '${scope.at.getText()}', which is not declared`, 'Declare or import it; `Buffer` needs @types/node installed in the project.');
    }
    if (type.isAny() || type.isUnknown()) {
      if (scope.unchecked) return { kind: 'unknown' };
      return this.#reporter.report(
        scope.at,
        `${scope.subject} has type '${textOf(type, scope.at)}', which cannot be checked when it arrives`,
        'Declare the data type it carries, so the server can validate it; or mark the declaration `@unchecked` in its JSDoc to pass it through unvalidated.',
      );
    }
    if (type.isString()) return { kind: 'string' };
    if (type.isNumber()) return { kind: 'number' };
    if (type.isBoolean()) return { kind: 'boolean' };
    if (type.isBigInt()) return { kind: 'bigint' };
    if (type.isNull()) return { kind: 'null' };
    if (type.isUndefined()) return { kind: 'undefined' };
    if (type.isEnum()) return this.#enum(type, scope);
    if (type.isEnumLiteral() && !type.isUnion()) return { kind: 'literal', value: type.getLiteralValue() as string | number };
    if (type.isStringLiteral() || type.isNumberLiteral()) return { kind: 'literal', value: type.getLiteralValue() as string | number };
    if (type.isBooleanLiteral()) return { kind: 'literal', value: type.getText() === 'true' };
    if (type.isUnion()) return this.#union(type, scope, false);
    if (type.isVoid()) {
      return this.#reporter.report(scope.at, `${scope.subject} has type 'void', which is only allowed as a method result`, "Use null for 'no value'.");
    }
    if (type.isNever()) return this.#reporter.report(scope.at, `${scope.subject} has type 'never', which has no values to send`, DATA_HINT);
    if (type.isTypeParameter()) {
      return this.#reporter.report(scope.at, `${scope.subject} has type '${textOf(type, scope.at)}', a type parameter with no concrete type`, 'Instantiate the generic with concrete types where the service uses it, e.g. `Page<User>`.');
    }
    if (type.isTemplateLiteral() || flags & TypeFlags.StringMapping) {
      return this.#reporter.report(scope.at, `${scope.subject} has a template literal type, which is not supported`, 'Use string, or a union of string literals.');
    }
    if (flags & TypeFlags.ESSymbolLike) return this.#reporter.report(scope.at, `${scope.subject} has a symbol type, which cannot be sent over the wire`, DATA_HINT);
    if (flags & TypeFlags.BigIntLiteral) return this.#reporter.report(scope.at, `${scope.subject} has a bigint literal type, which is not supported`, 'Use bigint.');
    if (flags & TypeFlags.NonPrimitive) {
      return this.#reporter.report(scope.at, `${scope.subject} has type 'object', which says nothing about the data`, 'Declare an interface, or `Record<string, T>` for arbitrary keys.');
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      return this.#reporter.report(scope.at, `${scope.subject} has a function type, which cannot be sent over the wire`, DATA_HINT + ' Split behaviour into a separate call.');
    }
    if (type.isArray() || type.isReadonlyArray()) {
      const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
      if (element === undefined) return this.#reporter.report(scope.at, `${scope.subject} is an array of unknown elements`, DATA_HINT);
      const resolved = this.resolve(element, { ...scope, subject: `${scope.subject} (an element)` });
      return resolved && { kind: 'array', element: resolved };
    }
    if (type.isTuple()) return this.#tuple(type, scope);
    const library = libraryName(type);
    if (library !== undefined) return this.#library(type, library, scope);
    if (type.isObject() || type.isIntersection()) return this.#object(type, scope);
    return this.#reporter.report(scope.at, `${scope.subject} has type '${textOf(type, scope.at)}', which is not supported`, DATA_HINT);
  }

  /**
   * A union, with `undefined` dropped when the property or parameter is optional (its `?` says
   * that already). `true | false` reads back as boolean, and a whole enum as the enum.
   */
  resolveOptional(type: Type, scope: TypeScope): TypeRef | undefined {
    return type.isUnion() && !type.isEnum() && !type.isBoolean() ? this.#union(type, scope, true) : this.resolve(type, scope);
  }

  #union(type: Type, scope: TypeScope, dropUndefined: boolean): TypeRef | undefined {
    const name = this.#shapeName(type);
    // A named union is one shape for every use, optional or not, so it keeps its undefined.
    if (name !== undefined && this.#containsObject(type)) return this.#named(type, name, () => this.#unionBody(type, scope, false));
    return this.#unionBody(type, scope, dropUndefined);
  }

  #unionBody(type: Type, scope: TypeScope, dropUndefined: boolean): TypeRef | undefined {
    const members: TypeRef[] = [];
    const objectTypes: Type[] = [];
    let booleans = 0;
    const enums = new Map<MorphSymbol, Type[]>();
    let ok = true;
    for (const member of type.getUnionTypes()) {
      if (dropUndefined && member.isUndefined()) continue;
      if (member.isBooleanLiteral()) {
        booleans += 1;
        continue;
      }
      const parent = member.isEnumLiteral() ? enumOf(member) : undefined;
      if (parent !== undefined) {
        enums.set(parent, [...(enums.get(parent) ?? []), member]);
        continue;
      }
      const resolved = this.resolve(member, scope);
      if (resolved === undefined) ok = false;
      else {
        members.push(resolved);
        if (this.#isObject(resolved)) objectTypes.push(member);
      }
    }
    if (booleans === 2) members.unshift({ kind: 'boolean' });
    else if (booleans === 1) {
      const literal = type.getUnionTypes().find((m) => m.isBooleanLiteral());
      members.unshift({ kind: 'literal', value: literal?.getText() === 'true' });
    }
    for (const [symbol, literals] of enums) {
      const declaration = symbol.getDeclarations()[0];
      const all = declaration !== undefined && Node.isEnumDeclaration(declaration) && declaration.getMembers().length === literals.length;
      if (all) {
        const resolved = this.resolve(declaration.getType(), scope);
        if (resolved === undefined) ok = false;
        else members.push(resolved);
      } else {
        for (const literal of literals) members.push({ kind: 'literal', value: literal.getLiteralValue() as string | number });
      }
    }
    if (!ok) return undefined;
    if (members.length === 1) return members[0];
    return this.#checkUnion(members, objectTypes, type, scope);
  }

  /** A validator must tell the members apart by what arrives; say so when it could not. */
  #checkUnion(members: TypeRef[], objectTypes: readonly Type[], type: Type, scope: TypeScope): TypeRef | undefined {
    const objects = members.filter((m) => this.#isObject(m));
    const arrays = members.filter((m) => m.kind === 'array' || m.kind === 'tuple');
    const text = textOf(type, scope.at);
    if (arrays.length > 1) {
      return this.#reporter.report(scope.at, `${scope.subject} has type '${text}', a union of several array types that cannot be told apart when they arrive`, 'Use one array type whose elements are a union, or wrap each in an object with a discriminant property.');
    }
    for (const kind of ['map', 'set'] as const) {
      if (members.filter((m) => m.kind === kind).length > 1) {
        return this.#reporter.report(scope.at, `${scope.subject} has type '${text}', a union of several ${kind === 'map' ? 'Map' : 'Set'} types that cannot be told apart when they arrive`, 'Use one type whose elements are a union.');
      }
    }
    if (objects.length <= 1) return { kind: 'union', members };
    const discriminant = this.#discriminant(objectTypes, scope.at);
    if (discriminant === undefined) {
      return this.#reporter.report(scope.at, `${scope.subject} has type '${text}', a union of object types without a discriminant`, "Give every object member a property with a distinct literal value, e.g. `kind: 'circle'` and `kind: 'square'`.");
    }
    return { kind: 'union', members, discriminant };
  }

  /**
   * The first property every object member has, required, with literal values no two members
   * share. Read from the checker's types: a member's shape may still be being resolved (recursion).
   */
  #discriminant(objects: readonly Type[], at: Node): string | undefined {
    const [first] = objects;
    if (first === undefined) return undefined;
    for (const candidate of first.getProperties()) {
      const seen = new Set<unknown>();
      const fits = objects.every((object) => {
        const property = object.getProperty(candidate.getName());
        if (property === undefined || property.hasFlags(SymbolFlags.Optional)) return false;
        const type = this.#checker.getTypeOfSymbolAtLocation(property, at);
        const literals = type.isUnion() ? type.getUnionTypes() : [type];
        if (!literals.every((l) => l.isLiteral() || l.isBooleanLiteral())) return false;
        const values = literals.map((l) => (l.isBooleanLiteral() ? l.getText() === 'true' : l.getLiteralValue()));
        if (values.some((v) => seen.has(v))) return false;
        for (const v of values) seen.add(v);
        return true;
      });
      if (fits) return candidate.getName();
    }
    return undefined;
  }

  #isObject(type: TypeRef): boolean {
    if (type.kind === 'object') return true;
    if (type.kind !== 'ref') return false;
    const shape = this.#shapes.get(type.name);
    // A shape still being resolved is a recursive reference to an object or union; unions of unions flatten.
    return shape === undefined || shape.type.kind === 'object';
  }

  #containsObject(type: Type): boolean {
    return type.getUnionTypes().some((m) => !m.isLiteral() && !m.isEnumLiteral() && (m.isObject() || m.isIntersection()) && libraryName(m) === undefined && !m.isArray());
  }

  #enum(type: Type, scope: TypeScope): TypeRef | undefined {
    const symbol = type.getSymbol();
    const declaration = symbol?.getDeclarations()[0];
    if (symbol === undefined || declaration === undefined || !Node.isEnumDeclaration(declaration)) {
      return this.#reporter.report(scope.at, `${scope.subject} has an enum type whose declaration cannot be found`, DATA_HINT);
    }
    return this.#named(type, symbol.getName(), () => {
      const members = declaration.getMembers().map((m) => ({ name: m.getName(), value: m.getValue() }));
      const computed = declaration.getMembers().find((m) => m.getValue() === undefined);
      if (computed !== undefined) {
        return this.#reporter.report(computed, `enum member '${computed.getName()}' has a computed value, which cannot be known when generating`, 'Give it a literal value.');
      }
      return { kind: 'enum', members: members as { name: string; value: string | number }[] };
    });
  }

  #tuple(type: Type, scope: TypeScope): TypeRef | undefined {
    const target = (type.compilerType as ts.TupleTypeReference).target as ts.TupleType | undefined;
    const flags = target?.elementFlags ?? [];
    if (flags.some((f) => f & (ts.ElementFlags.Rest | ts.ElementFlags.Variadic))) {
      return this.#reporter.report(scope.at, `${scope.subject} has a tuple type with a rest element, which is not supported`, 'Use an array, or a tuple of fixed length.');
    }
    const elements = [];
    for (const [index, element] of type.getTupleElements().entries()) {
      const optional = ((flags[index] ?? 0) & ts.ElementFlags.Optional) !== 0;
      const resolved = optional
        ? this.resolveOptional(element, { ...scope, subject: `${scope.subject} (element ${index})` })
        : this.resolve(element, { ...scope, subject: `${scope.subject} (element ${index})` });
      if (resolved === undefined) return undefined;
      elements.push({ type: resolved, optional });
    }
    return { kind: 'tuple', elements };
  }

  #library(type: Type, name: string, scope: TypeScope): TypeRef | undefined {
    const kind = LIBRARY_TYPES[name];
    const args = type.getTypeArguments();
    switch (kind) {
      case 'date':
        return { kind: 'date' };
      case 'bytes':
        return { kind: 'bytes' };
      case 'map': {
        const [k, v] = args;
        if (k === undefined || v === undefined) return this.#reporter.report(scope.at, `${scope.subject} is a Map without key and value types`, 'Write `Map<K, V>`.');
        const key = this.resolve(k, { ...scope, subject: `${scope.subject} (a key)` });
        const value = this.resolve(v, { ...scope, subject: `${scope.subject} (a value)` });
        return key && value && { kind: 'map', key, value };
      }
      case 'set': {
        const [e] = args;
        if (e === undefined) return this.#reporter.report(scope.at, `${scope.subject} is a Set without an element type`, 'Write `Set<T>`.');
        const element = this.resolve(e, { ...scope, subject: `${scope.subject} (an element)` });
        return element && { kind: 'set', element };
      }
    }
    if (STREAM_TYPES.has(name)) {
      return this.#reporter.report(scope.at, `${scope.subject} has a stream ('${textOf(type, scope.at)}') inside another type; only a whole parameter or a method's whole result can be a stream`, 'Make it a parameter of its own (`values: AsyncIterable<T>`) or the result, or send an array.');
    }
    return this.#reporter.report(scope.at, `${scope.subject} has type '${textOf(type, scope.at)}', a library type that cannot be sent over the wire`, LIBRARY_HINTS[name] ?? DATA_HINT);
  }

  #object(type: Type, scope: TypeScope): TypeRef | undefined {
    const symbol = type.getSymbol();
    const declaration = symbol?.getDeclarations()[0];
    if (declaration !== undefined && Node.isClassDeclaration(declaration)) {
      const methods = declaration.getMethods().length + declaration.getGetAccessors().length > 0;
      const why = methods ? 'a class with methods; only data travels, so the receiver would get a plain object without them' : 'a class; only data travels, so the receiver would get a plain object, not an instance';
      return this.#reporter.report(scope.at, `${scope.subject} has type '${textOf(type, scope.at)}', ${why}`, `Declare an interface with the data of '${declaration.getName() ?? 'the class'}' and send that.`);
    }
    const name = this.#shapeName(type);
    if (name !== undefined) return this.#named(type, name, () => this.#objectBody(type, scope));
    if (this.#inline.has(type.compilerType)) {
      return this.#reporter.report(scope.at, `${scope.subject} has a recursive anonymous type`, 'Give the recursive type a name: an interface or a type alias.');
    }
    this.#inline.add(type.compilerType);
    try {
      return this.#objectBody(type, scope);
    } finally {
      this.#inline.delete(type.compilerType);
    }
  }

  #objectBody(type: Type, scope: TypeScope): TypeRef | undefined {
    const owner = type.getAliasSymbol() ?? type.getSymbol();
    const ownerDeclaration = owner?.getDeclarations()[0];
    const ownerUnchecked = scope.unchecked || (ownerDeclaration !== undefined && hasTag(ownerDeclaration, 'unchecked'));
    const properties = [];
    let ok = true;
    const methods = [];
    for (const property of type.getProperties()) {
      const name = property.getName();
      const declaration = property.getDeclarations()[0];
      const at = declaration !== undefined && isUserFile(declaration.getSourceFile()) ? declaration : scope.at;
      if (declaration !== undefined && (Node.isMethodSignature(declaration) || Node.isMethodDeclaration(declaration))) {
        methods.push(declaration);
        continue;
      }
      if (name.startsWith('__@')) {
        this.#reporter.report(at, `${scope.subject} has a property keyed by a symbol, which cannot be sent over the wire`, 'Use a string key.');
        ok = false;
        continue;
      }
      const optional = property.hasFlags(SymbolFlags.Optional);
      const unchecked = ownerUnchecked || (declaration !== undefined && hasTag(declaration, 'unchecked'));
      const propertyType = this.#checker.getTypeOfSymbolAtLocation(property, scope.at);
      const propertyScope = { at, subject: `property '${name}'`, unchecked };
      const resolved = optional ? this.resolveOptional(propertyType, propertyScope) : this.resolve(propertyType, propertyScope);
      if (resolved === undefined) {
        ok = false;
        continue;
      }
      const field = declaration === undefined ? undefined : fieldTag(declaration, this.#reporter);
      properties.push({ name, type: resolved, optional, field });
    }
    if (methods.length > 0) {
      this.#reportMethods(type, scope, methods.length === type.getProperties().length, methods[0]?.getName() ?? '');
      return undefined;
    }
    const index = type.getStringIndexType();
    let rest: TypeRef | undefined;
    if (index !== undefined) {
      rest = this.resolve(index, { ...scope, subject: `${scope.subject} (an index signature value)`, unchecked: ownerUnchecked });
      if (rest === undefined) ok = false;
    } else if (type.getNumberIndexType() !== undefined) {
      return this.#reporter.report(scope.at, `${scope.subject} has a number index signature; keys travel as strings`, 'Use `Map<number, T>` for number keys, or `Record<string, T>`.');
    }
    if (!ok) return undefined;
    return rest === undefined ? { kind: 'object', properties } : { kind: 'object', properties, rest };
  }

  /** Methods in a data type: said the same way as the service parser says it, so it is reported once. */
  #reportMethods(type: Type, scope: TypeScope, onlyMethods: boolean, method: string): void {
    const owner = type.getAliasSymbol() ?? type.getSymbol();
    const declaration = owner?.getDeclarations()[0];
    const named = declaration !== undefined && Node.isInterfaceDeclaration(declaration) && isUserFile(declaration.getSourceFile());
    if (named && !onlyMethods) {
      this.#reporter.report(declaration.getNameNode(), `interface '${declaration.getName()}' mixes properties and methods; a service has only methods, a data type only properties`, 'Move the properties into a data type and pass it as a parameter, or move the methods into a service.');
    } else if (onlyMethods) {
      this.#reporter.report(scope.at, `${scope.subject} has type '${textOf(type, scope.at)}', which has only methods; only data can be sent`, 'Send data; a client calls a service directly.');
    } else {
      this.#reporter.report(scope.at, `${scope.subject} has a method ('${method}'); a data type has only properties`, 'Move the method into a service, and send only the data.');
    }
  }

  /** Registers a named shape before resolving its body, so recursive references find it. */
  #named(type: Type, name: string, body: () => TypeRef | undefined): TypeRef | undefined {
    const known = this.#names.get(type.compilerType);
    if (known === null) return undefined;
    if (known !== undefined) return { kind: 'ref', name: known };
    let unique = name;
    for (let n = 2; this.#taken.has(unique); n++) unique = `${name}_${n}`;
    this.#taken.add(unique);
    this.#names.set(type.compilerType, unique);
    const resolved = body();
    if (resolved === undefined) {
      this.#names.set(type.compilerType, null);
      return undefined;
    }
    this.#shapes.set(unique, { name: unique, type: resolved, display: type.getText(undefined, ts.TypeFormatFlags.NoTruncation) });
    return { kind: 'ref', name: unique };
  }

  /**
   * The shape name of an interface, class or aliased type, with type arguments appended; undefined
   * for anonymous object types (they are checked inline) and `Record<string, T>`.
   */
  #shapeName(type: Type): string | undefined {
    const alias = type.getAliasSymbol();
    let base: string | undefined;
    let args: Type[] = [];
    if (alias !== undefined) {
      if (alias.getName() === 'Record' && type.getProperties().length === 0) return undefined;
      base = alias.getName();
      args = type.getAliasTypeArguments();
    } else if (type.isInterface() || type.isClass() || (type.getSymbol() !== undefined && (type.getObjectFlags() & ts.ObjectFlags.Reference) !== 0)) {
      const symbol = type.getSymbol();
      if (symbol === undefined || symbol.getName().startsWith('__')) return undefined;
      base = symbol.getName();
      const target = (type.compilerType as ts.TypeReference).target as ts.InterfaceType | undefined;
      args = type.getTypeArguments().slice(0, target?.typeParameters?.length ?? 0);
    }
    if (base === undefined) return undefined;
    return [base, ...args.map((a) => identifierOf(this.#checker.compilerObject.typeToString(a.compilerType)))].join('_');
  }
}

/** The checker's stand-in for a name it could not resolve: it behaves as `any`, but is a mistake. */
function isErrorType(type: Type): boolean {
  return type.isAny() && (type.compilerType as { intrinsicName?: string }).intrinsicName === 'error';
}

/** `Page<User[]>` → `User_array`-like readable identifier parts. */
function identifierOf(text: string): string {
  return text.replace(/\[\]/g, '_array').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'type';
}


function enumOf(literal: Type): MorphSymbol | undefined {
  const declaration = literal.getSymbol()?.getDeclarations()[0];
  const parent = declaration?.getParent();
  return parent !== undefined && Node.isEnumDeclaration(parent) ? parent.getSymbol() : undefined;
}

/**
 * The name of a library type's declaration (from TypeScript's or Node's typings, or a package),
 * or undefined for types the user declared in the project.
 */
function libraryName(type: Type): string | undefined {
  if (type.isArray() || type.isTuple()) return undefined;
  const symbol = type.getSymbol() ?? type.getAliasSymbol();
  const declaration = symbol?.getDeclarations()[0];
  if (symbol === undefined || declaration === undefined) return undefined;
  if (isUserFile(declaration.getSourceFile())) return undefined;
  const name = symbol.getName();
  // Anonymous shapes from library mapped types (Partial<User>) are the user's data, not the library's.
  if (name.startsWith('__')) return undefined;
  return name;
}
