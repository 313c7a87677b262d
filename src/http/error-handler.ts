import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** The one error handler of the HTTP surface: known errors → 4xx `{message}`, the rest → 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = res.getHeader('x-request-id');
    if (err instanceof AppError) {
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
    logger.error({ err, requestId, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ message: 'internal server error', requestId });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ message: `route ${req.method} ${req.path} not found` });
};
