import fc from 'fast-check';
import { z } from 'zod';

/** A JSON Schema node as `z.toJSONSchema` writes it (only what the generators read). */
interface Node {
  type?: string | string[];
  anyOf?: Node[];
  oneOf?: Node[];
  properties?: Record<string, Node>;
  items?: Node | false;
  prefixItems?: Node[];
  maxItems?: number;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  const?: unknown;
  enum?: unknown[];
}

/** The JSON Schema of a route's zod schema, as the client sees it (its input side). */
export function jsonSchemaOf(schema: z.ZodType): Node {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Node;
}

const INT32 = 2 ** 31;
const wrongTypes: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([])),
  number: fc.oneof(
    fc.constant('12'),
    fc.boolean(),
    fc.constant({}),
    fc.constant([1]),
    fc.constant('NaN'),
  ),
  integer: fc.oneof(fc.constant('7'), fc.boolean(), fc.constant([])),
  boolean: fc.oneof(fc.constant('true'), fc.constant(1), fc.constant('yes'), fc.constant({})),
  array: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant({ 0: 'a' })),
  object: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant([]), fc.constant(true)),
  null: fc.oneof(fc.constant('null'), fc.constant(0)),
};

/** Text that the service must refuse wherever text is bounded: NUL, huge, or both. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
  fc.integer({ min: 5_001, max: 12_000 }).map((n) => 'x'.repeat(n)),
  fc.constant('a'.repeat(900_000)),
  fc.constant('\u0000'),
);

/** Numbers past every range a column has: 32-bit overflow, huge, tiny, fractional. */
const hostileNumber = fc.oneof(
  fc.constant(INT32),
  fc.constant(-INT32 - 1),
  fc.constant(1e300),
  fc.constant(-1e300),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
);

function types(node: Node): string[] {
  if (Array.isArray(node.type)) return node.type;
  return node.type ? [node.type] : [];
}

/**
 * Values likely to be out of `node`'s bounds or of the wrong shape. Some may happen to be valid
 * (a random double inside a range): the caller checks each against the zod schema itself.
 */
export function badValue(node: Node, depth = 0): fc.Arbitrary<unknown> {
  const branches = node.anyOf ?? node.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => badValue(b, depth + 1)));
  const options: Array<fc.Arbitrary<unknown>> = [];
  for (const t of types(node)) {
    const wrong = wrongTypes[t];
    if (wrong) options.push(wrong);
    if (t === 'string') {
      options.push(hostileText);
      if (node.maxLength !== undefined) {
        options.push(fc.constant('y'.repeat(node.maxLength + 1)));
      }
      if (node.pattern || node.format) options.push(fc.string({ maxLength: 30 }));
    }
    if (t === 'number' || t === 'integer') {
      options.push(hostileNumber);
      if (node.maximum !== undefined) options.push(fc.constant(node.maximum + 1));
      if (node.minimum !== undefined) options.push(fc.constant(node.minimum - 1));
      if (t === 'integer') options.push(fc.constant(1.5));
    }
    if (t === 'array' && depth < 4) {
      const item = node.items || node.prefixItems?.[0];
      if (node.maxItems !== undefined && item) {
        options.push(fc.constant(Array.from({ length: node.maxItems + 1 }, () => 'x')));
      }
      if (item) options.push(fc.array(badValue(item, depth + 1), { minLength: 1, maxLength: 3 }));
    }
    if (t === 'object' && depth < 4 && node.properties) {
      const keys = Object.keys(node.properties);
      if (keys.length) {
        options.push(
          fc
            .constantFrom(...keys)
            .chain((k) => badValue(node.properties![k]!, depth + 1).map((v) => ({ [k]: v }))),
        );
      }
    }
  }
  if (node.const !== undefined || node.enum) {
    options.push(fc.oneof(fc.constant('not-one-of-them'), fc.integer({ min: 2, max: 99 })));
  }
  if (options.length === 0) options.push(fc.constant(undefined));
  return fc.oneof(...options);
}

/** One top-level field of `schema` replaced by a bad value: `[field, value]`. */
export function badField(schema: z.ZodType): fc.Arbitrary<[string, unknown]> {
  const root = jsonSchemaOf(schema);
  const props = root.properties ?? {};
  const keys = Object.keys(props);
  if (keys.length === 0) return fc.constant(['', fc.sample(fc.jsonValue(), 1)[0]]);
  return fc
    .constantFrom(...keys)
    .chain((k) => badValue(props[k]!).map((v) => [k, v] as [string, unknown]));
}

/** Whole bodies of any shape: what a broken client might send. */
export const garbageBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
);
