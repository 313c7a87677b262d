// The shape of Meta's `messages` webhook (WhatsApp Business Account object), as documented in the
// webhooks reference. Only what the bot reads is declared; everything else passes through, so a
// field Meta adds tomorrow never makes a payload invalid.
import { z } from 'zod';

const ErrorSchema = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type CloudErrorPayload = z.infer<typeof ErrorSchema>;

const MediaSchema = z.looseObject({
  id: z.string().optional(),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
  filename: z.string().optional(),
});

const ReplySchema = z.looseObject({
  id: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
});

export const MessageSchema = z.looseObject({
  id: z.string().min(1),
  /** The customer's phone number (wa_id); omitted for users identified only by a BSUID. */
  from: z.string().optional(),
  /** Business-scoped user id (BSUID); arrives on every message from 2026 on. */
  from_user_id: z.string().optional(),
  timestamp: z.string().optional(),
  type: z.string(),
  context: z.looseObject({ id: z.string().optional(), from: z.string().optional() }).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  location: z
    .looseObject({
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: ReplySchema.optional(),
      list_reply: ReplySchema.optional(),
    })
    .optional(),
  /** A quick-reply button of a template message. */
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: z.string().optional() }).optional(),
        phones: z
          .array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
  image: MediaSchema.optional(),
  audio: MediaSchema.optional(),
  video: MediaSchema.optional(),
  document: MediaSchema.optional(),
  sticker: MediaSchema.optional(),
  errors: z.array(ErrorSchema).optional(),
});
export type CloudMessagePayload = z.infer<typeof MessageSchema>;

export const StatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(ErrorSchema).optional(),
});
export type CloudStatusPayload = z.infer<typeof StatusSchema>;

const ContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

const ValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z
    .looseObject({
      phone_number_id: z.string().optional(),
      display_phone_number: z.string().optional(),
    })
    .optional(),
  contacts: z.array(ContactSchema).optional(),
  // Each item is validated on its own, so one malformed message does not hide the others.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(ErrorSchema).optional(),
});
export type CloudChangeValue = z.infer<typeof ValueSchema>;

export const WebhookSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: ValueSchema })).default([]),
    }),
  ),
});
export type CloudWebhookPayload = z.infer<typeof WebhookSchema>;
