import type { MethodSchema, ServiceSchema } from '@conduit/runtime';
import type { Service, ServiceFile } from './model.js';
import { reachableShapes } from './shape-reach.js';

/** The constant holding a service's wire schema in the generated file. */
export function schemaName(service: Service): string {
  return `${service.name}Schema`;
}

/**
 * The wire schema of one service as plain data: what a schema-driven codec (protobuf) needs at
 * run time, and what `conduit gen --proto` prints as a .proto file. Only the shapes the service
 * reaches are included, so each service's schema stands alone.
 */
export function serviceSchema(file: ServiceFile, service: Service): ServiceSchema {
  const methods: Record<string, MethodSchema> = {};
  for (const method of service.methods) {
    methods[method.name] = {
      kind: method.kind,
      params: method.params.map((p) => ({ name: p.name, type: p.type, optional: p.optional, ...(p.field === undefined ? {} : { field: p.field }) })),
      returns: method.returns,
    };
  }
  const roots = service.methods.flatMap((m) => [...m.params.map((p) => p.type), m.returns]);
  const reached = reachableShapes(roots, new Map(file.shapes.map((s) => [s.name, s])));
  const sorted = [...reached.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    package: file.protoPackage,
    service: service.name,
    shapes: Object.fromEntries(sorted.map((s) => [s.name, s.type])),
    methods,
  };
}

/** `const <Name>Schema: ServiceSchema = …;` — JSON, which is valid TypeScript and deterministic. */
export function emitSchema(file: ServiceFile, service: Service): string {
  return `const ${schemaName(service)}: ServiceSchema = ${JSON.stringify(serviceSchema(file, service), undefined, 2)};`;
}
