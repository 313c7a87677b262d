import { readFileSync } from 'node:fs';
import { mergeCatalogue, TextsError, type Catalogue } from './conversation/catalogue.js';
import { createTexts, type Texts } from './conversation/texts.js';

/**
 * The provider's texts: the default catalogue with the overrides of `file` (JSON), validated.
 * Throws TextsError listing every problem, so a bad file stops the service at start.
 */
export function loadTexts(options: { providerName: string; file?: string }): Texts {
  return createTexts({
    providerName: options.providerName,
    catalogue: loadCatalogue(options.file),
  });
}

export function loadCatalogue(file: string | undefined): Catalogue {
  if (!file) return mergeCatalogue({});
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TextsError([`${file}: cannot read the file (${code})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new TextsError([`${file}: not valid JSON (${(err as Error).message})`]);
  }
  try {
    return mergeCatalogue(parsed);
  } catch (err) {
    if (err instanceof TextsError) throw new TextsError(err.problems.map((p) => `${file}: ${p}`));
    throw err;
  }
}
