// Splits a FeatureCollection's bytes, pushed a chunk at a time, into its features, each parsed by
// the runtime's own JSON.parse. Only the top level (the collection's keys and the `features`
// array's commas) is tokenised here; every value is parsed whole by JSON.parse, which is what
// checks it is valid JSON. A token-by-token streaming parser spent 5.5 s of a 24 s import of
// 100 000 boxes, most of it building the values JSON.parse builds natively (docs/benchmarks.md).
// Pure: no I/O.

/** The bytes are not a JSON object; `byte` is the offset in the whole input. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly byte: number,
  ) {
    super(`${reason} at byte ${byte}`);
  }
}

export interface ScannedFeature {
  value: unknown;
  /** Its place in `features`. */
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function startsValue(b: number): boolean {
  return b !== COMMA && b !== COLON && b !== CLOSE_BRACE && b !== CLOSE_BRACKET;
}

/** Ends a number or a literal (true, false, null). */
function endsPrimitive(b: number): boolean {
  return b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b);
}

type Expect =
  | 'object' // the opening brace of the collection
  | 'first-key' // a key or the closing brace
  | 'key' // a key (after a comma)
  | 'colon'
  | 'value' // the value of `key`
  | 'after-value' // a comma or the closing brace
  | 'first-feature' // a feature or the closing bracket
  | 'feature' // a feature (after a comma)
  | 'after-feature' // a comma or the closing bracket
  | 'end'; // nothing but white space

const DESCRIBE: Record<Expect, string> = {
  object: 'expected "{"',
  'first-key': 'expected a key or "}"',
  key: 'expected a key',
  colon: 'expected ":"',
  value: 'expected a value',
  'after-value': 'expected "," or "}"',
  'first-feature': 'expected a feature or "]"',
  feature: 'expected a feature',
  'after-feature': 'expected "," or "]"',
  end: 'unexpected data after the end',
};

/** One value being read, possibly across chunks. */
interface OpenValue {
  /** Where it starts in `buffer`. */
  start: number;
  /** How far it has been scanned. */
  scanned: number;
  kind: 'container' | 'string' | 'primitive';
  depth: number;
  inString: boolean;
}

export class FeatureCollectionScanner {
  /** The collection's `type`, once read. */
  type: unknown;
  /** False once `features` turned out to be something other than an array. */
  featuresAreArray = true;
  /** How many `features` keys the collection has (JSON.parse would keep the last of several). */
  featuresKeys = 0;

  private buffer: Buffer = Buffer.alloc(0);
  /** Offset in the whole input of `buffer[0]`. */
  private consumed = 0;
  private pos = 0;
  private expect: Expect = 'object';
  private key: string | undefined;
  private open: OpenValue | undefined;
  private nextIndex = 0;

  /** Scans `chunk`, returning the features it completed. Throws JsonSyntaxError. */
  push(chunk: Buffer): ScannedFeature[] {
    const rest = this.buffer.subarray(this.pos);
    this.consumed += this.pos;
    this.buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    if (this.open) {
      this.open.start -= this.pos;
      this.open.scanned -= this.pos;
    }
    this.pos = 0;
    const out: ScannedFeature[] = [];
    this.scan(out, false);
    return out;
  }

  /** The input ended. Throws JsonSyntaxError when the collection is not complete. */
  end(): ScannedFeature[] {
    const out: ScannedFeature[] = [];
    this.scan(out, true);
    if (this.expect !== 'end') throw this.error('unexpected end of file', this.buffer.length);
    return out;
  }

  private error(reason: string, at: number): JsonSyntaxError {
    return new JsonSyntaxError(reason, this.consumed + at);
  }

  private scan(out: ScannedFeature[], atEnd: boolean): void {
    const buf = this.buffer;
    while (this.pos < buf.length || (atEnd && this.open)) {
      if (this.open) {
        const end = this.valueEnd(this.open, atEnd);
        if (end < 0) return;
        this.finishValue(this.open.start, end, out);
        this.open = undefined;
        this.pos = end;
        continue;
      }
      const b = buf[this.pos]!;
      if (isSpace(b)) {
        this.pos++;
        continue;
      }
      this.step(b);
    }
  }

  /** One structural byte at `pos` (not white space), or the start of a value. */
  private step(b: number): void {
    const at = this.pos;
    switch (this.expect) {
      case 'object':
        if (b !== OPEN_BRACE) throw this.error(DESCRIBE.object, at);
        return this.stepPast('first-key');
      case 'first-key':
      case 'key':
        if (b === CLOSE_BRACE && this.expect === 'first-key') return this.stepPast('end');
        if (b !== QUOTE) throw this.error(DESCRIBE[this.expect], at);
        return this.openValue();
      case 'colon':
        if (b !== COLON) throw this.error(DESCRIBE.colon, at);
        return this.stepPast('value');
      case 'value':
        if (this.key === 'features') {
          this.featuresKeys++;
          if (b === OPEN_BRACKET) return this.stepPast('first-feature');
          this.featuresAreArray = false;
        }
        if (!startsValue(b)) throw this.error(DESCRIBE.value, at);
        return this.openValue();
      case 'after-value':
        if (b === COMMA) return this.stepPast('key');
        if (b === CLOSE_BRACE) return this.stepPast('end');
        throw this.error(DESCRIBE['after-value'], at);
      case 'first-feature':
      case 'feature':
        if (b === CLOSE_BRACKET && this.expect === 'first-feature')
          return this.stepPast('after-value');
        if (!startsValue(b)) throw this.error(DESCRIBE[this.expect], at);
        return this.openValue();
      case 'after-feature':
        if (b === COMMA) return this.stepPast('feature');
        if (b === CLOSE_BRACKET) return this.stepPast('after-value');
        throw this.error(DESCRIBE['after-feature'], at);
      case 'end':
        throw this.error(DESCRIBE.end, at);
    }
  }

  /** Steps past a structural byte (a bracket, a brace, a colon or a comma). */
  private stepPast(next: Expect): void {
    this.expect = next;
    this.pos++;
  }

  private openValue(): void {
    const b = this.buffer[this.pos]!;
    this.open = {
      start: this.pos,
      scanned: this.pos + 1,
      kind:
        b === OPEN_BRACE || b === OPEN_BRACKET ? 'container' : b === QUOTE ? 'string' : 'primitive',
      depth: 1,
      inString: b === QUOTE,
    };
  }

  /**
   * Where the open value ends (one past its last byte), or -1 when it goes on past the bytes
   * there are. Only strings and bracket depth are followed here; JSON.parse checks the rest.
   */
  private valueEnd(v: OpenValue, atEnd: boolean): number {
    const buf = this.buffer;
    let i = v.scanned;
    const n = buf.length;
    if (v.kind === 'primitive') {
      while (i < n && !endsPrimitive(buf[i]!)) i++;
      v.scanned = i;
      return i < n || atEnd ? i : -1;
    }
    let { depth, inString } = v;
    while (i < n) {
      const b = buf[i++]!;
      if (inString) {
        if (b === BACKSLASH) i++;
        else if (b === QUOTE) {
          inString = false;
          if (v.kind === 'string') return i;
        }
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--depth === 0) return i;
      }
    }
    if (atEnd) throw this.error('unexpected end of file', n);
    // i > n: the chunk ended on a backslash, whose escaped byte is the next chunk's first
    v.scanned = i > n ? n - 1 : n;
    v.depth = depth;
    v.inString = inString;
    return -1;
  }

  private finishValue(start: number, end: number, out: ScannedFeature[]): void {
    let value: unknown;
    try {
      value = JSON.parse(this.buffer.toString('utf8', start, end));
    } catch {
      throw this.error(`${this.describeOpen()} is not valid JSON`, start);
    }
    // a value is only opened while a key, the value of a key or a feature is expected
    if (this.expect === 'first-key' || this.expect === 'key') {
      this.key = value as string;
      this.expect = 'colon';
    } else if (this.expect === 'value') {
      if (this.key === 'type') this.type = value;
      this.expect = 'after-value';
    } else {
      out.push({ value, index: this.nextIndex++ });
      this.expect = 'after-feature';
    }
  }

  private describeOpen(): string {
    if (this.expect === 'key' || this.expect === 'first-key') return 'a key';
    if (this.expect === 'value') return `the value of "${this.key}"`;
    return `features[${this.nextIndex}]`;
  }
}
