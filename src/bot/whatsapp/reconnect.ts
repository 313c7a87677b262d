import { DisconnectReason } from './baileys.js';

/** What to do after the socket closed. */
export type ReconnectDecision =
  | { action: 'reconnect'; delayMs: number; reason: string }
  /** Forget the credentials and open a new socket, which pairs again (QR or pairing code). */
  | { action: 're-pair'; reason: string }
  /** Do not reconnect: a person must look (the hint says what). */
  | { action: 'stop'; reason: string; hint: string };

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** In [0, 1): the jitter source. */
  random: () => number;
}

/**
 * The reconnect rules per Baileys DisconnectReason. `attempt` counts the closes since the last
 * open connection; `previousCode` is the status code of the close before this one.
 */
export function decideReconnect(
  statusCode: number | undefined,
  attempt: number,
  backoff: BackoffOptions,
  previousCode?: number,
): ReconnectDecision {
  const delay = () => backoffDelay(attempt, backoff);
  switch (statusCode) {
    case DisconnectReason.loggedOut:
      return { action: 're-pair', reason: 'loggedOut' };
    case DisconnectReason.restartRequired:
      // Expected right after pairing: the new credentials need a new socket.
      return { action: 'reconnect', delayMs: 0, reason: 'restartRequired' };
    case DisconnectReason.connectionReplaced:
      return {
        action: 'stop',
        reason: 'connectionReplaced',
        hint: 'another connection took over this WhatsApp session (a second instance or WhatsApp Web with the same credentials): run one instance per number',
      };
    case DisconnectReason.badSession:
      return previousCode === DisconnectReason.badSession
        ? { action: 're-pair', reason: 'badSession' }
        : { action: 'reconnect', delayMs: delay(), reason: 'badSession' };
    case DisconnectReason.forbidden:
      return {
        action: 'stop',
        reason: 'forbidden',
        hint: 'WhatsApp refused this number (it may be banned or restricted): check the phone',
      };
    case DisconnectReason.multideviceMismatch:
      return {
        action: 'stop',
        reason: 'multideviceMismatch',
        hint: 'WhatsApp reports a multi-device mismatch: unlink the device on the phone and pair again',
      };
    case 405:
      return {
        action: 'stop',
        reason: 'clientOutdated',
        hint: 'WhatsApp rejected the client version (405): upgrade @whiskeysockets/baileys',
      };
    case undefined:
    default:
      // connectionClosed (428), connectionLost / timedOut (408), unavailableService (503), unknown.
      return { action: 'reconnect', delayMs: delay(), reason: reasonName(statusCode) };
  }
}

/** Capped exponential backoff with jitter: half fixed, half random, so instances spread out. */
export function backoffDelay(attempt: number, { baseMs, maxMs, random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function reasonName(code: number | undefined): string {
  if (code === undefined) return 'unknown';
  const name = (DisconnectReason as unknown as Record<number, string>)[code];
  return name ?? `status ${code}`;
}
