import { createReadStream, statSync } from 'node:fs';
import { noProgress, type Progress } from '../progress.js';
import { FeatureCollectionScanner, JsonSyntaxError } from './feature-scanner.js';

// The import's reader: a GeoJSON file streamed a megabyte at a time and split into its features
// (feature-scanner.ts), handed on a stretch of features at a time; the file itself is never held in
// memory, as text or as objects. (Token-by-token parsers were slower: @streamparser/json 4x, and
// stream-json 6x slower than that; JSON.parse of the whole file needs all its text and objects.)

/** Where an import reads its features from: a file path (streamed) or a parsed document. */
export type GeoJsonSource = { path: string } | { document: unknown };

export interface RawFeature {
  value: unknown;
  /** Its place in the file's `features`. */
  index: number;
}

/** Takes a stretch of features, in file order; the reader waits for it before reading on. */
export type FeatureSink = (features: RawFeature[]) => Promise<void>;

/** What was wrong with the file as a whole; `unreadable` means its features cannot be trusted. */
export interface FileShape {
  problems: string[];
  unreadable?: boolean;
}

const MB = 1024 * 1024;

/** Reads the features of a FeatureCollection in stretches of about `stretch` features. */
export async function readFeatures(
  source: GeoJsonSource,
  stretch: number,
  sink: FeatureSink,
  progress: Progress = noProgress,
): Promise<FileShape> {
  if ('document' in source) return readDocument(source.document, stretch, sink, progress);
  return readFile(source.path, stretch, sink, progress);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readDocument(
  document: unknown,
  stretch: number,
  sink: FeatureSink,
  progress: Progress,
): Promise<FileShape> {
  if (!isObject(document) || document.type !== 'FeatureCollection') {
    return { problems: ['type: must be "FeatureCollection"'], unreadable: true };
  }
  const features = document.features;
  if (!Array.isArray(features))
    return { problems: ['features: must be an array'], unreadable: true };
  progress.phase('importing', features.length, 'features');
  for (let start = 0; start < features.length; start += stretch) {
    const part = features
      .slice(start, start + stretch)
      .map((value: unknown, i) => ({ value, index: start + i }));
    await sink(part);
    progress.advance(part.length);
  }
  progress.end();
  return { problems: [] };
}

async function readFile(
  path: string,
  stretch: number,
  sink: FeatureSink,
  progress: Progress,
): Promise<FileShape> {
  const size = statSync(path).size;
  const scanner = new FeatureCollectionScanner();
  let pending: RawFeature[] = [];
  const flush = async () => {
    const part = pending;
    pending = [];
    if (part.length) await sink(part);
  };
  progress.phase('importing', Math.ceil(size / MB), 'MB');
  let read = 0;
  let reported = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: MB })) {
      for (const f of scanner.push(chunk as Buffer)) pending.push(f);
      if (pending.length >= stretch) await flush();
      read += (chunk as Buffer).length;
      const mb = Math.floor(read / MB);
      if (mb > reported) {
        progress.advance(mb - reported);
        reported = mb;
      }
    }
    for (const f of scanner.end()) pending.push(f);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    progress.end();
    return { problems: [`file: not valid JSON (${err.message})`], unreadable: true };
  }
  await flush();
  progress.end();
  const problems: string[] = [];
  if (scanner.featuresKeys > 1) problems.push('features: must appear once');
  else if (!scanner.featuresKeys || !scanner.featuresAreArray)
    problems.push('features: must be an array');
  if (scanner.type !== 'FeatureCollection') problems.push('type: must be "FeatureCollection"');
  return { problems };
}
