import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FeatureCollectionScanner,
  JsonSyntaxError,
} from '../../src/ozmap-model/geojson/feature-scanner.js';

interface Scanned {
  type: unknown;
  featuresKeys?: number;
  features: unknown[] | 'not an array' | 'missing';
}

/** Scans `text` split into chunks at `cuts` (byte offsets). */
function scan(text: string | Buffer, cuts: number[] = []): Scanned {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const scanner = new FeatureCollectionScanner();
  const features: unknown[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    for (const f of scanner.push(bytes.subarray(from, cut))) features.push(f.value);
    from = cut;
  }
  for (const f of scanner.push(bytes.subarray(from))) features.push(f.value);
  for (const f of scanner.end()) features.push(f.value);
  return {
    type: scanner.type,
    featuresKeys: scanner.featuresKeys,
    features: !scanner.featuresKeys
      ? 'missing'
      : scanner.featuresAreArray
        ? features
        : 'not an array',
  };
}

/** What JSON.parse makes of `text`, in the scanner's terms; undefined when it is not a JSON object. */
function oracle(text: string): Scanned | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  const features = record.features;
  return {
    type: record.type,
    features: !('features' in record)
      ? 'missing'
      : Array.isArray(features)
        ? features
        : 'not an array',
  };
}

function outcome(run: () => Scanned): Scanned | 'syntax error' {
  try {
    return run();
  } catch (err) {
    if (err instanceof JsonSyntaxError) return 'syntax error';
    throw err;
  }
}

const feature = {
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [-51.56, -23.64] },
  properties: { kind: 'box', name: 'CTO "Açaí" \\ 01 ✓', splitters: [{ ratio: '1x8' }] },
};

describe('FeatureCollectionScanner', () => {
  it('reads the features of a collection, whatever its other keys and spacing', () => {
    const text = ` { "name" : "rede", "crs": {"type": "name", "properties": {"n": [1, {}]}},
      "type" : "FeatureCollection" , "features" : [ ${JSON.stringify(feature)} ,
      ${JSON.stringify({ ...feature, id: 2 })} ], "bbox": [1, 2, 3, 4], "n": -1.5e3, "ok": true } \n`;
    expect(scan(text)).toEqual({
      type: 'FeatureCollection',
      featuresKeys: 1,
      features: [feature, { ...feature, id: 2 }],
    });
  });

  it('gives the same features however the bytes are split into chunks', () => {
    const text = JSON.stringify({ type: 'FeatureCollection', features: [feature, feature, 7] });
    const bytes = Buffer.from(text);
    // every split point, including inside the multi-byte characters and right after a backslash
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(scan(bytes, [cut]).features).toEqual([feature, feature, 7]);
    }
    const oneByteAtATime = Array.from({ length: bytes.length }, (_, i) => i);
    expect(scan(bytes, oneByteAtATime).features).toEqual([feature, feature, 7]);
  });

  it('numbers the features in file order, across chunks', () => {
    const scanner = new FeatureCollectionScanner();
    const first = scanner.push(Buffer.from('{"features":[{"a":1},{"a":2},{"a"'));
    const rest = scanner.push(Buffer.from(':3}]}'));
    scanner.end();
    expect([...first, ...rest].map((f) => f.index)).toEqual([0, 1, 2]);
  });

  it('says where the file stops being JSON, in bytes', () => {
    const failure = (text: string) => {
      try {
        scan(text);
      } catch (err) {
        return (err as JsonSyntaxError).message;
      }
      return 'no error';
    };
    expect(failure('{"features":[{"a":1},{"a":}]}')).toBe(
      'features[1] is not valid JSON at byte 21',
    );
    expect(failure('{"features":[{"a":1} {"a":2}]}')).toBe('expected "," or "]" at byte 21');
    expect(failure('{"features":[{"a":1},')).toBe('unexpected end of file at byte 21');
    expect(failure('{"features":[{"a":"1')).toBe('unexpected end of file at byte 20');
    expect(failure('{"type":"FeatureCollection"} x')).toBe(
      'unexpected data after the end at byte 29',
    );
    expect(failure('[{"a":1}]')).toBe('expected "{" at byte 0');
    expect(failure('{"features":[,{"a":1}]}')).toBe('expected a feature or "]" at byte 13');
    expect(failure('{"type": tru}')).toBe('the value of "type" is not valid JSON at byte 9');
    expect(failure('')).toBe('unexpected end of file at byte 0');
  });

  // JSON.parse is the oracle: on any input, the scanner accepts exactly what JSON.parse accepts as
  // an object, and reads the same `type` and `features` from it.
  const token = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\n',
    '"',
    '\\',
    '"type"',
    '"features"',
    '"FeatureCollection"',
    '"a"',
    '1',
    '-2.5e3',
    'true',
    'null',
    'nul',
    '"\\"',
    '"\\u00e7"',
    'ç',
    '01',
  );
  const noise = fc.array(token, { maxLength: 24 }).map((t) => t.join(''));
  const jsonish = fc.oneof(
    noise,
    fc
      .tuple(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([features, other]) =>
        JSON.stringify({ other, type: 'FeatureCollection', features }, null, 1),
      ),
  );
  const mutated = fc.tuple(jsonish, fc.nat(), fc.nat(), token).map(([text, at, len, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + (len % 3));
  });

  it('accepts what JSON.parse accepts and refuses the rest (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonish, mutated),
        fc.array(fc.nat(), { maxLength: 4 }),
        (text, cuts) => {
          const bytes = Buffer.from(text);
          const expected = oracle(bytes.toString()) ?? 'syntax error';
          const got = outcome(() =>
            scan(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
          );
          // several `features` keys: JSON.parse keeps the last, the import refuses the file
          fc.pre(got === 'syntax error' || (got.featuresKeys ?? 0) <= 1);
          if (got !== 'syntax error') delete got.featuresKeys;
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
