import type { MenuOption } from '../conversation/messages.js';

/** Renders a text and its options as a numbered menu ("1. Ver planos"), one option a line. */
export function formatMenu(text: string, options: MenuOption[] = []): string {
  if (options.length === 0) return text;
  const lines = options.map((option) => `${option.key}. ${option.label}`);
  return `${text}\n\n${lines.join('\n')}`;
}

/**
 * Splits text into pieces of at most `limit` characters, preferring line breaks, then spaces.
 * Code points are never cut in half.
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while ([...rest].length > limit) {
    const head = [...rest].slice(0, limit).join('');
    let cut = head.lastIndexOf('\n');
    if (cut < limit / 2) cut = head.lastIndexOf(' ');
    if (cut < limit / 2) cut = head.length;
    pieces.push(head.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}
