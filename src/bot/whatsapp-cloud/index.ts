// Wiring of the WhatsApp Cloud API channel for the composition root (src/bot/chat-system.ts).
import type { WhatsAppCloudConfig } from '../../config.js';
import type { JobScheduler } from '../../jobs/scheduler.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { ConversationHandler, GeoPoint } from '../conversation/messages.js';
import { WhatsAppCloudChannel, type CloudAlert } from './channel.js';
import { createCloudApi } from './cloud-api.js';
import { sendCoverageNotices, sendReservationReminders } from './notice-jobs.js';
import { CloudStore } from './store.js';

export { WhatsAppCloudChannel } from './channel.js';
export { whatsappCloudAdminRouter } from './admin-router.js';
export { whatsappCloudWebhookRouter, WEBHOOK_PATH } from './webhook-router.js';

export interface WhatsAppCloud {
  channel: WhatsAppCloudChannel;
  store: CloudStore;
}

export interface WhatsAppCloudDeps {
  db: Db;
  handler: ConversationHandler;
  logger: Logger;
  now: () => Date;
  onAlert?: (alert: CloudAlert) => void;
}

export function createWhatsAppCloud(
  config: WhatsAppCloudConfig,
  deps: WhatsAppCloudDeps,
): WhatsAppCloud {
  const store = new CloudStore(deps.db);
  const api = createCloudApi(config);
  const channel = new WhatsAppCloudChannel({
    config,
    api,
    store,
    handler: deps.handler,
    logger: deps.logger.child({ channel: 'whatsapp-cloud' }),
    now: deps.now,
    ...(deps.onAlert ? { onAlert: deps.onAlert } : {}),
  });
  return { channel, store };
}

export interface CloudJobDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** Whether a point has coverage now (the bot's own radius). */
  isViable: (point: GeoPoint) => boolean;
}

/**
 * The channel's scheduled work: answering messages a dead process left behind, forgetting old
 * delivery records, reservation reminders and coverage notices (each only when configured).
 */
export function registerWhatsAppCloudJobs(
  jobs: JobScheduler,
  cloud: WhatsAppCloud,
  config: WhatsAppCloudConfig,
  deps: CloudJobDeps,
): void {
  const { channel, store } = cloud;
  jobs.register('whatsapp-cloud-inbox', { everyMs: 30_000 }, async () => {
    await channel.recover();
  });
  jobs.register(
    'whatsapp-cloud-purge',
    { dailyAt: '03:30', timeZone: 'America/Sao_Paulo' },
    async ({ logger }) => {
      const purged = await channel.purge();
      logger.info(purged, 'WhatsApp Cloud API records purged');
    },
  );
  if (config.reminderHours > 0) {
    jobs.register(
      'whatsapp-cloud-reminders',
      { everyMs: 15 * 60_000 },
      async ({ signal, logger }) => {
        const sent = await sendReservationReminders(
          { db: deps.db, store, channel, logger, now: deps.now, signal },
          config.reminderHours * 3600_000,
        );
        if (sent > 0) logger.info({ sent }, 'reservation reminders sent');
      },
    );
  }
  if (config.coverageCheckMinutes > 0) {
    jobs.register(
      'whatsapp-cloud-coverage',
      { everyMs: config.coverageCheckMinutes * 60_000 },
      async ({ signal, logger }) => {
        const sent = await sendCoverageNotices(
          { db: deps.db, store, channel, logger, now: deps.now, signal },
          deps.isViable,
        );
        if (sent > 0) logger.info({ sent }, 'coverage notices sent');
      },
    );
  }
}
