import type { OutboundMessage } from '../conversation/messages.js';
import { formatMenu } from '../shared/menu.js';
import type { AnyMessageContent } from './baileys.js';

/** How to share a location in WhatsApp: its clients have no "send location" button for bots. */
export const SHARE_LOCATION_HELP =
  'Para enviar a localização, toque em 📎 (anexar) → Localização → Enviar localização atual. ' +
  'Se não estiver no imóvel, arraste o mapa até ele antes de enviar.';

/**
 * Converts one engine message to the Baileys contents that show it, in order. WhatsApp hides
 * buttons and lists from unofficial clients, so menus are numbered text the customer answers by
 * typing the number.
 */
export function toBaileysContent(message: OutboundMessage): AnyMessageContent[] {
  switch (message.kind) {
    case 'text':
      return [{ text: formatMenu(message.text, message.options) }];
    case 'location':
      return [
        {
          location: {
            degreesLatitude: message.point.lat,
            degreesLongitude: message.point.lng,
            ...(message.title ? { name: message.title } : {}),
            ...(message.address ? { address: message.address } : {}),
          },
        },
      ];
    case 'request-location': {
      const parts = [message.text, message.howTo ?? SHARE_LOCATION_HELP];
      if (message.findmeUrl) {
        parts.push(
          `${message.findmeText ?? 'Se preferir, marque o local no mapa:'} ${message.findmeUrl}`,
        );
      }
      return [{ text: parts.join('\n\n') }];
    }
  }
}
