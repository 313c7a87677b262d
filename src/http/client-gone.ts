import type { Request, Response } from 'express';
import { ClientGoneError } from '../errors.js';

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
