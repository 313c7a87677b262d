// The only file that imports @kapso/whatsapp-cloud-api. It was chosen over whatsapp-api-js and
// over hand-written calls (see docs/channels.md): it takes a base URL and version (so tests point it
// at the simulator), runs on Node 20, validates interactive messages against Meta's limits, and
// throws a typed GraphApiError with Meta's code and Retry-After instead of resolving error bodies.
// Everything else in src/bot/whatsapp-cloud speaks CloudMessage and never sees the library.
import { WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { verifySignature } from '@kapso/whatsapp-cloud-api/server';
import type { WhatsAppCloudConfig } from '../../config.js';
import type { CloudMessage } from './to-cloud-message.js';
import type { MetaTemplate } from './templates.js';

/** Where and as whom to call (the channel's configuration has exactly these fields). */
export type CloudApiTarget = Pick<
  WhatsAppCloudConfig,
  'accessToken' | 'apiBaseUrl' | 'apiVersion' | 'phoneNumberId' | 'businessAccountId'
>;

export interface CloudApiOptions {
  /** Each request is aborted after this long (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface MediaInfo {
  url: string;
  mimeType?: string;
  fileSize?: number;
}

/** The Cloud API calls the channel makes. Errors are the library's, classified in retry.ts. */
export interface CloudApi {
  /** Sends one message; resolves with the wamid Meta assigned. */
  send(recipient: string, message: CloudMessage): Promise<{ messageId: string }>;
  /** Marks a customer's message read (blue ticks) and shows "typing..." until the reply. */
  markRead(messageId: string): Promise<void>;
  /** The business account's templates with these names (every language). */
  templates(names: string[]): Promise<MetaTemplate[]>;
  /** Where a customer's media can be downloaded for the next few minutes. */
  media(mediaId: string): Promise<MediaInfo>;
  /** Downloads a media URL returned by `media` (Meta requires the access token on it). */
  download(url: string): Promise<Response>;
}

/** X-Hub-Signature-256 check: HMAC-SHA256 of the raw body with the app secret, constant time. */
export function verifyWebhookSignature(
  appSecret: string,
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  return verifySignature({ appSecret, rawBody, signatureHeader: header });
}

export function createCloudApi(target: CloudApiTarget, options: CloudApiOptions = {}): CloudApi {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const client = new WhatsAppClient({
    accessToken: target.accessToken,
    baseUrl: target.apiBaseUrl,
    graphVersion: target.apiVersion,
    fetch: (input, init) => baseFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  });
  const phoneNumberId = target.phoneNumberId;

  return {
    async send(recipient, message) {
      const to = /^\d+$/.test(recipient) ? { to: recipient } : { recipient };
      const base = { phoneNumberId, ...to };
      const response = await sendOne(client, base, message);
      const messageId = response.messages?.[0]?.id;
      if (!messageId) throw new Error('the Cloud API accepted a message without returning its id');
      return { messageId };
    },

    async markRead(messageId) {
      await client.messages.markRead({
        phoneNumberId,
        messageId,
        typingIndicator: { type: 'text' },
      });
    },

    async templates(names) {
      const found: MetaTemplate[] = [];
      for (const name of new Set(names)) {
        const page = (await client.templates.list({
          businessAccountId: target.businessAccountId,
          name,
          limit: 100,
        })) as { data?: unknown[] };
        for (const item of page.data ?? []) found.push(toMetaTemplate(item));
      }
      return found;
    },

    async media(mediaId) {
      const info = (await client.media.get({ mediaId })) as {
        url?: unknown;
        mimeType?: unknown;
        fileSize?: unknown;
      };
      if (typeof info.url !== 'string')
        throw new Error('the Cloud API returned media without a URL');
      return {
        url: info.url,
        ...(typeof info.mimeType === 'string' ? { mimeType: info.mimeType } : {}),
        ...(typeof info.fileSize === 'number' ? { fileSize: info.fileSize } : {}),
      };
    },

    download(url) {
      return client.fetch(url);
    },
  };
}

type Recipient = { phoneNumberId: string } & ({ to: string } | { recipient: string });

function sendOne(
  client: WhatsAppClient,
  base: Recipient,
  message: CloudMessage,
): Promise<{ messages?: Array<{ id?: string }> }> {
  const m = client.messages;
  switch (message.type) {
    case 'text':
      return m.sendText({ ...base, body: message.body, previewUrl: message.previewUrl ?? false });
    case 'buttons':
      return m.sendInteractiveButtons({
        ...base,
        bodyText: message.body,
        buttons: message.buttons,
      });
    case 'list':
      return m.sendInteractiveList({
        ...base,
        bodyText: message.body,
        buttonText: message.buttonText,
        sections: [{ rows: message.rows }],
      });
    case 'location-request':
      // Sent raw: the library's builder adds a parameters object Meta's reference does not have.
      return m.sendInteractiveRaw({
        ...base,
        interactive: {
          type: 'location_request_message',
          body: { text: message.body },
          action: { name: 'send_location' },
        },
      });
    case 'cta-url':
      return m.sendInteractiveCtaUrl({
        ...base,
        bodyText: message.body,
        parameters: { displayText: message.displayText, url: message.url },
      });
    case 'location':
      return m.sendLocation({
        ...base,
        location: {
          latitude: message.latitude,
          longitude: message.longitude,
          ...(message.name ? { name: message.name } : {}),
          ...(message.address ? { address: message.address } : {}),
        },
      });
    case 'template':
      return m.sendTemplate({
        ...base,
        template: {
          name: message.name,
          language: { code: message.language },
          components: [
            {
              type: 'body',
              parameters: message.parameters.map((text, i) => ({
                type: 'text',
                text,
                ...(message.names ? { parameter_name: message.names[i] } : {}),
              })),
            },
          ],
        },
      });
  }
}

/** The library camel-cases responses; this reads a template back into Meta's terms. */
function toMetaTemplate(item: unknown): MetaTemplate {
  const t = item as {
    name?: unknown;
    language?: unknown;
    status?: unknown;
    parameterFormat?: unknown;
    components?: Array<{ type?: unknown; format?: unknown; text?: unknown; buttons?: unknown }>;
  };
  return {
    name: str(t.name),
    language: str(t.language),
    status: str(t.status),
    ...(typeof t.parameterFormat === 'string' ? { parameterFormat: t.parameterFormat } : {}),
    components: (t.components ?? []).map((c) => ({
      type: str(c.type),
      ...(typeof c.format === 'string' ? { format: c.format } : {}),
      ...(typeof c.text === 'string' ? { text: c.text } : {}),
      ...(Array.isArray(c.buttons)
        ? {
            buttons: (c.buttons as Array<{ type?: unknown; url?: unknown }>).map((b) => ({
              type: str(b.type),
              ...(typeof b.url === 'string' ? { url: b.url } : {}),
            })),
          }
        : {}),
    })),
  };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
