import type { Db } from '../ozmap-model/db/client.js';
import {
  reservationExpiry,
  type Reservation,
  type ReservationService,
} from '../services/reservations.js';
import type { ViabilityService } from '../services/viability-service.js';
import type { ViabilityOverrides } from '../services/viability-settings.js';
import type { PortPolicy } from '../viability/index.js';
import { createProspect } from '../services/prospects.js';
import {
  DocumentHasReservationError,
  type CoverageAnswer,
  type ExistingReservation,
  type MoveFromChat,
  type ProspectFromChat,
  type ReservationAnswer,
  type ReserveFromChat,
  type SalesPort,
} from './conversation/ports.js';
import type { GeoPoint } from './conversation/messages.js';

export interface ChatSalesSettings {
  reservationDays: number;
  prospectTags: string[];
  radiusMeters?: number;
  /** A point with no box at all within this distance is outside the area served. */
  serviceAreaMeters: number;
  /** Record prospects from outside the area (flagged), or not at all. */
  outOfAreaProspects: boolean;
  /** The bot's viability settings (its integration profile's overrides): mode, drop, ports... */
  viability?: () => Promise<ViabilityOverrides | undefined>;
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
  const { settings } = deps;
  const answerOf = async (r: Reservation): Promise<ReservationAnswer> => ({
    boxName: r.boxName ?? r.boxId,
    splitterName: r.splitterName ?? 'Splitter',
    port: r.port,
    expiresAt: r.expiresAt ?? reservationExpiry(deps.now(), settings.reservationDays)!,
    clientCode: r.clientCode,
    address: await addressOf(deps.db, r.propertyId),
  });
  const existingOf = async (document: string): Promise<ExistingReservation | undefined> => {
    const r = await deps.reservations.findActiveByDocument(document);
    if (!r) return undefined;
    return {
      clientCode: r.clientCode,
      expiresAt: r.expiresAt ?? reservationExpiry(deps.now(), settings.reservationDays)!,
      address: await addressOf(deps.db, r.propertyId),
    };
  };

  /** The bot's settings layers, and the ports they let it take. */
  const viabilityOf = async () => {
    const layers = [await settings.viability?.()];
    const s = deps.viability.effective(layers);
    const ports: PortPolicy = {
      blockedAsFree: s.blockedPortsFree,
      vacantAsFree: s.propertyPortsFree,
    };
    return { layers, ports };
  };

  return {
    async checkCoverage(point: GeoPoint): Promise<CoverageAnswer> {
      const { layers } = await viabilityOf();
      const answer = deps.viability.check({
        ...point,
        radius: settings.radiusMeters,
        settings: layers,
      });
      const nearest = answer.boxes[0];
      const outOfArea =
        !answer.viable && !deps.viability.anyBoxWithin(point, settings.serviceAreaMeters);
      return {
        viable: answer.viable,
        nearest: nearest && {
          boxName: nearest.name ?? nearest.id,
          distanceMeters: nearest.distance,
          freePorts: nearest.availability,
        },
        ...(outOfArea ? { outOfArea: { recordProspect: settings.outOfAreaProspects } } : {}),
      };
    },

    findReservation: existingOf,

    async reserve(req: ReserveFromChat): Promise<ReservationAnswer> {
      const clientCode = `CHAT-${req.idempotencyKey}`;
      // One active reservation per CPF: a replay of this conversation's own is its answer.
      const existing = await deps.reservations.findActiveByDocument(req.document);
      if (existing && existing.clientCode !== clientCode) {
        throw new DocumentHasReservationError({
          clientCode: existing.clientCode,
          expiresAt: existing.expiresAt ?? reservationExpiry(deps.now(), settings.reservationDays)!,
          address: await addressOf(deps.db, existing.propertyId),
        });
      }
      const { layers, ports } = await viabilityOf();
      const r = await deps.reservations.reserve({
        clientCode,
        ports,
        client: { name: req.name, document: req.document, phone: req.phone, email: req.email },
        point: req.point,
        address: req.address,
        target: { kind: 'nearest', radiusMeters: settings.radiusMeters, settings: layers },
        reservedBy: `chatbot:${req.channel}`,
        expiresInDays: settings.reservationDays,
        meta: {
          channel: req.channel,
          chatId: req.chatId,
          conversationId: req.conversationId,
          answers: req.answers,
          ...(req.installAddress ? { installAddress: req.installAddress } : {}),
        },
      });
      return answerOf(r);
    },

    async moveReservation(req: MoveFromChat): Promise<ReservationAnswer> {
      const { layers, ports } = await viabilityOf();
      const r = await deps.reservations.move(req.clientCode, {
        point: req.point,
        address: req.address,
        radiusMeters: settings.radiusMeters,
        settings: layers,
        ports,
      });
      return answerOf(r);
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
          tags: settings.prospectTags,
          source: `chatbot:${req.channel}`,
          outOfArea: req.outOfArea === true,
          meta: {
            channel: req.channel,
            chatId: req.chatId,
            conversationId: req.conversationId,
            ...(req.outOfArea ? { outOfArea: true } : {}),
            ...(req.installAddress ? { installAddress: req.installAddress } : {}),
          },
        },
        deps.now(),
      );
      return { id: p.id };
    },
  };
}

async function addressOf(db: Db, propertyId: string): Promise<string | undefined> {
  const p = await db.property.findUnique({ where: { id: propertyId }, select: { address: true } });
  return p?.address ?? undefined;
}
