import type {
  Channel,
  ChannelSender,
  ConversationHandler,
  GeoPoint,
  InboundMessage,
} from '../bot/conversation/messages.js';

/** A point the customer confirmed on the FindME page, with the chat the link was made for. */
export interface ConfirmedLocation {
  linkId: string;
  channel: Channel;
  chatId: string;
  point: GeoPoint;
  address?: string;
}

/** The confirmation as the conversation engine sees it: a location shared from the FindME page. */
export function toFindMeMessage(confirmed: ConfirmedLocation, sentAt: Date): InboundMessage {
  return {
    kind: 'findme-location',
    channel: confirmed.channel,
    chatId: confirmed.chatId,
    // One id per link: a duplicate delivery of the same confirmation is processed once.
    messageId: `findme:${confirmed.linkId}`,
    sentAt,
    point: { lat: confirmed.point.lat, lng: confirmed.point.lng },
    linkId: confirmed.linkId,
    ...(confirmed.address ? { address: confirmed.address } : {}),
  };
}

export interface HandBackDeps {
  conversation: ConversationHandler;
  /** One sender per channel; the reply goes out on the channel the link was made for. */
  senders: ChannelSender[];
  now?: () => Date;
}

/**
 * Builds the routes' `onConfirmed`: feeds the confirmation to the conversation exactly as a
 * shared location, then sends the replies to the customer's chat. A missing sender or a failed
 * send rejects, so the route gives the link back and the customer can confirm again.
 */
export function findMeHandBack(
  deps: HandBackDeps,
): (confirmed: ConfirmedLocation) => Promise<void> {
  const now = deps.now ?? (() => new Date());
  return async (confirmed) => {
    const sender = deps.senders.find((s) => s.channel === confirmed.channel);
    if (!sender) throw new Error(`no sender for channel ${confirmed.channel}`);
    const replies = await deps.conversation.handle(toFindMeMessage(confirmed, now()));
    if (replies.length) await sender.send(confirmed.chatId, replies);
  };
}
