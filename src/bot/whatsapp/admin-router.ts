import express, { type Router } from 'express';
import type { WhatsAppStatus } from './channel.js';
import { qrSvg } from './qr-render.js';

/** What the admin routes need from the channel. */
export interface WhatsAppAdminTarget {
  status(): WhatsAppStatus;
  pairing(): { qr?: string; pairingCode?: string };
}

/**
 * GET /admin/whatsapp/status: connection state, masked number, last disconnect.
 * GET /admin/whatsapp/qr: the QR string (and pairing code) while the session waits to be linked;
 * 404 otherwise. GET /admin/whatsapp/qr.svg: the same QR as an image to scan.
 *
 * Whoever reads these can link a phone to the bot's session: mount the router behind the admin
 * authentication. Responses are never cached.
 */
export function whatsappAdminRouter(channel: WhatsAppAdminTarget): Router {
  const router = express.Router();
  router.use('/admin/whatsapp', (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  router.get('/admin/whatsapp/status', (_req, res) => {
    res.json(channel.status());
  });
  router.get('/admin/whatsapp/qr.svg', async (_req, res) => {
    const { qr } = channel.pairing();
    if (!qr) {
      res.status(404).json({ error: 'no QR pairing in progress', state: channel.status().state });
      return;
    }
    res.type('image/svg+xml').send(await qrSvg(qr));
  });
  router.get('/admin/whatsapp/qr', (_req, res) => {
    const { qr, pairingCode } = channel.pairing();
    if (!qr && !pairingCode) {
      res.status(404).json({ error: 'no pairing in progress', state: channel.status().state });
      return;
    }
    res.json({
      qr,
      pairingCode,
      howTo: pairingCode
        ? 'WhatsApp > Aparelhos conectados > Conectar aparelho > Conectar com número de telefone, e digite o código.'
        : 'WhatsApp > Aparelhos conectados > Conectar aparelho, e escaneie o QR gerado a partir de `qr`.',
    });
  });
  return router;
}
