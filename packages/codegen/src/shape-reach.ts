import type { Shape, TypeRef } from './model.js';

/**
 * The named shapes that values of `roots` can contain, following references (and recursion)
 * through every kind of type, in the order first reached. Validators emit a checker only for
 * these; a service's schema carries only these.
 */
export function reachableShapes(roots: readonly TypeRef[], shapes: ReadonlyMap<string, Shape>): Map<string, Shape> {
  const reached = new Map<string, Shape>();
  const visit = (type: TypeRef): void => {
    switch (type.kind) {
      case 'array':
      case 'set':
        return visit(type.element);
      case 'tuple':
        return type.elements.forEach((e) => visit(e.type));
      case 'map':
        visit(type.key);
        return visit(type.value);
      case 'union':
        return type.members.forEach(visit);
      case 'object':
        type.properties.forEach((p) => visit(p.type));
        if (type.rest !== undefined) visit(type.rest);
        return;
      case 'ref': {
        const shape = shapes.get(type.name);
        if (shape === undefined || reached.has(type.name)) return;
        reached.set(type.name, shape);
        return visit(shape.type);
      }
      default:
        return;
    }
  };
  roots.forEach(visit);
  return reached;
}
