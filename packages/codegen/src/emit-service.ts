import { docComment, freeName, quote, renderParamType, returnsStream, typeText } from './emit-types.js';
import { messageValidatorName, validatorName } from './emit-validators.js';
import type { Method, Service } from './model.js';
import { schemaName } from './emit-schema.js';

/**
 * `<Name>Handlers`: what a server implements. Each handler gets the call context last, so an
 * optional parameter becomes `T | undefined` to keep `ctx` in its place. A stream parameter
 * arrives as an `AsyncIterable<T>`; a streaming result is any `AsyncIterable<T>`, an async
 * generator function included.
 */
export function emitHandlers(service: Service): string {
  const usage = `Implement this and pass it to \`server.add(${service.name}Service, …)\`.`;
  const doc = service.doc === undefined ? usage : service.doc.includes('\n') ? `${service.doc}\n\n${usage}` : `${service.doc} ${usage}`;
  const methods = service.methods.flatMap((m) => [...docComment(m.doc, '  '), `  ${handlerSignature(m)};`]);
  return [...docComment(doc), `export interface ${service.name}Handlers {`, ...methods, '}'].join('\n');
}

function handlerSignature(method: Method): string {
  const params = method.params.map((p, i) => `${p.name}: ${renderParamType(method, i)}${p.optional ? ' | undefined' : ''}`);
  params.push(`${freeName('ctx', method.params)}: CallContext`);
  const value = typeText(method.returnText);
  const result = returnsStream(method) ? `AsyncIterable<${value}>` : method.kind === 'oneway' ? 'Promise<void> | void' : `Promise<${value}> | ${value}`;
  return `${method.name}(${params.join(', ')}): ${result}`;
}

/** `<Name>Service`: the runtime's description of the service, shared by client and server. */
export function emitServiceDefinition(service: Service, withSchema: boolean): string {
  const methods = service.methods.map((m) => {
    const params = m.params.map((p) => quote(p.name)).join(', ');
    const stream = m.streamParam === undefined ? '' : `, streamParam: ${m.streamParam}`;
    const validators = [`validate: ${validatorName(service, m)}`];
    if (m.streamParam !== undefined) validators.push(`validateMessage: ${messageValidatorName(service, m)}`);
    const idempotent = m.idempotent ? ', idempotent: true' : '';
    return `    ${m.name}: { kind: ${quote(m.kind)}, params: [${params}]${stream}${idempotent}, ${validators.join(', ')} },`;
  });
  return [
    `export const ${service.name}Service = defineService<${service.name}Handlers>({`,
    `  name: ${quote(service.name)},`,
    '  methods: {',
    ...methods,
    '  },',
    ...(withSchema ? [`  schema: ${schemaName(service)},`] : []),
    '});',
  ].join('\n');
}
