import type { GeoPoint, InboundMessage } from '../conversation/messages.js';
import { optionAnswer } from './option-id.js';
import {
  MessageSchema,
  StatusSchema,
  WebhookSchema,
  type CloudChangeValue,
  type CloudErrorPayload,
  type CloudMessagePayload,
} from './webhook-payload.js';

export interface CloudError {
  code: number;
  title?: string;
  details?: string;
}

/** What Meta tells us about a message we sent. */
export interface CloudStatus {
  /** The wamid returned when it was sent. */
  messageId: string;
  /** sent | delivered | read | failed (and whatever Meta adds). */
  status: string;
  /** The customer it was sent to. */
  chatId?: string;
  at?: Date;
  errors: CloudError[];
}

/** A message the bot did not take, with why (for a log line without personal data). */
export interface IgnoredEvent {
  reason: string;
  /** Meta's message type or webhook field, when there is one. */
  type?: string;
}

export interface CloudWebhookEvents {
  /** Customer messages to our number, in the order Meta listed them. */
  messages: Array<{ message: InboundMessage; profileName?: string }>;
  statuses: CloudStatus[];
  /** Errors Meta reports for the number itself (value.errors). */
  errors: CloudError[];
  ignored: IgnoredEvent[];
}

/** Message types that are not something the customer said to the bot. */
const SILENT_TYPES = new Set(['reaction', 'system', 'ephemeral', 'request_welcome', 'revoke']);
const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;

/**
 * Converts a `messages` webhook body to the events of our number. Never throws: anything it cannot
 * use becomes an `ignored` entry, so one odd item never hides the others.
 *
 * - Every entry and change is read (Meta batches), but only changes for `phoneNumberId`: one app's
 *   webhook receives the events of every number in the business account.
 * - The chat id is the customer's wa_id (phone digits); a user known only by a business-scoped
 *   user id (BSUID) is keyed by it.
 * - Reply buttons and list rows come back as text: the option's label (see option-id.ts), or the
 *   title for ids we did not make.
 * - A location without valid coordinates, media, and unknown types are `unsupported`, so the
 *   customer gets a friendly reply instead of silence.
 */
export function fromCloudWebhook(
  payload: unknown,
  phoneNumberId: string,
  receivedAt: Date = new Date(),
): CloudWebhookEvents {
  const events: CloudWebhookEvents = { messages: [], statuses: [], errors: [], ignored: [] };
  const parsed = WebhookSchema.safeParse(payload);
  if (!parsed.success) {
    events.ignored.push({ reason: 'not a webhook payload' });
    return events;
  }
  if (parsed.data.object !== 'whatsapp_business_account') {
    events.ignored.push({
      reason: 'not a WhatsApp Business Account event',
      type: parsed.data.object,
    });
    return events;
  }
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        events.ignored.push({ reason: 'webhook field not used', type: change.field });
        continue;
      }
      const value = change.value;
      if (value.metadata?.phone_number_id !== phoneNumberId) {
        events.ignored.push({ reason: 'event for another phone number' });
        continue;
      }
      readChange(value, events, receivedAt);
    }
  }
  return events;
}

function readChange(value: CloudChangeValue, events: CloudWebhookEvents, receivedAt: Date): void {
  const names = new Map<string, string>();
  for (const contact of value.contacts ?? []) {
    const id = contact.wa_id ?? contact.user_id;
    if (id && contact.profile?.name) names.set(id, contact.profile.name);
  }
  for (const raw of value.messages ?? []) {
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) {
      events.ignored.push({ reason: 'malformed message' });
      continue;
    }
    const converted = toInbound(parsed.data, names, receivedAt);
    if ('reason' in converted) events.ignored.push(converted);
    else events.messages.push(converted);
  }
  for (const raw of value.statuses ?? []) {
    const parsed = StatusSchema.safeParse(raw);
    if (!parsed.success) {
      events.ignored.push({ reason: 'malformed status' });
      continue;
    }
    const s = parsed.data;
    events.statuses.push({
      messageId: s.id,
      status: s.status,
      chatId: s.recipient_id ?? s.recipient_user_id,
      at: timestampOf(s.timestamp),
      errors: (s.errors ?? []).map(toError),
    });
  }
  events.errors.push(...(value.errors ?? []).map(toError));
}

function toInbound(
  m: CloudMessagePayload,
  names: Map<string, string>,
  receivedAt: Date,
): { message: InboundMessage; profileName?: string } | IgnoredEvent {
  const chatId = m.from ?? m.from_user_id;
  if (!chatId) return { reason: 'message without a sender', type: m.type };
  if (SILENT_TYPES.has(m.type)) return { reason: 'not a customer message', type: m.type };
  const profileName = names.get(chatId);
  const base = {
    channel: 'whatsapp-cloud' as const,
    chatId,
    messageId: m.id,
    sentAt: timestampOf(m.timestamp) ?? receivedAt,
    ...(profileName ? { senderName: profileName } : {}),
    ...(m.from && /^\d{8,15}$/.test(m.from) ? { senderPhone: m.from } : {}),
  };
  const message = content(m, base);
  return profileName ? { message, profileName } : { message };
}

type Base = Omit<InboundMessage & { kind: 'text' }, 'kind' | 'text'>;

function content(m: CloudMessagePayload, base: Base): InboundMessage {
  switch (m.type) {
    case 'text':
      if (m.text?.body) return { ...base, kind: 'text', text: m.text.body };
      return { ...base, kind: 'unsupported', what: 'empty text' };
    case 'location': {
      const point = pointOf(m.location?.latitude, m.location?.longitude);
      if (!point) return { ...base, kind: 'unsupported', what: 'location without coordinates' };
      return {
        ...base,
        kind: 'location',
        point,
        ...(m.location?.name ? { name: m.location.name } : {}),
        ...(m.location?.address ? { address: m.location.address } : {}),
      };
    }
    case 'interactive': {
      const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
      const text = reply && (optionAnswer(reply.id) ?? reply.title ?? reply.id);
      if (text) return { ...base, kind: 'text', text };
      return {
        ...base,
        kind: 'unsupported',
        what: `interactive ${m.interactive?.type ?? ''}`.trim(),
      };
    }
    case 'button': {
      const text = m.button?.text ?? m.button?.payload;
      if (text) return { ...base, kind: 'text', text };
      return { ...base, kind: 'unsupported', what: 'button' };
    }
    case 'contacts': {
      const card = m.contacts?.[0];
      const phone = card?.phones?.map((p) => p.wa_id ?? digits(p.phone)).find(Boolean);
      if (!phone) return { ...base, kind: 'unsupported', what: 'contact without phone' };
      const name = card?.name?.formatted_name;
      return { ...base, kind: 'contact', phone, ...(name ? { name } : {}) };
    }
    default: {
      const media = MEDIA_TYPES.find((t) => t === m.type);
      if (media) {
        const what = media === 'audio' && m.audio?.voice ? 'voice' : media;
        return { ...base, kind: 'unsupported', what };
      }
      // "unsupported" (Meta could not read it, error 131051), or a type newer than this code.
      return { ...base, kind: 'unsupported', what: m.type };
    }
  }
}

/** Coordinates on Earth; (0, 0) is what broken clients send for "no fix". */
function pointOf(lat: number | undefined, lng: number | undefined): GeoPoint | undefined {
  if (lat === undefined || lng === undefined) return undefined;
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return undefined;
  return { lat, lng };
}

function toError(e: CloudErrorPayload): CloudError {
  return {
    code: e.code,
    ...(e.title ? { title: e.title } : {}),
    ...(e.error_data?.details ? { details: e.error_data.details } : {}),
  };
}

function timestampOf(value: string | undefined): Date | undefined {
  const seconds = Number(value);
  return value && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}

function digits(text: string | undefined): string | undefined {
  const d = text?.replace(/\D/g, '');
  return d || undefined;
}
