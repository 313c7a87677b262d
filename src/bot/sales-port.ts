import type { Db } from '../ozmap-model/db/client.js';
import { reservationExpiry, type ReservationService } from '../services/reservations.js';
import type { ViabilityService } from '../services/viability-service.js';
import { createProspect } from '../services/prospects.js';
import type {
  CoverageAnswer,
  ProspectFromChat,
  ReservationAnswer,
  ReserveFromChat,
  SalesPort,
} from './conversation/ports.js';
import type { GeoPoint } from './conversation/messages.js';

export interface ChatSalesSettings {
  reservationDays: number;
  prospectTags: string[];
  radiusMeters?: number;
}

export interface ChatSalesDeps {
  db: Db;
  viability: ViabilityService;
  reservations: ReservationService;
  settings: ChatSalesSettings;
  now: () => Date;
}

/** The conversation engine's SalesPort on the real viability, reservation and prospect services. */
export function createSalesPort(deps: ChatSalesDeps): SalesPort {
  return {
    async checkCoverage(point: GeoPoint): Promise<CoverageAnswer> {
      const answer = deps.viability.check({ ...point, radius: deps.settings.radiusMeters });
      const nearest = answer.boxes[0];
      return {
        viable: answer.viable,
        nearest: nearest && {
          boxName: nearest.name ?? nearest.id,
          distanceMeters: nearest.distance,
          freePorts: nearest.availability,
        },
      };
    },

    async reserve(req: ReserveFromChat): Promise<ReservationAnswer> {
      const r = await deps.reservations.reserve({
        clientCode: `CHAT-${req.idempotencyKey}`,
        client: { name: req.name, document: req.document, phone: req.phone, email: req.email },
        point: req.point,
        address: req.address,
        target: { kind: 'nearest', radiusMeters: deps.settings.radiusMeters },
        reservedBy: `chatbot:${req.channel}`,
        expiresInDays: deps.settings.reservationDays,
        meta: {
          channel: req.channel,
          chatId: req.chatId,
          conversationId: req.conversationId,
          answers: req.answers,
        },
      });
      return {
        boxName: r.boxName ?? r.boxId,
        splitterName: r.splitterName ?? 'Splitter',
        port: r.port,
        expiresAt: r.expiresAt ?? reservationExpiry(deps.now(), deps.settings.reservationDays)!,
        clientCode: r.clientCode,
      };
    },

    async createProspect(req: ProspectFromChat): Promise<{ id: string }> {
      const p = await createProspect(
        deps.db,
        {
          code: `CHAT-${req.idempotencyKey}`,
          name: req.name,
          phone: req.phone,
          address: req.address,
          point: req.point,
          tags: deps.settings.prospectTags,
          source: `chatbot:${req.channel}`,
          meta: { channel: req.channel, chatId: req.chatId, conversationId: req.conversationId },
        },
        deps.now(),
      );
      return { id: p.id };
    },
  };
}
