import type { MenuOption, OutboundMessage } from '../conversation/messages.js';
import { formatMenu, splitText } from '../shared/menu.js';
import { optionId } from './option-id.js';

/** Meta's limits (messages reference): longer values are refused with error 131009/100. */
export const LIMITS = {
  text: 4096,
  interactiveBody: 1024,
  listBody: 4096,
  buttons: 3,
  buttonTitle: 20,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  actionText: 20,
} as const;

/** One Cloud API message, before the recipient is added. `fallback` is its plain-text form. */
export type CloudMessage =
  | { type: 'text'; body: string; previewUrl?: boolean }
  | {
      type: 'buttons';
      body: string;
      buttons: Array<{ id: string; title: string }>;
      fallback: string;
    }
  | {
      type: 'list';
      body: string;
      buttonText: string;
      rows: Array<{ id: string; title: string; description?: string }>;
      fallback: string;
    }
  | { type: 'location-request'; body: string; fallback: string }
  | { type: 'cta-url'; body: string; displayText: string; url: string; fallback: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  /** An approved template; `names` are the placeholders of a template with named parameters. */
  | { type: 'template'; name: string; language: string; parameters: string[]; names?: string[] };

export type InteractiveCloudMessage = Extract<CloudMessage, { fallback: string }>;

export const LIST_BUTTON_TEXT = 'Ver opções';
export const MAP_BUTTON_TEXT = 'Abrir o mapa';
export const MAP_PROMPT = 'Se preferir, marque o local no mapa (dá para buscar pelo endereço):';
const PICK_ONE = 'Escolha uma opção 👇';
/** The numbered-text how-to, for when the native "send location" button cannot be shown. */
export const SHARE_LOCATION_HELP =
  'Para enviar a localização, toque em 📎 (anexar) → Localização → Enviar localização atual.';

/**
 * Converts one engine message to the Cloud API messages that show it, in order.
 *
 * - A menu of up to 3 options becomes reply buttons, up to 10 a list, more stays numbered text.
 *   Labels too long for a button title are shortened, and the body then lists the options in
 *   full, numbered, so nothing is lost; a tap answers with the full label either way.
 * - A location prompt is the native "send location" request, then the FindME link as a URL
 *   button.
 * - Every interactive message keeps its numbered-text `fallback`, sent when Meta refuses it.
 */
export function toCloudMessages(message: OutboundMessage): CloudMessage[] {
  switch (message.kind) {
    case 'text':
      return menuMessages(message.text, message.options ?? []);
    case 'request-location': {
      const howTo = message.howTo ?? SHARE_LOCATION_HELP;
      const out: CloudMessage[] = withBody(message.text, LIMITS.interactiveBody, (body) => ({
        type: 'location-request',
        body,
        fallback: `${body}\n\n${howTo}`,
      }));
      if (message.findmeUrl) out.push(mapLink(message.findmeUrl, message.findmeText));
      return out;
    }
    case 'location':
      return [
        {
          type: 'location',
          latitude: message.point.lat,
          longitude: message.point.lng,
          ...(message.title ? { name: message.title } : {}),
          ...(message.address ? { address: message.address } : {}),
        },
      ];
  }
}

/** The plain-text form of any Cloud message (what the customer reads if interactive fails). */
export function plainText(message: CloudMessage): string | undefined {
  if (message.type === 'text') return message.body;
  if ('fallback' in message) return message.fallback;
  return undefined;
}

function menuMessages(text: string, options: MenuOption[]): CloudMessage[] {
  if (options.length === 0) return texts(text);
  const fallback = formatMenu(text, options);
  if (options.length <= LIMITS.buttons) {
    const plain = options.every((o) => o.label.length <= LIMITS.buttonTitle);
    const titles = options.map((o) => shorten(o.label, LIMITS.buttonTitle));
    const unique = new Set(titles).size === titles.length;
    if (unique) {
      const body = plain ? text : fallback;
      return withBody(body, LIMITS.interactiveBody, (b) => ({
        type: 'buttons',
        body: b,
        buttons: options.map((o, i) => ({ id: optionId(o), title: titles[i]! })),
        fallback,
      }));
    }
  }
  if (options.length <= LIMITS.listRows) {
    return withBody(text, LIMITS.listBody, (b) => ({
      type: 'list',
      body: b,
      buttonText: LIST_BUTTON_TEXT,
      rows: options.map(row),
      fallback,
    }));
  }
  return texts(fallback);
}

function row(option: MenuOption): { id: string; title: string; description?: string } {
  const title = shorten(option.label, LIMITS.rowTitle);
  if (title === option.label) return { id: optionId(option), title };
  return { id: optionId(option), title, description: shorten(option.label, LIMITS.rowDescription) };
}

function mapLink(url: string, intro = MAP_PROMPT): CloudMessage {
  const fallback = `${intro}\n${url}`;
  // Meta only opens web addresses from a URL button.
  if (!/^https?:\/\//i.test(url)) return { type: 'text', body: fallback };
  const body = intro.length <= LIMITS.interactiveBody ? intro : MAP_PROMPT;
  return { type: 'cta-url', body, displayText: MAP_BUTTON_TEXT, url, fallback };
}

/**
 * The interactive message built by `make`, with `body` as its body when it fits; otherwise the
 * text goes first as plain messages and the interactive one gets a short body.
 */
function withBody(
  body: string,
  limit: number,
  make: (body: string) => CloudMessage,
): CloudMessage[] {
  if (body.length > 0 && body.length <= limit) return [make(body)];
  return [...texts(body), make(PICK_ONE)];
}

function texts(text: string): CloudMessage[] {
  if (!text) return [];
  return splitText(text, LIMITS.text).map((body) => ({ type: 'text', body }));
}

/** At most `max` characters, cut at a word when one ends late enough, with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - 1);
  // Never leave half of an emoji (a surrogate pair) at the cut.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  const space = head.lastIndexOf(' ');
  const cut = space >= Math.ceil(max * 0.6) ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,.;:-]+$/, '')}…`;
}
