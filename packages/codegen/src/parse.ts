import {
  Node,
  Project,
  SyntaxKind,
  type InterfaceDeclaration,
  type JSDocableNode,
  type MethodSignature,
  type PropertySignature,
  type SourceFile,
  type TypeElementTypes,
  type TypeNode,
  type TypeReferenceNode,
} from 'ts-morph';
import type { Diagnostic } from './diagnostic.js';
import { messageValidatorName, validatorName } from './emit-validators.js';
import type { DataType, Method, Param, Property, Service, ServiceFile, TypeRef } from './model.js';

/** One service file: `path` is how diagnostics and the generated header name it. */
export interface SourceInput {
  readonly path: string;
  readonly text: string;
}

/** The model when the file is usable, and every problem found; `file` is absent when there are any. */
export interface ParseResult {
  readonly file?: ServiceFile | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Names the generated file imports from the runtime; a data type may not take them. */
const RUNTIME_IMPORTS = ['CallContext', 'CallOptions', 'Channel'];

const DATA_TYPES_HINT = 'Use a data type (string, number, boolean, null, arrays, objects) or split it into a separate call.';

/** Types from the standard library that users reach for, and what to send instead until they are supported. */
const LATER_TYPES: Record<string, string> = {
  Date: 'Send a number of milliseconds since the epoch, or an ISO 8601 string.',
  Map: 'Send an array of { key, value } objects.',
  Set: 'Send an array.',
  Record: 'Send an array of { key, value } objects.',
  ReadonlyArray: "Use 'T[]'.",
  Uint8Array: 'Send an array of numbers, or a base64 string.',
  ArrayBuffer: 'Send an array of numbers, or a base64 string.',
  Buffer: 'Send an array of numbers, or a base64 string.',
};

/** The one way to declare a stream: a whole parameter or a whole result of this type. */
const STREAM = 'AsyncIterable';

/** Stream types users reach for instead of AsyncIterable, and why AsyncIterable still fits them. */
const OTHER_STREAM_TYPES: Record<string, string> = {
  AsyncGenerator: 'a handler written as an async generator function still fits it.',
  AsyncIterableIterator: 'a handler written as an async generator function still fits it.',
  ReadableStream: "Node's ReadableStream is async-iterable, so one can still be passed.",
};

function isStreamName(name: string): boolean {
  return name === STREAM || Object.hasOwn(OTHER_STREAM_TYPES, name);
}

/** The stream type a parameter or result is written as, looking through parentheses. */
function asStream(node: TypeNode): TypeReferenceNode | undefined {
  let inner = node;
  while (Node.isParenthesizedTypeNode(inner)) inner = inner.getTypeNode();
  return Node.isTypeReference(inner) && isStreamName(inner.getTypeName().getText()) ? inner : undefined;
}

/** Whether a stream type appears anywhere inside `node`. */
function hasStream(node: TypeNode): boolean {
  return [node, ...node.getDescendantsOfKind(SyntaxKind.TypeReference)].some((n) => asStream(n) !== undefined);
}

/**
 * Reads one service file into the model. Works on syntax only (no type checker): what the user
 * wrote is what travels, and an unsupported construct is reported where it is written.
 */
export function parseServiceFile(input: SourceInput): ParseResult {
  const project = new Project({ useInMemoryFileSystem: true });
  const parser = new Parser(input, project.createSourceFile('/service.ts', input.text));
  return parser.run();
}

class Parser {
  readonly #diagnostics: Diagnostic[] = [];
  readonly #lines: string[];
  readonly #imported = new Set<string>();
  /** Names of declarations in the file that are neither interfaces nor type aliases. */
  readonly #otherDeclarations = new Map<string, string>();
  readonly #dataTypeNames = new Set<string>();
  readonly #serviceNames = new Set<string>();

  constructor(
    readonly input: SourceInput,
    readonly sourceFile: SourceFile,
  ) {
    this.#lines = input.text.split(/\r?\n/);
  }

  run(): ParseResult {
    const sf = this.sourceFile;
    this.#collectNames();
    const dataTypes: DataType[] = [];
    const services: Service[] = [];
    for (const statement of sf.getStatements()) {
      if (Node.isInterfaceDeclaration(statement)) {
        if (this.#serviceNames.has(statement.getName())) {
          services.push(this.#service(statement));
        } else {
          const dataType = this.#interface(statement);
          if (dataType) dataTypes.push(dataType);
        }
      } else if (Node.isTypeAliasDeclaration(statement)) {
        const name = statement.getName();
        if (statement.getTypeParameters().length > 0) {
          this.#report(statement.getNameNode(), `type alias '${name}' is generic, which is not supported yet`, 'Write the type out without type parameters.');
        }
        const type = this.#type(statement.getTypeNodeOrThrow(), `type alias '${name}'`);
        if (type) dataTypes.push({ kind: 'alias', name, doc: docOf(statement), type });
      }
    }
    this.#checkGeneratedNames([...sf.getInterfaces(), ...sf.getTypeAliases()]);
    if (services.length === 0 && this.#diagnostics.length === 0) {
      this.#reportAt(0, 1, 'no service found: a service is an exported interface whose members are all methods', 'Export an interface such as `export interface Greeter { hello(name: string): Promise<string> }`.');
    }
    if (this.#diagnostics.length > 0) {
      return { diagnostics: this.#diagnostics.sort((a, b) => a.line - b.line || a.column - b.column) };
    }
    return { file: { source: this.input.path, dataTypes, services }, diagnostics: [] };
  }

  /** Classifies declarations first so references can be checked in any order. */
  #collectNames(): void {
    const sf = this.sourceFile;
    for (const decl of sf.getImportDeclarations()) {
      const def = decl.getDefaultImport();
      if (def) this.#imported.add(def.getText());
      const ns = decl.getNamespaceImport();
      if (ns) this.#imported.add(ns.getText());
      for (const named of decl.getNamedImports()) this.#imported.add((named.getAliasNode() ?? named.getNameNode()).getText());
    }
    for (const e of sf.getEnums()) this.#otherDeclarations.set(e.getName(), 'an enum');
    for (const c of sf.getClasses()) {
      const name = c.getName();
      if (name) this.#otherDeclarations.set(name, 'a class');
    }
    for (const i of sf.getInterfaces()) {
      const members = i.getMembers();
      const isService = i.isExported() && members.length > 0 && members.every((m) => Node.isMethodSignature(m));
      (isService ? this.#serviceNames : this.#dataTypeNames).add(i.getName());
    }
    for (const a of sf.getTypeAliases()) this.#dataTypeNames.add(a.getName());
  }

  #interface(decl: InterfaceDeclaration): DataType | undefined {
    const name = decl.getName();
    const members = decl.getMembers();
    const methods = members.filter((m) => Node.isMethodSignature(m));
    if (methods.length > 0) {
      if (methods.length < members.length) {
        this.#report(decl.getNameNode(), `interface '${name}' mixes properties and methods; a service has only methods, a data type only properties`, 'Move the properties into a data type and pass it as a parameter, or move the methods into a service.');
      } else {
        this.#report(decl.getNameNode(), `interface '${name}' has only methods but is not exported, so it is not a service`, 'Export it to make it a service.');
      }
      return undefined;
    }
    this.#checkPlainInterface(decl, name);
    const properties = this.#properties(members, `'${name}'`);
    return properties && { kind: 'interface', name, doc: docOf(decl), properties };
  }

  #checkPlainInterface(decl: InterfaceDeclaration, name: string): void {
    if (decl.getTypeParameters().length > 0) {
      this.#report(decl.getNameNode(), `interface '${name}' is generic, which is not supported yet`, 'Write the type out without type parameters.');
    }
    for (const clause of decl.getHeritageClauses()) {
      this.#report(clause, `interface '${name}' extends another type, which is not supported yet`, 'Repeat the properties in this interface.');
    }
  }

  /** Properties of an interface or object literal; undefined when any of them is unusable. */
  #properties(members: TypeElementTypes[], owner: string): Property[] | undefined {
    const properties: Property[] = [];
    let ok = true;
    for (const member of members) {
      if (!Node.isPropertySignature(member)) {
        this.#report(member, `${owner} has a member that is not a property`, 'A data type has only properties: `name: type` or `name?: type`.');
        ok = false;
        continue;
      }
      const property = this.#property(member);
      if (property) properties.push(property);
      else ok = false;
    }
    return ok ? properties : undefined;
  }

  #property(member: PropertySignature): Property | undefined {
    const nameNode = member.getNameNode();
    if (!Node.isIdentifier(nameNode) && !Node.isStringLiteral(nameNode)) {
      this.#report(nameNode, 'computed property names are not supported', 'Use a plain property name.');
      return undefined;
    }
    const name = Node.isStringLiteral(nameNode) ? nameNode.getLiteralText() : nameNode.getText();
    const typeNode = member.getTypeNode();
    if (!typeNode) {
      this.#report(member, `property '${name}' has no type`, 'Declare its type: `name: string`.');
      return undefined;
    }
    const type = this.#type(typeNode, `property '${name}'`);
    if (!type) return undefined;
    return { name, type, optional: member.hasQuestionToken(), readonly: member.isReadonly(), doc: docOf(member) };
  }

  #service(decl: InterfaceDeclaration): Service {
    const name = decl.getName();
    if (decl.getTypeParameters().length > 0) {
      this.#report(decl.getNameNode(), `service '${name}' is generic, which is not supported`, 'Write the types out without type parameters.');
    }
    for (const clause of decl.getHeritageClauses()) {
      this.#report(clause, `service '${name}' extends another interface, which is not supported yet`, 'Declare all its methods in this interface.');
    }
    const seen = new Set<string>();
    /** Generated validator function names, and the method each belongs to. */
    const functions = new Map<string, string>();
    const methods: Method[] = [];
    for (const signature of decl.getMethods()) {
      const methodName = signature.getName();
      if (seen.has(methodName)) {
        this.#report(signature.getNameNode(), `method '${methodName}' is declared more than once; overloads are not supported`, 'Give each variant its own method name.');
        continue;
      }
      seen.add(methodName);
      const method = this.#method(signature, methodName);
      if (!method) continue;
      methods.push(method);
      const service = { name, methods: [] };
      const names = [validatorName(service, method)];
      if (method.streamParam !== undefined) names.push(messageValidatorName(service, method));
      for (const fn of names) {
        const other = functions.get(fn);
        if (other) this.#report(signature.getNameNode(), `method '${methodName}' clashes with method '${other}': both would generate the function '${fn}'`, 'Rename one of them.');
        functions.set(fn, methodName);
      }
    }
    return { name, doc: docOf(decl), methods };
  }

  #method(signature: MethodSignature, name: string): Method | undefined {
    let ok = true;
    const nameNode = signature.getNameNode();
    if (!Node.isIdentifier(nameNode)) {
      this.#report(nameNode, 'method names must be plain identifiers', 'Rename the method.');
      ok = false;
    }
    if (signature.hasQuestionToken()) {
      this.#report(nameNode, `method '${name}' is optional, which is not supported`, 'Remove the `?`: every method of a service is callable.');
      ok = false;
    }
    if (signature.getTypeParameters().length > 0) {
      this.#report(nameNode, `method '${name}' is generic, which is not supported`, 'Write the types out without type parameters.');
      ok = false;
    }
    const params: Param[] = [];
    let streamParam: number | undefined;
    /** The first parameter written as a stream, even a malformed one, so a second is reported once. */
    let firstStream: string | undefined;
    for (const param of signature.getParameters()) {
      const paramName = param.getName();
      if (param.isRestParameter()) {
        this.#report(param, 'rest parameters are not supported: arguments travel as a positional array', `Take an array instead: \`${paramName}: ${param.getTypeNode()?.getText() ?? 'T[]'}\`.`);
        ok = false;
        continue;
      }
      if (!Node.isIdentifier(param.getNameNode())) {
        this.#report(param.getNameNode(), 'destructured parameters are not supported', 'Name the parameter and give it an object type.');
        ok = false;
        continue;
      }
      const typeNode = param.getTypeNode();
      if (!typeNode) {
        this.#report(param, `parameter '${paramName}' has no type`, `Declare its type: \`${paramName}: string\`.`);
        ok = false;
        continue;
      }
      const streamNode = asStream(typeNode);
      if (streamNode) {
        const type = this.#streamParameter(param.hasQuestionToken() ? param : undefined, streamNode, paramName, name, firstStream);
        firstStream ??= paramName;
        if (type) {
          streamParam = params.length;
          params.push({ name: paramName, type, optional: false });
        } else ok = false;
        continue;
      }
      const type = this.#type(typeNode, `parameter '${paramName}'`);
      if (type) params.push({ name: paramName, type, optional: param.hasQuestionToken() });
      else ok = false;
    }
    const result = this.#result(signature, name, firstStream);
    if (!ok || !result) return undefined;
    const kind =
      result.shape === 'stream'
        ? streamParam === undefined ? 'server-stream' : 'bidi-stream'
        : result.shape === 'void' ? 'oneway' : streamParam === undefined ? 'unary' : 'client-stream';
    return { name, doc: docOf(signature), kind, params, streamParam, returns: result.returns };
  }

  /**
   * A parameter written as a stream. A call carries one stream each way, and an absent stream is
   * an empty one, so a second stream parameter and an optional one are errors.
   */
  #streamParameter(optional: Node | undefined, node: TypeReferenceNode, name: string, method: string, first: string | undefined): TypeRef | undefined {
    if (first !== undefined) {
      return this.#unsupported(node, `method '${method}' takes more than one stream ('${first}' and '${name}'); a call carries at most one stream each way`, `Send one stream of objects, e.g. \`AsyncIterable<{ ${first}?: A; ${name}?: B }>\`, or split the method in two.`);
    }
    if (optional) {
      return this.#unsupported(optional, `stream parameter '${name}' is optional, which is not supported`, 'Remove the `?`: a caller with nothing to send passes an empty stream.');
    }
    return this.#stream(node, `parameter '${name}' has type`, `each message of parameter '${name}'`);
  }

  /** The message type `T` of `AsyncIterable<T>` written as a whole parameter or result; reports other stream types. */
  #stream(node: TypeReferenceNode, subject: string, messages: string): TypeRef | undefined {
    const name = node.getTypeName().getText();
    const [message, ...extra] = node.getTypeArguments();
    const written = `AsyncIterable<${message ? brief(message) : 'T'}>`;
    const why = OTHER_STREAM_TYPES[name];
    if (why) return this.#unsupported(node, `${subject} '${brief(node)}'; streams are declared as AsyncIterable<T>`, `Write \`${written}\`: ${why}`);
    if (!message || extra.length > 0) {
      const hint = message ? `Write \`${written}\`: only the messages travel, not a return value.` : 'Write `AsyncIterable<T>`, with T the type of each message.';
      return this.#unsupported(node, `${subject} '${brief(node)}'; a stream takes one type argument, the type of its messages`, hint);
    }
    if (message.getKind() === SyntaxKind.VoidKeyword) {
      return this.#unsupported(message, `${messages} has type 'void'; a stream carries values`, 'Use `AsyncIterable<null>` for messages without content, or `Promise<void>` for a call that only completes.');
    }
    return this.#type(message, messages);
  }

  /**
   * `void` makes a one-way call, `Promise<T>` a call with a reply, `AsyncIterable<T>` a stream
   * of them; anything else is an error. `stream` names the method's stream parameter, if any.
   */
  #result(signature: MethodSignature, name: string, stream: string | undefined): { shape: 'void' | 'promise' | 'stream'; returns: TypeRef } | undefined {
    const node = signature.getReturnTypeNode();
    if (!node) {
      this.#report(signature, `method '${name}' has no return type`, 'Declare `Promise<T>` for a call with a reply, `AsyncIterable<T>` for a stream, or `void` for a one-way call.');
      return undefined;
    }
    if (node.getKind() === SyntaxKind.VoidKeyword) {
      if (stream !== undefined) {
        return this.#unsupported(node, `method '${name}' takes a stream ('${stream}') but returns void; a one-way call cannot carry a stream`, 'Return `Promise<void>` to learn when the server has taken the whole stream, or `Promise<R>` for a reply.');
      }
      return { shape: 'void', returns: { kind: 'void' } };
    }
    const streamNode = asStream(node);
    if (streamNode) {
      const returns = this.#stream(streamNode, `method '${name}' returns`, `each message of '${name}'`);
      return returns && { shape: 'stream', returns };
    }
    if (Node.isTypeReference(node)) {
      const args = node.getTypeArguments();
      if (node.getTypeName().getText() === 'Promise' && args.length === 1 && args[0]) {
        const inner = args[0];
        if (inner.getKind() === SyntaxKind.VoidKeyword) return { shape: 'promise', returns: { kind: 'void' } };
        const innerStream = asStream(inner);
        if (innerStream) {
          const message = innerStream.getTypeArguments()[0];
          return this.#unsupported(node, `method '${name}' returns '${brief(node)}'; a stream is returned as it is, not in a Promise`, `Write \`AsyncIterable<${message ? brief(message) : 'T'}>\`: messages arrive as the server sends them.`);
        }
        const returns = this.#type(inner, `the result of '${name}'`);
        return returns && { shape: 'promise', returns };
      }
    }
    if (hasStream(node)) {
      return this.#unsupported(node, `method '${name}' returns '${brief(node)}', a stream inside another type; a stream must be the whole result`, 'Return `AsyncIterable<T>` itself; to send nothing, end the stream at once.');
    }
    this.#report(node, `method '${name}' returns '${brief(node)}'; a method must return Promise<T> (a call with a reply), AsyncIterable<T> (a stream) or void (one-way)`, `Write \`Promise<${brief(node)}>\`: the reply arrives asynchronously.`);
    return undefined;
  }

  /** Converts a type as written; reports and returns undefined when it cannot travel. */
  #type(node: TypeNode, subject: string): TypeRef | undefined {
    switch (node.getKind()) {
      case SyntaxKind.NumberKeyword:
        return { kind: 'number' };
      case SyntaxKind.StringKeyword:
        return { kind: 'string' };
      case SyntaxKind.BooleanKeyword:
        return { kind: 'boolean' };
      case SyntaxKind.FunctionType:
      case SyntaxKind.ConstructorType:
        return this.#unsupported(node, `${subject} has a function type, which cannot be sent over the wire`, DATA_TYPES_HINT);
      case SyntaxKind.AnyKeyword:
      case SyntaxKind.UnknownKeyword:
        return this.#unsupported(node, `${subject} has type '${node.getText()}', which cannot be checked when it arrives`, 'Declare the data type it carries, so the server can validate it.');
      case SyntaxKind.BigIntKeyword:
        return this.#unsupported(node, `${subject} has type 'bigint', which is not supported yet`, 'Send a number, or a string of digits.');
      case SyntaxKind.UndefinedKeyword:
        return this.#undefined(node, subject);
      case SyntaxKind.VoidKeyword:
        return this.#unsupported(node, `${subject} has type 'void', which is only allowed as a method result`, "Use null for 'no value'.");
      case SyntaxKind.TupleType:
        return this.#unsupported(node, `${subject} has a tuple type, which is not supported yet`, 'Use an object with named properties, or an array of one type.');
    }
    if (Node.isParenthesizedTypeNode(node)) return this.#type(node.getTypeNode(), subject);
    if (Node.isLiteralTypeNode(node)) {
      if (node.getLiteral().getKind() === SyntaxKind.NullKeyword) return { kind: 'null' };
      return this.#unsupported(node, `${subject} has a literal type, which is not supported yet`, 'Use string, number or boolean.');
    }
    if (Node.isArrayTypeNode(node)) {
      const element = this.#type(node.getElementTypeNode(), subject);
      return element && { kind: 'array', element };
    }
    if (Node.isTypeLiteral(node)) {
      const properties = this.#properties(node.getMembers(), subject);
      return properties && { kind: 'object', properties };
    }
    if (Node.isUnionTypeNode(node)) return this.#union(node, node.getTypeNodes(), subject);
    if (Node.isTypeReference(node)) return this.#reference(node, subject);
    return this.#unsupported(node, `${subject} has type '${brief(node)}', which is not supported`, 'Use string, number, boolean, null, arrays, object types, or interfaces and type aliases from this file.');
  }

  /**
   * A stream anywhere but a whole parameter or result: streams are calls' message sequences, with
   * flow control and cancellation, not values that can sit inside data.
   */
  #nestedStream(node: TypeReferenceNode, subject: string): undefined {
    if (Node.isTypeAliasDeclaration(node.getParent())) {
      return this.#unsupported(node, `${subject} is a stream type; a stream must be written in the method itself`, "Write `AsyncIterable<T>` as the parameter's or the result's type, without an alias.");
    }
    return this.#unsupported(node, `${subject} has a stream ('${brief(node)}') inside another type; only a whole parameter or a method's whole result can be a stream`, 'Make it a parameter of its own (`values: AsyncIterable<T>`) or the result, or send an array.');
  }

  /** undefined does not survive every codec; optionality and null say the same thing portably. */
  #undefined(node: TypeNode, subject: string): undefined {
    const hint = subject.startsWith('the result')
      ? "Return Promise<void>, or use null for 'no value'."
      : subject.startsWith('each message')
        ? "Use null for 'no value'."
        : "Make it optional with '?', or use null for 'no value'.";
    return this.#unsupported(node, `${subject} has type 'undefined', which is not supported`, hint);
  }

  /** Only `T | null` is supported for now; general unions come with a later issue. */
  #union(node: TypeNode, members: TypeNode[], subject: string): TypeRef | undefined {
    const undefinedMember = members.find((m) => m.getKind() === SyntaxKind.UndefinedKeyword);
    if (undefinedMember) return this.#undefined(undefinedMember, subject);
    const isNull = (m: TypeNode) => Node.isLiteralTypeNode(m) && m.getLiteral().getKind() === SyntaxKind.NullKeyword;
    const others = members.filter((m) => !isNull(m));
    const [only] = others;
    if (others.length === 0) return { kind: 'null' };
    if (others.length === 1 && only) {
      const inner = this.#type(only, subject);
      return inner && { kind: 'nullable', inner };
    }
    return this.#unsupported(node, `${subject} has a union type, which is not supported yet (only 'T | null' is)`, "Use 'T | null', or an object with an optional property per alternative.");
  }

  #reference(node: TypeReferenceNode, subject: string): TypeRef | undefined {
    const name = node.getTypeName().getText();
    const args = node.getTypeArguments();
    if (name === 'Array' && args.length === 1 && args[0]) {
      const element = this.#type(args[0], subject);
      return element && { kind: 'array', element };
    }
    if (isStreamName(name)) return this.#nestedStream(node, subject);
    if (name === 'Promise') {
      return this.#unsupported(node, `${subject} has a Promise type, which cannot be sent over the wire`, "Send the value itself; only a method's result may be a Promise.");
    }
    if (this.#serviceNames.has(name)) {
      return this.#unsupported(node, `${subject} has type '${name}', which is a service and cannot be sent over the wire`, 'Send data only; a client can call the service directly.');
    }
    if (this.#dataTypeNames.has(name)) {
      if (args.length > 0) return this.#unsupported(node, `${subject} has a generic type, which is not supported yet`, 'Write the type out without type parameters.');
      return { kind: 'ref', name };
    }
    if (this.#imported.has(name.split('.')[0] ?? name)) {
      return this.#unsupported(node, `${subject} has type '${name}', which is imported from another file; imported types are not supported yet`, `Declare '${name}' in this file.`);
    }
    const other = this.#otherDeclarations.get(name);
    if (other) return this.#unsupported(node, `${subject} has type '${name}', which is ${other}; that is not supported yet`, 'Use an interface or type alias.');
    const later = LATER_TYPES[name];
    if (later) return this.#unsupported(node, `${subject} has type '${brief(node)}', which is not supported yet`, later);
    return this.#unsupported(node, `${subject} has type '${name}', which is not declared in this file`, `Declare '${name}' in this file as an interface or type alias.`);
  }

  /** A data type may not take a name the generated file declares or imports. */
  #checkGeneratedNames(declarations: (Node & { getName(): string; getNameNode(): Node })[]): void {
    const taken = new Map<string, string>();
    for (const name of RUNTIME_IMPORTS) taken.set(name, 'the generated file imports it from @conduit/runtime');
    for (const service of this.#serviceNames) {
      taken.set(`${service}Handlers`, `the generated file declares it for service '${service}'`);
      taken.set(`${service}Client`, `the generated file declares it for service '${service}'`);
    }
    for (const decl of declarations) {
      const why = taken.get(decl.getName());
      if (why) this.#report(decl.getNameNode(), `the name '${decl.getName()}' is taken: ${why}`, 'Rename this type.');
    }
  }

  #unsupported(node: Node, message: string, hint: string): undefined {
    this.#report(node, message, hint);
    return undefined;
  }

  #report(node: Node, message: string, hint: string): void {
    this.#reportAt(node.getStart(), node.getEnd() - node.getStart(), message, hint);
  }

  #reportAt(pos: number, length: number, message: string, hint: string): void {
    const { line, column } = this.sourceFile.getLineAndColumnAtPos(pos);
    const sourceLine = this.#lines[line - 1] ?? '';
    this.#diagnostics.push({ file: this.input.path, line, column, length: Math.max(1, length), sourceLine, message, hint });
  }
}

/** The JSDoc text (description and tags) closest to the declaration, if any. */
function docOf(node: JSDocableNode): string | undefined {
  const text = node.getJsDocs().at(-1)?.getInnerText().trim();
  return text ? text : undefined;
}

/** A type as written, on one line, short enough for a message. */
function brief(node: Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
