import { createReadStream, statSync } from 'node:fs';
import { JSONParser } from '@streamparser/json';
import { noProgress, type Progress } from '../progress.js';
import {
  emptyValidatedFile,
  finishValidation,
  validateFeature,
  validateFile,
  type ValidatedFile,
} from './validate.js';

// The import's reader: a GeoJSON file streamed through @streamparser/json, one feature at a
// time, each validated as it arrives; the file itself is never held in memory. (stream-json was
// 6x slower on the same 32 MB file; JSON.parse needs the whole text and a copy of it as objects.)

/** Where an import reads its features from: a file path (streamed) or a parsed document. */
export type GeoJsonSource = { path: string } | { document: unknown };

const MB = 1024 * 1024;

/** Reads and validates every feature; problems carry their place in the file. */
export async function readGeoJson(
  source: GeoJsonSource,
  progress: Progress = noProgress,
): Promise<ValidatedFile> {
  if ('document' in source) return validateFile(source.document);
  const out = emptyValidatedFile();
  const size = statSync(source.path).size;
  const parser = new JSONParser({ paths: ['$.type', '$.features.*'], keepStack: false });
  let type: unknown;
  let featuresAreArray = true;
  let parseError: string | undefined;
  parser.onValue = ({ value, key, stack }) => {
    if (stack.length === 1 && key === 'type') {
      type = value;
    } else if (typeof key === 'number') {
      validateFeature(value, key, out);
    } else {
      featuresAreArray = false;
    }
  };
  parser.onError = (err) => {
    parseError ??= err.message;
  };
  progress.phase('reading', Math.ceil(size / MB), 'MB');
  let read = 0;
  let reported = 0;
  for await (const chunk of createReadStream(source.path, { highWaterMark: MB })) {
    if (parseError) break;
    parser.write(chunk as Buffer);
    read += (chunk as Buffer).length;
    const mb = Math.floor(read / MB);
    if (mb > reported) {
      progress.advance(mb - reported);
      reported = mb;
    }
  }
  if (!parser.isEnded && !parseError) parser.end();
  progress.end();
  if (parseError) {
    return { ...out, problems: [`file: not valid JSON (${parseError})`] };
  }
  if (type !== 'FeatureCollection') out.problems.unshift('type: must be "FeatureCollection"');
  if (!featuresAreArray) out.problems.unshift('features: must be an array');
  return finishValidation(out);
}
