import { basename, resolve } from 'node:path';
import {
  Node,
  Project,
  SyntaxKind,
  ts,
  type InterfaceDeclaration,
  type MethodSignature,
  type SourceFile,
  type TypeNode,
  type TypeChecker,
  type TypeReferenceNode,
} from 'ts-morph';
import { protoDescriptor, ProtoSchemaError } from '@conduit/runtime';
import { collectDeclarations } from './collect-declarations.js';
import { serviceSchema } from './emit-schema.js';
import type { Diagnostic } from './diagnostic.js';
import { messageValidatorName, validatorName } from './emit-validators.js';
import type { Method, Param, Service, ServiceFile, TypeRef } from './model.js';
import { displayPath } from './display-path.js';
import { Reporter } from './reporter.js';
import { TypeResolver, type TypeScope } from './resolve-type.js';
import { docOf, hasTag, isUserFile, paramFieldTags, TAGS } from './source-facts.js';

/** One source file's outcome: the model when it is usable, and every problem found. */
export interface ParsedFile {
  /** The path as the user gave it. */
  readonly path: string;
  readonly file?: ServiceFile | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ParsedProgram {
  readonly files: readonly ParsedFile[];
  /** Every project file the sources read, themselves included, as display paths. */
  readonly inputs: readonly string[];
}

/** The one way to declare a stream: a whole parameter or a whole result of this type. */
const STREAM = 'AsyncIterable';

/** Stream types users reach for instead of AsyncIterable, and why AsyncIterable still fits them. */
const OTHER_STREAM_TYPES: Record<string, string> = {
  AsyncGenerator: 'a handler written as an async generator function still fits it.',
  AsyncIterableIterator: 'a handler written as an async generator function still fits it.',
  ReadableStream: "Node's ReadableStream is async-iterable, so one can still be passed.",
};

/** Names the generated file imports from the runtime; a copied declaration may not take them. */
const RUNTIME_IMPORTS = ['CallContext', 'CallOptions', 'Channel', 'ServiceSchema'];

function isStreamName(name: string): boolean {
  return name === STREAM || Object.hasOwn(OTHER_STREAM_TYPES, name);
}

/** The stream type a parameter or result is written as, looking through parentheses. */
function asStream(node: TypeNode): TypeReferenceNode | undefined {
  let inner = node;
  while (Node.isParenthesizedTypeNode(inner)) inner = inner.getTypeNode();
  return Node.isTypeReference(inner) && isStreamName(inner.getTypeName().getText()) ? inner : undefined;
}

/**
 * The TypeScript program behind `conduit gen`: service files and everything they import, with
 * the type checker resolving generics, mapped types and imports. Kept between runs, so watch
 * mode re-reads only the files that changed.
 */
export class ServiceProgram {
  readonly #project = new Project({
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      // Node's typings, when the project has them, so `Buffer` resolves; nothing breaks without them.
      types: ['node'],
    },
    skipAddingFilesFromTsConfig: true,
  });

  /** Each source's last result and the project files it read; reused until one of them changes. */
  readonly #cache = new Map<string, { readonly protobuf: boolean; readonly result: ParsedFile; readonly reads: ReadonlySet<string> }>();

  /** `protobuf`: also check that every service has a protobuf form (field numbers, names). */
  parse(paths: readonly string[], options: { protobuf?: boolean } = {}): ParsedProgram {
    const protobuf = options.protobuf === true;
    const needsParse = (path: string) => {
      const cached = this.#cache.get(resolve(path));
      return cached === undefined || cached.protobuf !== protobuf || cached.result.path !== path;
    };
    const stale = paths.filter(needsParse);
    for (const path of stale) if (this.#project.getSourceFile(resolve(path)) === undefined) this.#project.addSourceFileAtPath(resolve(path));
    if (stale.length > 0) this.#project.resolveSourceFileDependencies();
    // The checker is asked for only when some file must be parsed: after an edit in --watch, the
    // program is rebuilt once and only the files that read the edited one are parsed again.
    const checker = stale.length > 0 ? this.#project.getTypeChecker() : undefined;
    const files = paths.map((path) => {
      const absolute = resolve(path);
      const cached = this.#cache.get(absolute);
      if (cached !== undefined && !needsParse(path)) return cached.result;
      const source = this.#project.getSourceFileOrThrow(absolute);
      const result = new FileParser(path, source, checker as TypeChecker).run(protobuf);
      this.#cache.set(absolute, { protobuf, result, reads: readsOf(source) });
      return result;
    });
    const inputs = this.#project
      .getSourceFiles()
      .filter((f) => isUserFile(f))
      .map((f) => displayPath(f.getFilePath()))
      .sort();
    return { files, inputs };
  }

  /** Re-reads these files on the next parse (and forgets ones that are gone), with every result that read them. */
  invalidate(paths: readonly string[]): void {
    const changed = new Set(paths.map((p) => resolve(p)));
    for (const path of changed) {
      const file = this.#project.getSourceFile(path);
      if (file === undefined) continue;
      try {
        file.refreshFromFileSystemSync();
      } catch {
        this.#project.removeSourceFile(file);
      }
    }
    for (const [path, entry] of this.#cache) {
      // A file with problems may be waiting for one that did not exist yet (an import now created).
      const waiting = entry.result.diagnostics.length > 0;
      if (waiting || [...changed].some((c) => entry.reads.has(c))) this.#cache.delete(path);
    }
  }
}

/** A source file and every project file it imports, directly or not, as absolute paths. */
function readsOf(source: SourceFile): Set<string> {
  const reads = new Set<string>();
  const visit = (file: SourceFile): void => {
    const path = file.getFilePath();
    if (reads.has(path) || !isUserFile(file)) return;
    reads.add(path);
    for (const declaration of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
      const target = declaration.getModuleSpecifierSourceFile();
      if (target !== undefined) visit(target);
    }
  };
  visit(source);
  return reads;
}

/** Reads one service file into the model. */
export class FileParser {
  readonly #path: string;
  readonly #source: SourceFile;
  readonly #reporter = new Reporter();
  readonly #types: TypeResolver;

  constructor(path: string, source: SourceFile, checker: TypeChecker) {
    this.#path = path;
    this.#source = source;
    this.#types = new TypeResolver(checker, this.#reporter);
  }

  run(protobuf = false): ParsedFile {
    const services: Service[] = [];
    const serviceDeclarations: InterfaceDeclaration[] = [];
    for (const statement of this.#source.getStatements()) {
      if (!Node.isInterfaceDeclaration(statement)) continue;
      const members = statement.getMembers();
      const methods = members.filter((m) => Node.isMethodSignature(m));
      if (methods.length === 0) continue;
      if (methods.length < members.length) {
        this.#reporter.report(statement.getNameNode(), `interface '${statement.getName()}' mixes properties and methods; a service has only methods, a data type only properties`, 'Move the properties into a data type and pass it as a parameter, or move the methods into a service.');
        continue;
      }
      if (!statement.isExported()) {
        this.#reporter.report(statement.getNameNode(), `interface '${statement.getName()}' has only methods but is not exported, so it is not a service`, 'Export it to make it a service.');
        continue;
      }
      serviceDeclarations.push(statement);
      services.push(this.#service(statement));
    }
    if (services.length === 0 && this.#reporter.count === 0) {
      this.#reporter.reportAt(this.#source, 0, 1, 'no service found: a service is an exported interface whose members are all methods', 'Export an interface such as `export interface Greeter { hello(name: string): Promise<string> }`.');
    }
    const declarations = collectDeclarations(serviceDeclarations, this.#reporter, takenNames(services));
    const file: ServiceFile = {
      source: this.#path.split('\\').join('/'),
      protoPackage: protoPackageOf(this.#path),
      declarations,
      shapes: this.#types.shapes(),
      services,
    };
    if (protobuf && this.#reporter.count === 0) this.#checkProtobuf(file, serviceDeclarations);
    const diagnostics = this.#reporter.sorted([displayPath(this.#path)]);
    if (diagnostics.length > 0) return { path: this.#path, diagnostics };
    return { path: this.#path, file, diagnostics: [] };
  }

  /** A service whose protobuf form cannot be built (two fields hashed to one number, …) is reported at its name. */
  #checkProtobuf(file: ServiceFile, declarations: readonly InterfaceDeclaration[]): void {
    for (const [i, service] of file.services.entries()) {
      try {
        protoDescriptor(serviceSchema(file, service));
      } catch (error) {
        if (!(error instanceof ProtoSchemaError)) throw error;
        const at = declarations[i];
        if (at !== undefined) this.#reporter.report(at.getNameNode(), `service '${service.name}' has no protobuf form: ${error.message}`, 'Fix it as the message says, or generate without --proto and --codec protobuf.');
      }
    }
  }

  #service(decl: InterfaceDeclaration): Service {
    const name = decl.getName();
    if (decl.getTypeParameters().length > 0) {
      this.#reporter.report(decl.getNameNode(), `service '${name}' is generic, which is not supported`, 'Write the types out without type parameters.');
    }
    for (const clause of decl.getHeritageClauses()) {
      this.#reporter.report(clause, `service '${name}' extends another interface, which is not supported yet`, 'Declare all its methods in this interface.');
    }
    const seen = new Set<string>();
    /** Generated validator function names, and the method each belongs to. */
    const functions = new Map<string, string>();
    const methods: Method[] = [];
    const unchecked = hasTag(decl, TAGS.unchecked);
    for (const signature of decl.getMethods()) {
      const methodName = signature.getName();
      if (seen.has(methodName)) {
        this.#reporter.report(signature.getNameNode(), `method '${methodName}' is declared more than once; overloads are not supported`, 'Give each variant its own method name.');
        continue;
      }
      seen.add(methodName);
      const method = this.#method(signature, methodName, unchecked || hasTag(signature, TAGS.unchecked));
      if (!method) continue;
      methods.push(method);
      const service = { name, methods: [] };
      const names = [validatorName(service, method)];
      if (method.streamParam !== undefined) names.push(messageValidatorName(service, method));
      for (const fn of names) {
        const other = functions.get(fn);
        if (other) this.#reporter.report(signature.getNameNode(), `method '${methodName}' clashes with method '${other}': both would generate the function '${fn}'`, 'Rename one of them.');
        functions.set(fn, methodName);
      }
    }
    return { name, doc: docOf(decl), methods };
  }

  #method(signature: MethodSignature, name: string, unchecked: boolean): Method | undefined {
    let ok = true;
    const nameNode = signature.getNameNode();
    if (!Node.isIdentifier(nameNode)) {
      this.#reporter.report(nameNode, 'method names must be plain identifiers', 'Rename the method.');
      ok = false;
    }
    if (signature.hasQuestionToken()) {
      this.#reporter.report(nameNode, `method '${name}' is optional, which is not supported`, 'Remove the `?`: every method of a service is callable.');
      ok = false;
    }
    if (signature.getTypeParameters().length > 0) {
      this.#reporter.report(nameNode, `method '${name}' is generic, which is not supported`, 'Write the types out without type parameters, or instantiate a generic data type: `Page<User>`.');
      ok = false;
    }
    const fields = paramFieldTags(signature, this.#reporter);
    const params: Param[] = [];
    let streamParam: number | undefined;
    /** The first parameter written as a stream, even a malformed one, so a second is reported once. */
    let firstStream: string | undefined;
    for (const param of signature.getParameters()) {
      const paramName = param.getName();
      if (param.isRestParameter()) {
        this.#reporter.report(param, 'rest parameters are not supported: arguments travel as a positional array', `Take an array instead: \`${paramName}: ${param.getTypeNode()?.getText() ?? 'T[]'}\`.`);
        ok = false;
        continue;
      }
      if (!Node.isIdentifier(param.getNameNode())) {
        this.#reporter.report(param.getNameNode(), 'destructured parameters are not supported', 'Name the parameter and give it an object type.');
        ok = false;
        continue;
      }
      const typeNode = param.getTypeNode();
      if (!typeNode) {
        this.#reporter.report(param, `parameter '${paramName}' has no type`, `Declare its type: \`${paramName}: string\`.`);
        ok = false;
        continue;
      }
      const field = fields.get(paramName);
      const streamNode = asStream(typeNode);
      if (streamNode) {
        const message = this.#streamParameter(param.hasQuestionToken() ? param : undefined, streamNode, paramName, name, firstStream, unchecked);
        firstStream ??= paramName;
        if (message) {
          streamParam = params.length;
          params.push({ name: paramName, text: message.text, type: message.type, optional: false, field });
        } else ok = false;
        continue;
      }
      const optional = param.hasQuestionToken();
      const scope = { at: typeNode, subject: `parameter '${paramName}'`, unchecked };
      const type = optional ? this.#types.resolveOptional(typeNode.getType(), scope) : this.#wire(typeNode, scope);
      if (type) params.push({ name: paramName, text: typeNode.getText(), type, optional, field });
      else ok = false;
    }
    for (const tagged of fields.keys()) {
      if (!params.some((p) => p.name === tagged) && ok) {
        this.#reporter.report(nameNode, `'@field ${tagged} …' names no parameter of '${name}'`, 'Use the name of one of its parameters.');
        ok = false;
      }
    }
    const result = this.#result(signature, name, firstStream, unchecked);
    if (!ok || !result) return undefined;
    const kind =
      result.shape === 'stream'
        ? streamParam === undefined ? 'server-stream' : 'bidi-stream'
        : result.shape === 'void' ? 'oneway' : streamParam === undefined ? 'unary' : 'client-stream';
    return {
      name,
      doc: docOf(signature),
      kind,
      params,
      streamParam,
      returns: result.returns,
      returnText: result.text,
      idempotent: hasTag(signature, TAGS.idempotent),
    };
  }

  /** The wire type of a type as written. */
  #wire(node: TypeNode, scope: TypeScope): TypeRef | undefined {
    return this.#types.resolve(node.getType(), scope);
  }

  /**
   * A parameter written as a stream. A call carries one stream each way, and an absent stream is
   * an empty one, so a second stream parameter and an optional one are errors.
   */
  #streamParameter(optional: Node | undefined, node: TypeReferenceNode, name: string, method: string, first: string | undefined, unchecked: boolean): { text: string; type: TypeRef } | undefined {
    if (first !== undefined) {
      return this.#reporter.report(node, `method '${method}' takes more than one stream ('${first}' and '${name}'); a call carries at most one stream each way`, `Send one stream of objects, e.g. \`AsyncIterable<{ ${first}?: A; ${name}?: B }>\`, or split the method in two.`);
    }
    if (optional) {
      return this.#reporter.report(optional, `stream parameter '${name}' is optional, which is not supported`, 'Remove the `?`: a caller with nothing to send passes an empty stream.');
    }
    return this.#stream(node, `parameter '${name}' has type`, `each message of parameter '${name}'`, unchecked);
  }

  /** The message type `T` of `AsyncIterable<T>` written as a whole parameter or result; reports other stream types. */
  #stream(node: TypeReferenceNode, subject: string, messages: string, unchecked: boolean): { text: string; type: TypeRef } | undefined {
    const name = node.getTypeName().getText();
    const [message, ...extra] = node.getTypeArguments();
    const written = `AsyncIterable<${message ? brief(message) : 'T'}>`;
    const why = OTHER_STREAM_TYPES[name];
    if (why) return this.#reporter.report(node, `${subject} '${brief(node)}'; streams are declared as AsyncIterable<T>`, `Write \`${written}\`: ${why}`);
    if (!message || extra.length > 0) {
      const hint = message ? `Write \`${written}\`: only the messages travel, not a return value.` : 'Write `AsyncIterable<T>`, with T the type of each message.';
      return this.#reporter.report(node, `${subject} '${brief(node)}'; a stream takes one type argument, the type of its messages`, hint);
    }
    if (message.getKind() === SyntaxKind.VoidKeyword) {
      return this.#reporter.report(message, `${messages} has type 'void'; a stream carries values`, 'Use `AsyncIterable<null>` for messages without content, or `Promise<void>` for a call that only completes.');
    }
    const type = this.#wire(message, { at: message, subject: messages, unchecked });
    return type && { text: message.getText(), type };
  }

  /**
   * `void` makes a one-way call, `Promise<T>` a call with a reply, `AsyncIterable<T>` a stream
   * of them; anything else is an error. `stream` names the method's stream parameter, if any.
   */
  #result(signature: MethodSignature, name: string, stream: string | undefined, unchecked: boolean): { shape: 'void' | 'promise' | 'stream'; returns: TypeRef; text: string } | undefined {
    const node = signature.getReturnTypeNode();
    if (!node) {
      return this.#reporter.report(signature, `method '${name}' has no return type`, 'Declare `Promise<T>` for a call with a reply, `AsyncIterable<T>` for a stream, or `void` for a one-way call.');
    }
    const VOID = { kind: 'void' } as const;
    if (node.getKind() === SyntaxKind.VoidKeyword) {
      if (stream !== undefined) {
        return this.#reporter.report(node, `method '${name}' takes a stream ('${stream}') but returns void; a one-way call cannot carry a stream`, 'Return `Promise<void>` to learn when the server has taken the whole stream, or `Promise<R>` for a reply.');
      }
      return { shape: 'void', returns: VOID, text: 'void' };
    }
    const streamNode = asStream(node);
    if (streamNode) {
      const message = this.#stream(streamNode, `method '${name}' returns`, `each message of '${name}'`, unchecked);
      return message && { shape: 'stream', returns: message.type, text: message.text };
    }
    if (Node.isTypeReference(node)) {
      const args = node.getTypeArguments();
      if (node.getTypeName().getText() === 'Promise' && args.length === 1 && args[0]) {
        const inner = args[0];
        if (inner.getKind() === SyntaxKind.VoidKeyword) return { shape: 'promise', returns: VOID, text: 'void' };
        const innerStream = asStream(inner);
        if (innerStream) {
          const message = innerStream.getTypeArguments()[0];
          return this.#reporter.report(node, `method '${name}' returns '${brief(node)}'; a stream is returned as it is, not in a Promise`, `Write \`AsyncIterable<${message ? brief(message) : 'T'}>\`: messages arrive as the server sends them.`);
        }
        if (inner.getKind() === SyntaxKind.UndefinedKeyword) {
          return this.#reporter.report(inner, `the result of '${name}' has type 'undefined'`, "Return Promise<void>, or use null for 'no value'.");
        }
        const returns = this.#wire(inner, { at: inner, subject: `the result of '${name}'`, unchecked });
        return returns && { shape: 'promise', returns, text: inner.getText() };
      }
    }
    if ([node, ...node.getDescendantsOfKind(SyntaxKind.TypeReference)].some((n) => asStream(n) !== undefined)) {
      return this.#reporter.report(node, `method '${name}' returns '${brief(node)}', a stream inside another type; a stream must be the whole result`, 'Return `AsyncIterable<T>` itself; to send nothing, end the stream at once.');
    }
    return this.#reporter.report(node, `method '${name}' returns '${brief(node)}'; a method must return Promise<T> (a call with a reply), AsyncIterable<T> (a stream) or void (one-way)`, `Write \`Promise<${brief(node)}>\`: the reply arrives asynchronously.`);
  }
}

/** Names the generated file declares or imports, and why; a copied declaration may not take them. */
function takenNames(services: readonly Service[]): Map<string, string> {
  const taken = new Map<string, string>();
  for (const name of RUNTIME_IMPORTS) taken.set(name, 'the generated file imports it from @conduit/runtime');
  for (const service of services) {
    for (const suffix of ['Handlers', 'Client', 'Service', 'Schema']) {
      taken.set(`${service.name}${suffix}`, `the generated file declares it for service '${service.name}'`);
    }
  }
  return taken;
}

/** `services/calculator-v2.ts` → `calculator_v2`: a protobuf package name. */
function protoPackageOf(path: string): string {
  const base = basename(path, '.ts').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(base) ? base : `conduit_${base}`;
}

/** A type as written, on one line, short enough for a message. */
function brief(node: Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
