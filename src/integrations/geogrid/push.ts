// The only data Alcance ever writes to Geogrid: a client confirmed here (implanted) on a port of a
// synced service splitter gets its basic data sent (name, CPF/CNPJ, address, our id in
// observacao: POST /clientes) and is attached to that port (POST /integracao/atender). A port
// Geogrid has taken (409) or reserved is reported and not retried until the client moves; a
// Geogrid that is down is retried later with a growing wait, six times at most.
import { Prisma } from '../../generated/sqlite/client.js';
import type { Logger } from '../../logger.js';
import { maskPii } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { SyncRunRecorder, SyncRunStore, SyncTrigger } from '../sync-runs/store.js';
import { attachPayload, clientPayload } from './converters.js';
import { GeogridError } from './errors.js';
import { geogridOrigin } from './inventory.js';
import type { GeogridApi } from './scan.js';
import type { RemoteEquipment } from './types.js';

export interface PushDeps {
  db: Db;
  geogrid: GeogridApi;
  integration: string;
  logger: Logger;
  now: () => Date;
  /** Inside a full run: its report; alone (the push job): a run is opened when there is work. */
  recorder?: SyncRunRecorder;
  runs?: SyncRunStore;
  owner?: string;
}

export interface PushTotals {
  candidates: number;
  pushed: number;
  alreadyThere: number;
  conflicts: number;
  rejected: number;
  retrying: number;
}

export const MAX_PUSH_ATTEMPTS = 6;
const RETRY_BASE_MS = 5 * 60_000;
const BATCH = 200;

interface Candidate {
  clientId: string;
  code: string;
  name: string | null;
  document: string | null;
  address: string | null;
  splitterId: string;
  port: number;
  itemId: string;
  equipmentId: string;
  lat: number;
  lng: number;
  boxName: string | null;
  geogridClientId: string | null;
  pushStatus: string | null;
  attempts: number | null;
  nextAttemptAt: unknown;
}

function candidatesSql(integration: string, origin: string, after: string) {
  return Prisma.sql`
SELECT c."id" AS "clientId", c."code" AS "code", c."name" AS "name", c."document" AS "document",
       p."address" AS "address", p."splitterId" AS "splitterId", p."port" AS "port",
       gs."itemId" AS "itemId", gs."equipmentId" AS "equipmentId",
       b."lat" AS "lat", b."lng" AS "lng", b."name" AS "boxName",
       gc."geogridClientId" AS "geogridClientId", gc."pushStatus" AS "pushStatus",
       gc."attempts" AS "attempts", gc."nextAttemptAt" AS "nextAttemptAt"
  FROM "GeogridSplitter" gs
  JOIN "GeogridItem" gi ON gi."integration" = gs."integration" AND gi."itemId" = gs."itemId" AND gi."state" = 'synced'
  JOIN "Property" p ON p."splitterId" = gs."splitterId"
  JOIN "FtthClient" c ON c."id" = p."clientId"
  JOIN "Box" b ON b."id" = p."boxId"
  LEFT JOIN "GeogridClient" gc ON gc."integration" = gs."integration" AND gc."clientId" = c."id"
 WHERE gs."integration" = ${integration} AND gs."service" = TRUE AND c."implanted" = TRUE
   AND p."port" IS NOT NULL AND c."id" > ${after}
   AND (c."reservedBy" IS NULL OR c."reservedBy" <> ${origin})
   AND (gc."clientId" IS NULL OR gc."pushedSplitterId" IS NULL OR gc."pushedSplitterId" <> p."splitterId"
        OR gc."pushedPort" <> p."port" OR gc."pushStatus" = 'retry' OR gc."pushStatus" = 'pending')
 ORDER BY c."id"
 LIMIT ${BATCH}`;
}

/**
 * Geogrid's error texts may echo what we sent (maskPii in the client takes CPF/CNPJ, e-mail and
 * phone out); the client's name and address are taken out here, where they are known, before
 * the text is kept in the run report or the push row.
 */
export function withoutClientData(
  text: string,
  c: Pick<Candidate, 'name' | 'address' | 'document'>,
): string {
  let out = text;
  const masks: Array<[string | null, string]> = [
    [c.address, '[endereço]'],
    [c.name, '[nome]'],
    [c.document, '[documento]'],
  ];
  for (const [value, mask] of masks) {
    const v = value?.trim();
    if (!v || v.length < 3) continue;
    out = out.replace(new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), mask);
  }
  return out;
}

function due(c: Candidate, now: Date): boolean {
  if (c.pushStatus !== 'retry') return true;
  const at = c.nextAttemptAt;
  if (at === null || at === undefined) return true;
  const t = at instanceof Date ? at.getTime() : new Date(at as string | number).getTime();
  return !Number.isFinite(t) || t <= now.getTime();
}

/** Sends Geogrid every confirmed client on a synced port that it does not have there yet. */
export async function pushConfirmed(
  deps: PushDeps,
  options: { signal?: AbortSignal; trigger: SyncTrigger },
): Promise<PushTotals> {
  const totals: PushTotals = {
    candidates: 0,
    pushed: 0,
    alreadyThere: 0,
    conflicts: 0,
    rejected: 0,
    retrying: 0,
  };
  const origin = geogridOrigin(deps.integration);
  let recorder = deps.recorder;
  let owned = false;
  const ports = new Map<string, RemoteEquipment[] | null>();
  let after = '';
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const rows = await deps.db.$queryRaw<Candidate[]>(
        candidatesSql(deps.integration, origin, after),
      );
      if (rows.length === 0) break;
      after = rows.at(-1)!.clientId;
      const now = deps.now();
      for (const c of rows.filter((r) => due(r, now))) {
        if (!recorder) {
          if (!deps.runs) throw new Error('pushConfirmed needs a recorder or a run store');
          recorder = await deps.runs.start({
            integration: deps.integration,
            kind: 'geogrid',
            cycle: 'push',
            trigger: options.trigger,
            owner: deps.owner,
          });
          owned = true;
        }
        totals.candidates++;
        await pushOne(deps, c, ports, recorder, totals, options.signal);
      }
      await recorder?.flush();
    }
    if (owned) await recorder!.finish();
  } catch (err) {
    if (owned) {
      const message = err instanceof Error ? maskPii(err.message) : String(err);
      await recorder!.finish({
        error: { message, code: err instanceof GeogridError ? err.code : 'internal' },
      });
    }
    throw err;
  }
  return totals;
}

async function pushOne(
  deps: PushDeps,
  c: Candidate,
  cache: Map<string, RemoteEquipment[] | null>,
  recorder: SyncRunRecorder,
  totals: PushTotals,
  signal?: AbortSignal,
): Promise<void> {
  const { db, integration } = deps;
  const itemId = `cliente ${c.code}`;
  const where = `port ${c.port} of box "${c.boxName ?? c.itemId}"`;
  const save = (data: Record<string, unknown>) =>
    db.geogridClient.upsert({
      where: { integration_clientId: { integration, clientId: c.clientId } },
      create: { integration, clientId: c.clientId, matchedBy: 'push', ...data },
      update: data,
    });
  const attempted = { pushedSplitterId: c.splitterId, pushedPort: Number(c.port) };
  try {
    if (!cache.has(c.itemId)) {
      try {
        cache.set(
          c.itemId,
          await deps.geogrid.itemEquipment(c.itemId, { distribution: false }, signal),
        );
      } catch (err) {
        if (!(err instanceof GeogridError && err.code === 'geogrid_not_found')) throw err;
        cache.set(c.itemId, null);
      }
    }
    const equipment = cache.get(c.itemId);
    const port = equipment
      ?.find((e) => e.id === c.equipmentId)
      ?.outputs.find((p) => p.number === Number(c.port));
    if (!port) {
      totals.rejected++;
      await save({ ...attempted, pushStatus: 'rejected', lastError: 'Geogrid has no such port' });
      recorder.add({
        itemId,
        outcome: 'error',
        reason: 'geogrid_port_missing',
        message: `Geogrid has no ${where} any more; not sent`,
      });
      return;
    }
    if (port.client) {
      if (port.client.id === c.geogridClientId) {
        totals.alreadyThere++;
        await save({ ...attempted, pushStatus: 'attached', lastError: null, nextAttemptAt: null });
        return;
      }
      totals.conflicts++;
      await save({
        ...attempted,
        pushStatus: 'conflict',
        lastError: `Geogrid has client ${port.client.id} there`,
      });
      recorder.add({
        itemId,
        outcome: 'error',
        reason: 'geogrid_port_taken',
        message: `${where} holds another client in Geogrid (id ${port.client.id}); not sent: sort it out in Geogrid or move the client here`,
      });
      return;
    }
    if (port.reserved) {
      totals.conflicts++;
      await save({ ...attempted, pushStatus: 'conflict', lastError: 'reserved in Geogrid' });
      recorder.add({
        itemId,
        outcome: 'error',
        reason: 'geogrid_port_reserved',
        message: `${where} is reserved in Geogrid; not sent`,
      });
      return;
    }
    let geogridClientId = c.geogridClientId;
    if (!geogridClientId) {
      geogridClientId = await deps.geogrid.createClient(
        clientPayload({
          ourId: c.clientId,
          name: c.name,
          document: c.document,
          address: c.address,
        }),
        signal,
      );
      // Kept at once: a retry attaches this client instead of creating a second one.
      await save({ geogridClientId, pushStatus: 'pending' });
    }
    await deps.geogrid.attach(
      attachPayload({ portId: port.id, clientId: geogridClientId, at: { lat: c.lat, lng: c.lng } }),
      signal,
    );
    await save({
      ...attempted,
      geogridClientId,
      pushStatus: 'attached',
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
    });
    cache.delete(c.itemId);
    totals.pushed++;
    recorder.add({
      itemId,
      outcome: 'pushed',
      message: `basic data sent to Geogrid (client ${geogridClientId}) and attached to ${where}`,
      detail: { geogridClientId, geogridPortId: port.id },
    });
  } catch (caught) {
    if (!(caught instanceof GeogridError)) throw caught;
    const err = {
      code: caught.code,
      fields: caught.fields,
      retryable: caught.retryable,
      message: withoutClientData(caught.message, c),
    };
    if (err.code === 'geogrid_conflict' || err.code === 'geogrid_rejected') {
      const conflict = err.code === 'geogrid_conflict' || 'portaReservada' in err.fields;
      if (conflict) totals.conflicts++;
      else totals.rejected++;
      await save({
        ...attempted,
        pushStatus: conflict ? 'conflict' : 'rejected',
        lastError: err.message,
      });
      recorder.add({
        itemId,
        outcome: 'error',
        reason: conflict ? 'geogrid_port_taken' : 'geogrid_rejected',
        message: `${conflict ? `Geogrid refused ${where}` : 'Geogrid refused the client'}: ${err.message}; not retried until it changes here`,
      });
      return;
    }
    if (!err.retryable && err.code !== 'geogrid_rate_limited')
      throw new GeogridError(err.code, err.message, err.retryable, err.fields);
    const attempts = (c.attempts ?? 0) + 1;
    const giveUp = attempts >= MAX_PUSH_ATTEMPTS;
    totals.retrying += giveUp ? 0 : 1;
    await save({
      ...(giveUp ? attempted : {}),
      pushStatus: giveUp ? 'failed' : 'retry',
      attempts,
      lastError: err.message,
      nextAttemptAt: giveUp
        ? null
        : new Date(deps.now().getTime() + RETRY_BASE_MS * 2 ** (attempts - 1)),
    });
    recorder.add({
      itemId,
      outcome: 'error',
      reason: giveUp ? 'push_gave_up' : 'push_retrying',
      message: giveUp
        ? `could not send it to Geogrid after ${attempts} attempts (${err.message}); not retried until it changes here`
        : `could not send it to Geogrid (${err.message}); attempt ${attempts} of ${MAX_PUSH_ATTEMPTS}, retried later`,
    });
    deps.logger.warn({ integration, code: err.code, attempts }, 'geogrid push failed');
  }
}
