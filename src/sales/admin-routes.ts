import { Router, type Request } from 'express';
import { ValidationError } from '../errors.js';
import { adminAuth } from '../http/admin-auth.js';
import type { AuthDeps } from '../integrations/ozmap-api/auth.js';
import type { Db } from '../ozmap-model/db/client.js';
import { listAudit } from './audit.js';
import { actorOf } from './http-auth.js';
import type { SalesUsers } from './users.js';
import type { WebhookEndpoints } from './webhooks.js';

/**
 * `/admin/users`, `/admin/webhooks` and `/admin/audit` for an admin API key (the same as
 * `alcance user ...` and `alcance webhook ...`); the key is the actor in the audit log.
 */
/** The parsed JSON body as a plain record (absent or not an object: empty). */
function b(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

export function salesAdminRouter(d: {
  db: Db;
  /** What checks the admin API key (its profile must be of kind admin). */
  auth: AuthDeps;
  users: SalesUsers;
  webhooks: WebhookEndpoints;
}): Router {
  const router = Router();
  router.use('/admin/users', adminAuth(d.auth));
  router.use('/admin/webhooks', adminAuth(d.auth));
  router.use('/admin/webhook-deliveries', adminAuth(d.auth));
  router.use('/admin/audit', adminAuth(d.auth));

  router.get('/admin/users', async (_req, res) => {
    res.json(await d.users.list());
  });
  router.post('/admin/users', async (req, res) => {
    const password = b(req).password;
    if (password !== undefined && typeof password !== 'string')
      throw new ValidationError('password: must be a string', 'password');
    res
      .status(201)
      .json(
        await d.users.create(
          { username: b(req).username, role: b(req).role, password },
          actorOf(req),
        ),
      );
  });
  router.post('/admin/users/:ref/disable', async (req, res) => {
    res.json(await d.users.setDisabled(req.params.ref, true, actorOf(req)));
  });
  router.post('/admin/users/:ref/enable', async (req, res) => {
    res.json(await d.users.setDisabled(req.params.ref, false, actorOf(req)));
  });
  router.post('/admin/users/:ref/reset-password', async (req, res) => {
    const password = b(req).password;
    if (password !== undefined && typeof password !== 'string')
      throw new ValidationError('password: must be a string', 'password');
    res.json(await d.users.resetPassword(req.params.ref, actorOf(req), password));
  });

  router.get('/admin/webhooks', async (_req, res) => {
    res.json(await d.webhooks.list());
  });
  router.post('/admin/webhooks', async (req, res) => {
    res.status(201).json(await d.webhooks.create(b(req), actorOf(req)));
  });
  router.patch('/admin/webhooks/:id', async (req, res) => {
    res.json(await d.webhooks.update(req.params.id, b(req), actorOf(req)));
  });
  router.delete('/admin/webhooks/:id', async (req, res) => {
    await d.webhooks.remove(req.params.id, actorOf(req));
    res.status(204).end();
  });
  router.get('/admin/webhooks/:id/deliveries', async (req, res) => {
    const limit = Number(req.query.limit ?? 50);
    res.json(await d.webhooks.deliveries(req.params.id, Number.isFinite(limit) ? limit : 50));
  });
  router.post('/admin/webhook-deliveries/:id/retry', async (req, res) => {
    await d.webhooks.retry(req.params.id, actorOf(req));
    res.status(204).end();
  });

  router.get('/admin/audit', async (req, res) => {
    res.json(
      await listAudit(d.db, {
        subjectType: typeof req.query.subjectType === 'string' ? req.query.subjectType : undefined,
        subjectId: typeof req.query.subjectId === 'string' ? req.query.subjectId : undefined,
        limit: 200,
      }),
    );
  });
  return router;
}
