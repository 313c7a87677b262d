import type { AppContext } from '../../../context.js';
import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../../../errors.js';
import { newId } from '../../../ids.js';
import {
  isUniqueViolation,
  uniqueViolationFields,
  type Tx,
} from '../../../ozmap-model/db/client.js';
import { withFreePort, type AllocatedPort } from '../../../ozmap-model/port-allocation.js';
import {
  clientHistoryAfter,
  type ClientHistoryEntry,
} from '../../../ozmap-model/client-history.js';
import { parseJson } from '../mappers/common.js';
import type { PropertyReadRow } from './properties.js';
import type { Created } from './resource.js';
import { pointOf } from '../validation.js';
import type { ApiKeyPrincipal } from '../../../ozmap-model/api-keys.js';
import type { IntegrationProfile } from '../../../services/integrations.js';
import { dateBr, reservationExpiry } from '../../../services/reservations.js';
import {
  portPolicyOf,
  replayedReservation,
  reservationClient,
  reserveNearest,
  reservingProfile,
} from './property-reservation.js';
import {
  clientFor,
  parsePropertyBody,
  portTargetOf,
  resolveReferences,
  type PropertyInput,
} from './property-input.js';

/** Runs `write` holding the target port when there is one, else in a plain transaction. */
async function writeWithPort<T>(
  ctx: AppContext,
  body: PropertyInput,
  boxId: string | null,
  write: (tx: Tx, slot: AllocatedPort | null) => Promise<T>,
  policy?: Parameters<typeof portTargetOf>[2],
): Promise<T> {
  const target = portTargetOf(body, boxId, policy);
  try {
    return target
      ? await withFreePort(ctx.db, target, write)
      : await ctx.db.$transaction((tx) => write(tx, null), { maxWait: 30_000, timeout: 30_000 });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Races the pre-checks could not see: another request took this code or client first.
    const fields = uniqueViolationFields(err).join(',');
    if (fields.includes('code'))
      throw new ConflictError('code: a client with this code already exists', 'code');
    if (fields.includes('client'))
      throw new ConflictError('client: the client already lives at another property', 'client');
    if (fields.includes('external'))
      throw new ConflictError('external_id: already used', 'external_id');
    throw err;
  }
}

/** Records who reserved and when the reservation lapses (the expiry job releases it then). */
async function markReserved(
  tx: Tx,
  clientId: string,
  profile: IntegrationProfile,
  now: Date,
): Promise<void> {
  await tx.ftthClient.update({
    where: { id: clientId },
    data: {
      reservedBy: profile.name,
      reservationExpiresAt: reservationExpiry(now, profile.reservationDays),
    },
  });
}

function scalarData(body: PropertyInput) {
  const point = pointOf(body);
  return {
    address: body.address,
    observation: body.observation,
    potencyRead: body.potencyRead,
    poleId: body.pole,
    externalId: body.external_id,
    lat: point?.lat,
    lng: point?.lng,
  };
}

/** POST /properties: optional nested client, optional connection (exact port or auto_connect). */
export async function createProperty(
  ctx: AppContext,
  raw: unknown,
  principal?: ApiKeyPrincipal,
): Promise<string | Created<PropertyReadRow>> {
  const body = parsePropertyBody(raw);
  const reserving = reservationClient(body);
  const profile = reserving && (await reservingProfile(ctx, principal));
  if (reserving && profile && onlyReservationFields(body, reserving)) {
    // A box or the nearest one: reserve first and look for a replay only when the code was
    // taken, so the common case costs no extra read.
    const nearest = await reserveNearest(ctx, body, reserving, profile);
    if (nearest?.created)
      return nearest.row ? { id: nearest.propertyId, row: nearest.row } : nearest.propertyId;
    const replayed = await replayedReservation(ctx, body, reserving, profile);
    if (replayed) return replayed;
    if (nearest) throw new ConflictError('code: a client with this code already exists', 'code');
  }
  const point = pointOf(body);
  if (profile && point && body.auto_connect === true && !body.box && !body.connector) {
    // The nearest box with fields the reservation service does not write (tags, ids, ONU...):
    // the full write, at each viable box in turn until one has a port.
    const boxes = ctx.viability.viableBoxIds(point, profile.defaultRadiusMeters, undefined, [
      profile.viability,
    ]);
    for (const [i, box] of boxes.entries()) {
      try {
        return await createAt(ctx, { ...body, box }, principal, profile);
      } catch (err) {
        if (!(err instanceof NoFreePortError) || i === boxes.length - 1) throw err;
      }
    }
    throw new NoFreePortError('no viable box with a free port near this point');
  }
  return createAt(ctx, body, principal, profile || undefined);
}

// What the reservation service writes; a request with anything else takes the full write.
const RESERVATION_FIELDS = new Set([
  'box',
  'coords',
  'lat',
  'lng',
  'address',
  'auto_connect',
  'client',
]);
const RESERVATION_CLIENT_FIELDS = new Set([
  'code',
  'name',
  'document',
  'phone',
  'email',
  'observation',
  'implanted',
]);

function onlyReservationFields(body: PropertyInput, client: object): boolean {
  const given = (o: object) =>
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !isEmptyList(v));
  return (
    given(body).every(([k]) => RESERVATION_FIELDS.has(k)) &&
    given(client).every(([k]) => RESERVATION_CLIENT_FIELDS.has(k))
  );
}

const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;

/** The full write of a property: references checked, the client made, the port taken. */
async function createAt(
  ctx: AppContext,
  body: PropertyInput,
  principal: ApiKeyPrincipal | undefined,
  profile: IntegrationProfile | undefined,
): Promise<string> {
  const refs = await resolveReferences(ctx.db, body);
  const projectId = body.project ?? refs.box?.projectId ?? refs.connector?.projectId;
  if (!projectId) throw new ValidationError('project: is required (or give a box)', 'project');
  const id = newId();
  const boxId = refs.box?.id ?? refs.connector?.boxId ?? null;
  // auto_connect takes the ports the caller's viability settings count as free.
  const caller = profile ?? (await ctx.integrations.profile(principal?.integration ?? 'generic'));
  const code = typeof body.client === 'object' && body.client ? body.client.code : undefined;
  const policy = {
    ports: portPolicyOf(ctx, caller),
    vacatedNote: `Porta cedida${code ? ` ao cliente ${code}` : ''} em ${dateBr(ctx.now())}.`,
  };
  const placed = await writeWithPort(
    ctx,
    body,
    boxId,
    async (tx, slot) => {
      const client = await clientFor(tx, body.client, id, principal?.integration);
      if (client && profile) await markReserved(tx, client.id, profile, ctx.now());
      const history = clientHistoryAfter([], { entering: client, when: ctx.now() });
      await tx.property.create({
        data: {
          ...scalarData(body),
          id,
          projectId: slot?.projectId ?? projectId,
          boxId: slot?.boxId ?? boxId,
          splitterId: slot?.splitterId,
          port: slot?.port,
          clientId: client?.id,
          historyJson: JSON.stringify(history),
          tags: { connect: (body.tags ?? []).map((t) => ({ id: t })) },
        },
      });
      // A free port taken by a customer only changes the box's free count; a property with no
      // client is a vacant one, which the index counts apart.
      return { boxId: slot?.boxId ?? boxId, freePort: slot?.via === 'free' && client !== null };
    },
    policy,
  );
  if (placed.boxId && placed.freePort && ctx.network.portsTaken) {
    await ctx.network.portsTaken(placed.boxId, 1);
  } else if (placed.boxId) await ctx.network.boxesChanged([placed.boxId]);
  return id;
}

/** PATCH /properties/:id: fields, client (id, nested object, or null to vacate) and connection. */
export async function updateProperty(ctx: AppContext, id: string, raw: unknown): Promise<void> {
  const body = parsePropertyBody(raw);
  const current = await ctx.db.property.findUnique({
    where: { id },
    include: { splitter: { select: { boxId: true } }, client: { select: { id: true } } },
  });
  if (!current) throw new NotFoundError('property', id);
  const refs = await resolveReferences(ctx.db, body);
  const samePort =
    body.connector === current.splitterId && body.port === current.port && body.port !== undefined;
  const reconnect =
    !samePort &&
    (Boolean(body.connector) || (body.auto_connect === true && current.splitterId === null));
  const boxId = body.box === undefined ? current.boxId : (refs.box?.id ?? null);
  const touched = await writeWithPort(
    ctx,
    reconnect ? body : { ...body, connector: undefined, port: undefined, auto_connect: false },
    boxId,
    async (tx, slot) => {
      let clientId: string | null | undefined;
      let history = parseJson<ClientHistoryEntry[]>(current.historyJson, []);
      if (body.client !== undefined) {
        const client = await clientFor(tx, body.client, id);
        clientId = client?.id ?? null;
        if (clientId !== current.clientId) {
          history = clientHistoryAfter(history, {
            leaving: current.clientId,
            entering: client,
            when: ctx.now(),
          });
        }
      }
      const disconnect = body.connector === null;
      await tx.property.update({
        where: { id },
        data: {
          ...scalarData(body),
          projectId: body.project ?? slot?.projectId,
          boxId: slot?.boxId ?? (body.box === undefined ? undefined : boxId),
          splitterId: slot ? slot.splitterId : disconnect ? null : undefined,
          port: slot ? slot.port : disconnect ? null : undefined,
          clientId,
          historyJson: JSON.stringify(history),
          tags: body.tags && { set: body.tags.map((t) => ({ id: t })) },
        },
      });
      return [current.boxId, current.splitter?.boxId, slot?.boxId, boxId];
    },
  );
  const changed = touched.filter((b): b is string => typeof b === 'string');
  if (changed.length) await ctx.network.boxesChanged(new Set(changed));
}

/** DELETE /properties/:id frees its port; its client stays (delete it via /ftth-clients). */
export async function deleteProperty(ctx: AppContext, id: string): Promise<void> {
  const current = await ctx.db.property.findUnique({
    where: { id },
    select: { boxId: true, splitter: { select: { boxId: true } } },
  });
  if (!current) throw new NotFoundError('property', id);
  await ctx.db.property.delete({ where: { id } }).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'P2025') throw new NotFoundError('property', id);
    throw err;
  });
  const boxes = [current.boxId, current.splitter?.boxId].filter((b): b is string => !!b);
  if (boxes.length) await ctx.network.boxesChanged(new Set(boxes));
}
