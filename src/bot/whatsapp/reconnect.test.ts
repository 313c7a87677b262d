import { describe, expect, it } from 'vitest';
import { DisconnectReason } from './baileys.js';
import { backoffDelay, decideReconnect } from './reconnect.js';

const backoff = { baseMs: 1000, maxMs: 60_000, random: () => 0.5 };

describe('decideReconnect', () => {
  it('re-pairs after loggedOut and after a repeated badSession', () => {
    expect(decideReconnect(DisconnectReason.loggedOut, 0, backoff)).toEqual({
      action: 're-pair',
      reason: 'loggedOut',
    });
    expect(decideReconnect(500, 1, backoff, 500)).toEqual({
      action: 're-pair',
      reason: 'badSession',
    });
    expect(decideReconnect(500, 0, backoff)).toMatchObject({
      action: 'reconnect',
      reason: 'badSession',
    });
  });

  it('reconnects at once after restartRequired, with backoff after transient closes', () => {
    expect(decideReconnect(515, 3, backoff)).toEqual({
      action: 'reconnect',
      delayMs: 0,
      reason: 'restartRequired',
    });
    expect(decideReconnect(428, 0, backoff)).toEqual({
      action: 'reconnect',
      delayMs: 750,
      reason: 'connectionClosed',
    });
    expect(decideReconnect(408, 2, backoff)).toEqual({
      action: 'reconnect',
      delayMs: 3000,
      reason: 'timedOut',
    });
    expect(decideReconnect(503, 1, backoff)).toMatchObject({
      action: 'reconnect',
      reason: 'unavailableService',
    });
    expect(decideReconnect(undefined, 0, backoff)).toMatchObject({
      action: 'reconnect',
      reason: 'unknown',
    });
  });

  it('stops with a hint when a person must act', () => {
    expect(decideReconnect(440, 0, backoff)).toMatchObject({
      action: 'stop',
      reason: 'connectionReplaced',
    });
    expect(decideReconnect(403, 0, backoff)).toMatchObject({ action: 'stop', reason: 'forbidden' });
    expect(decideReconnect(411, 0, backoff)).toMatchObject({
      action: 'stop',
      reason: 'multideviceMismatch',
    });
    expect(decideReconnect(405, 0, backoff)).toMatchObject({
      action: 'stop',
      hint: expect.stringContaining('upgrade') as string,
    });
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    const fixed = (r: number) => ({ ...backoff, random: () => r });
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, fixed(0)))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(10, fixed(0))).toBe(30_000);
    expect(backoffDelay(10, fixed(0.999999))).toBe(60_000);
    expect(backoffDelay(100, fixed(0.5))).toBe(45_000);
  });
});
