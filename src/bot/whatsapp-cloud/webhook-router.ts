import express, { type Router } from 'express';
import type { Logger } from '../../logger.js';
import type { WhatsAppCloudChannel } from './channel.js';

export const WEBHOOK_PATH = '/webhooks/whatsapp-cloud';

type WebhookTarget = Pick<WhatsAppCloudChannel, 'verifyChallenge' | 'verifySignature' | 'receive'>;

/**
 * Meta's webhook for the Cloud API channel; mount it at '/' before any body parser (the signature
 * covers the raw bytes). GET answers the verification handshake; POST checks X-Hub-Signature-256
 * before reading anything (missing or wrong: 401, nothing processed), stores what arrived and
 * answers 200 at once, so Meta's delivery never waits for the conversation.
 */
export function whatsappCloudWebhookRouter(
  channel: WebhookTarget,
  options: { logger: Logger; bodyLimit: string },
): Router {
  const router = express.Router();
  const log = options.logger;

  router.get(WEBHOOK_PATH, (req, res) => {
    const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = req.query;
    if (!mode || !token || !challenge) {
      res
        .status(400)
        .json({ message: 'hub.mode, hub.verify_token and hub.challenge are required' });
      return;
    }
    const answer = channel.verifyChallenge(mode, token, challenge);
    if (answer === undefined) {
      log.warn('WhatsApp Cloud API webhook verification refused: hub.verify_token does not match');
      res
        .status(403)
        .json({ message: 'hub.verify_token does not match WHATSAPP_CLOUD_VERIFY_TOKEN' });
      return;
    }
    log.info('WhatsApp Cloud API webhook verified by Meta');
    res.type('text/plain').send(answer);
  });

  router.post(
    WEBHOOK_PATH,
    express.raw({ type: () => true, limit: options.bodyLimit }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.get('x-hub-signature-256');
      if (!channel.verifySignature(raw, signature)) {
        log.warn(
          { signature: signature ? 'wrong' : 'missing', bytes: raw.length },
          'WhatsApp Cloud API webhook refused: X-Hub-Signature-256 does not match the app secret',
        );
        res.status(401).json({ message: 'missing or invalid X-Hub-Signature-256' });
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        res.status(400).json({ message: 'request body is not valid JSON' });
        return;
      }
      const summary = await channel.receive(payload);
      res.json(summary);
    },
  );
  return router;
}
