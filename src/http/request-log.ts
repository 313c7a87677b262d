import { randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { maskPii, type Logger } from '../logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** The app's logger with this request's id (created on first use). */
    log: Logger;
  }
}

const SAFE_ID = /^[\w.-]{1,64}$/;
const BASE = Symbol('baseLogger');
const CHILD = Symbol('requestLogger');

interface LoggedRequest {
  id: string;
  [BASE]?: Logger;
  [CHILD]?: Logger;
}

// A child logger per request is costly on the hot path and most requests never log beyond the
// access line, so `req.log` is made when first read.
Object.defineProperty(express.request, 'log', {
  configurable: true,
  get(this: LoggedRequest): Logger | undefined {
    return (this[CHILD] ??= this[BASE]?.child({ requestId: this.id }));
  },
});

/** Assigns a request id (honouring a sane incoming X-Request-Id) and logs one line per request. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    (req as unknown as LoggedRequest)[BASE] = logger;
    res.setHeader('x-request-id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Query strings may carry personal data or keys (OZloc passes `authorization`): log the path only.
      logger.info(
        {
          requestId: req.id,
          method: req.method,
          path: maskPii(req.originalUrl.split('?')[0] ?? ''),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
}
