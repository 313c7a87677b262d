import type { Request, RequestHandler, Response } from 'express';
import { ClientGoneError } from '../errors.js';
import type { Logger } from '../logger.js';
import { cancelStatements, type Db } from '../ozmap-model/db/client.js';
import { StatementScope, withStatementScope } from '../ozmap-model/db/cancel.js';

/**
 * A signal aborted (with a ClientGoneError) when the client closes the connection before the
 * response is complete, so work done page by page stops at the next page instead of running on
 * for nobody. A single statement already running is bounded by the database's statement timeout.
 */
export function clientGone(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  const gone = () => {
    if (!res.writableFinished) controller.abort(new ClientGoneError());
  };
  if (req.socket.destroyed) gone();
  else res.once('close', gone);
  return controller.signal;
}

/**
 * Runs the rest of the request in a StatementScope: when the client goes away before the answer,
 * the PostgreSQL statements it still runs are cancelled (pg_cancel_backend) instead of running on
 * until the statement timeout. Mount it after the body parsers, so the scope covers the handlers.
 */
export function cancelStatementsOnClientGone(db: Db, logger?: Logger): RequestHandler {
  return (_req, res, next) => {
    const scope = new StatementScope();
    res.once('close', () => {
      if (res.writableFinished || scope.running.size === 0) return;
      cancelStatements(db, scope).then(
        (count) => logger?.debug({ count }, 'client gone: statements cancelled'),
        (err: unknown) => logger?.warn({ err }, 'could not cancel the statements of a client gone'),
      );
    });
    withStatementScope(scope, next);
  };
}
