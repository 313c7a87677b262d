import type { MenuOption } from '../conversation/messages.js';

// Reply buttons and list rows carry an id that comes back when the customer taps them. Ours holds
// the option's key and its full label: the label goes to the engine (which matches it against the
// current step's options), so a tap on an old menu whose options no longer apply is not mistaken
// for "option 1" of the current one, and titles shortened to fit Meta's limits lose nothing.

const PREFIX = 'opt|';
/** Meta's limit for list row ids (button ids allow 256). */
const MAX_ID = 200;

export function optionId(option: MenuOption): string {
  const full = `${PREFIX}${option.key}|${option.label}`;
  return full.length <= MAX_ID ? full : `${PREFIX}${option.key}`.slice(0, MAX_ID);
}

/** What the customer "said" by tapping: the label, or the key when the label did not fit. */
export function optionAnswer(id: string): string | undefined {
  if (!id.startsWith(PREFIX)) return undefined;
  const rest = id.slice(PREFIX.length);
  const bar = rest.indexOf('|');
  if (bar === -1) return rest || undefined;
  const label = rest.slice(bar + 1);
  return label || rest.slice(0, bar) || undefined;
}
