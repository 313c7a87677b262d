// `alcance texts defaults` prints the catalogue a provider copies and edits; `alcance texts check`
// validates a file the way the service does at start.
import type { Config } from '../config.js';
import { DEFAULT_CATALOGUE, TextsError } from './conversation/catalogue.js';
import { loadCatalogue } from './texts-file.js';

export function textsCommand(
  sub: string | undefined,
  file: string | undefined,
  config: Config,
  out: (line: string) => void = (line) => console.log(line),
  err: (line: string) => void = (line) => console.error(line),
): number {
  if (sub === 'defaults') {
    out(JSON.stringify(DEFAULT_CATALOGUE, null, 2));
    return 0;
  }
  if (sub === 'check') {
    const target = file ?? config.chatbot.textsFile;
    if (!target) {
      err('usage: alcance texts check FILE (or set CHATBOT_TEXTS_FILE)');
      return 2;
    }
    try {
      const merged = loadCatalogue(target);
      const changed = Object.keys(merged).filter(
        (k) => merged[k as keyof typeof merged] !== DEFAULT_CATALOGUE[k as keyof typeof merged],
      );
      out(`${target}: ok (${changed.length} of ${Object.keys(merged).length} texts overridden)`);
      return 0;
    } catch (e) {
      if (e instanceof TextsError) {
        err(e.message);
        return 1;
      }
      throw e;
    }
  }
  err('usage: alcance texts defaults | alcance texts check [FILE]');
  return 2;
}
