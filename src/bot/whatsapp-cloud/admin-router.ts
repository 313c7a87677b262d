import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import express, { type Router } from 'express';
import { AppError, NotFoundError, ValidationError } from '../../errors.js';
import type { WhatsAppCloudChannel } from './channel.js';
import { classifyCloudError } from './retry.js';

type AdminTarget = Pick<WhatsAppCloudChannel, 'status' | 'media' | 'download'>;

/**
 * GET /admin/whatsapp-cloud/status: the channel's state (token problems show here), whether the
 * templates were verified, the last alert and message counts.
 * GET /admin/whatsapp-cloud/media/:id: a photo, voice note or document a customer sent (Meta's
 * URLs need the access token and expire in minutes, so the service fetches it).
 *
 * Media holds customers' personal data: mount behind the admin authentication. Never cached.
 */
export function whatsappCloudAdminRouter(channel: AdminTarget): Router {
  const router = express.Router();
  router.use('/admin/whatsapp-cloud', (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  router.get('/admin/whatsapp-cloud/status', (_req, res) => {
    res.json(channel.status());
  });
  router.get('/admin/whatsapp-cloud/media/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^\d{1,32}$/.test(id)) throw new ValidationError('media id must be digits', 'id');
    let info;
    try {
      info = await channel.media(id);
    } catch (error) {
      const kind = classifyCloudError(error).kind;
      if (kind === 'rejected' || kind === 'undeliverable') throw new NotFoundError('media', id);
      throw new AppError(502, `the WhatsApp Cloud API could not give the media (${kind})`);
    }
    const upstream = await channel.download(info.url);
    if (!upstream.ok || !upstream.body) throw new NotFoundError('media', id);
    res.set(
      'content-type',
      info.mimeType ?? upstream.headers.get('content-type') ?? 'application/octet-stream',
    );
    const length = upstream.headers.get('content-length');
    if (length) res.set('content-length', length);
    Readable.fromWeb(upstream.body as ReadableStream).pipe(res);
  });
  return router;
}
