import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import type { LiveBus } from './live.js';
import { readCookie, SESSION_COOKIE, type SalesSessions } from './sessions.js';

const HEARTBEAT_MS = 25_000;

/**
 * Server-sent events for the signed-in page: every live event (from any instance, through the
 * bus), a heartbeat that keeps proxies from closing the stream and re-checks the session (a
 * disabled user or an expired session is cut off), and `retry` so the browser reconnects.
 */
export function liveStream(
  live: LiveBus,
  sessions: SalesSessions,
  streams: Set<Response>,
  logger: Logger,
): RequestHandler {
  return (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    res.write(`event: ready\ndata: {}\n\n`);
    streams.add(res);
    let seq = 0;
    const unsubscribe = live.subscribe((event) => {
      res.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const heartbeat = setInterval(() => {
      void sessions
        .verify(token)
        .then((user) => {
          if (!user) {
            res.write('event: session-ended\ndata: {}\n\n');
            res.end();
            return;
          }
          res.write(': keep-alive\n\n');
        })
        .catch((err: unknown) => logger.warn({ err }, 'live stream session check failed'));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  };
}
