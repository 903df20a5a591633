import { docComment, freeName, renderParams, renderResult, renderType } from './emit-types.js';
import type { Method, Service } from './model.js';

/**
 * `<Name>Client`: implements the service interface over a runtime Channel. Every method takes
 * `CallOptions` last; arguments go out as a positional array in declaration order.
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
  const params = [...renderParams(method.params), `${options}?: CallOptions`].join(', ');
  const descriptor = `${service.name}Service.methods.${method.name}`;
  const args = `[${method.params.map((p) => p.name).join(', ')}]`;
  const call =
    method.kind === 'oneway'
      ? `this.#channel.oneway(${descriptor}, ${args}, ${options});`
      : `return this.#channel.unary<${renderType(method.returns, '    ')}>(${descriptor}, ${args}, ${options});`;
  return [`  ${method.name}(${params}): ${renderResult(method)} {`, `    ${call}`, '  }'];
}
