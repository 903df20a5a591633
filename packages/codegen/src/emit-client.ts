import { docComment, freeName, renderParams, renderResult, typeText } from './emit-types.js';
import type { Method, MethodKind, Service } from './model.js';

/** The Channel method that makes each kind of call with a reply. */
const CHANNEL_CALLS = {
  unary: 'unary',
  'server-stream': 'serverStream',
  'client-stream': 'clientStream',
  'bidi-stream': 'bidiStream',
} as const satisfies Record<Exclude<MethodKind, 'oneway'>, string>;

/**
 * `<Name>Client`: implements the service interface over a runtime Channel. Every method takes
 * `CallOptions` last; arguments go out as a positional array in declaration order, the stream
 * parameter's `AsyncIterable` in its place for the channel to send.
 */
export function emitClient(service: Service): string {
  const methods = service.methods.flatMap((m) => [...docComment(m.doc, '  '), ...clientMethod(service, m)]);
  return [
    ...docComment(service.doc),
    `export class ${service.name}Client implements ${service.name} {`,
    '  readonly #channel: Channel;',
    '  constructor(channel: Channel) {',
    '    this.#channel = channel;',
    '  }',
    ...methods,
    '}',
  ].join('\n');
}

function clientMethod(service: Service, method: Method): string[] {
  const options = freeName('options', method.params);
  const params = [...renderParams(method), `${options}?: CallOptions`].join(', ');
  const descriptor = `${service.name}Service.methods.${method.name}`;
  const args = `[${method.params.map((p) => p.name).join(', ')}]`;
  const call =
    method.kind === 'oneway'
      ? `this.#channel.oneway(${descriptor}, ${args}, ${options});`
      : `return this.#channel.${CHANNEL_CALLS[method.kind]}<${typeText(method.returnText)}>(${descriptor}, ${args}, ${options});`;
  return [`  ${method.name}(${params}): ${renderResult(method)} {`, `    ${call}`, '  }'];
}
