import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ClientGoneError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDatabaseBusy } from '../ozmap-model/db/client.js';
import { abortedByShutdown } from './in-flight.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** How long a client is asked to wait after the database was too busy for its request. */
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The one error handler of the HTTP surface: known errors → 4xx `{message}`, a statement the
 * database cancelled for its time → 503 with Retry-After, the rest → 500. The log line names the
 * error's type, code and stack (see `safeError` in src/logger.ts), never its arguments.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = res.getHeader('x-request-id');
    if (abortedByShutdown(res.locals)) {
      // Its client is gone and the database is closing: the failure is the shutdown's, not a bug.
      logger.debug({ err, requestId }, 'request aborted by the shutdown');
      res.destroy();
      return;
    }
    // Nobody reads the answer: the work was dropped (or its statement cancelled) for that reason.
    if (err instanceof ClientGoneError || (req.socket.destroyed && isDatabaseBusy(err))) {
      logger.debug({ requestId, method: req.method, path: req.path }, 'client gone: work dropped');
      res.destroy();
      return;
    }
    if (res.headersSent) {
      logger.warn({ err, requestId }, 'error after the response started');
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      res
        .status(err.status)
        .json({ message: err.message, ...(err.field ? { field: err.field } : {}) });
      return;
    }
    const bp = err as BodyParserError;
    if (bp?.type === 'entity.too.large') {
      res
        .status(413)
        .json({ message: `request body is larger than the ${bp.limit} bytes allowed` });
      return;
    }
    if (bp?.type === 'entity.parse.failed') {
      res.status(400).json({ message: 'request body is not valid JSON' });
      return;
    }
    if (typeof bp?.status === 'number' && bp.status >= 400 && bp.status < 500) {
      res.status(bp.status).json({ message: bp.message });
      return;
    }
    if (isDatabaseBusy(err)) {
      logger.warn({ err, requestId, method: req.method, path: req.path }, 'database too busy');
      res.status(503).setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS)).json({
        message:
          'the database took too long to answer this request: try again shortly, or ask for less (a narrower filter, a smaller page)',
        requestId,
      });
      return;
    }
    logger.error({ err, requestId, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ message: 'internal server error', requestId });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ message: `route ${req.method} ${req.path} not found` });
};
