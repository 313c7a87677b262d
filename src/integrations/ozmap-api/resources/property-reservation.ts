import type { AppContext } from '../../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../errors.js';
import type { ApiKeyPrincipal } from '../../../ozmap-model/api-keys.js';
import type { IntegrationProfile } from '../../../services/integrations.js';
import { pointOf } from '../validation.js';
import type { PortPolicy } from '../../../viability/index.js';
import type { PropertyInput } from './property-input.js';
import type { PropertyReadRow } from './properties.js';

type NestedClient = Extract<PropertyInput['client'], { code: string }>;

/**
 * A property created with a new, non-implanted client and a connection is a port reservation
 * (how Conecte.ai, Ispbox 2 and 5Hub reserve on OZmap): it is made in the caller's name and
 * expires after its integration profile's days.
 */
export function reservationClient(body: PropertyInput): NestedClient | undefined {
  const client = body.client;
  if (!client || typeof client !== 'object' || client.implanted === true) return undefined;
  const connects =
    body.auto_connect === true || (Boolean(body.connector) && body.port !== undefined);
  return connects ? client : undefined;
}

export async function reservingProfile(
  ctx: AppContext,
  principal: ApiKeyPrincipal | undefined,
): Promise<IntegrationProfile> {
  const profile = await ctx.integrations.profile(principal?.integration ?? 'generic');
  if (!profile.mayReserve) {
    throw new ForbiddenError(`integration ${profile.name} is not allowed to reserve ports`);
  }
  return profile;
}

/**
 * The property of a reservation this request repeats (a retry after a timeout): same caller, same
 * client name, same box when one is given, still unconfirmed. Any other use of an existing code is
 * left to the normal path, which answers 409 naming `code`.
 */
export async function replayedReservation(
  ctx: AppContext,
  body: PropertyInput,
  client: NestedClient,
  profile: IntegrationProfile,
): Promise<string | undefined> {
  const known = await ctx.db.ftthClient.findUnique({
    where: { code: client.code },
    select: {
      name: true,
      implanted: true,
      reservedBy: true,
      property: { select: { id: true, boxId: true, port: true } },
    },
  });
  const property = known?.property;
  if (!known || !property || property.port === null || known.implanted) return undefined;
  const sameCaller = known.reservedBy === profile.name;
  const sameClient = Boolean(client.name) && client.name === known.name;
  const sameBox = !body.box || body.box === property.boxId;
  return sameCaller && sameClient && sameBox ? property.id : undefined;
}

/**
 * `auto_connect` with a box, or with coordinates and no box (the nearest viable box): reserved
 * through the reservation service. `created` is false when the code already held a reservation
 * (the caller decides whether that is a replay).
 */
export async function reserveNearest(
  ctx: AppContext,
  body: PropertyInput,
  client: NestedClient,
  profile: IntegrationProfile,
): Promise<{ propertyId: string; created: boolean; row?: PropertyReadRow } | undefined> {
  if (body.connector || body.auto_connect !== true) return undefined;
  const point = pointOf(body);
  if (!point && !body.box) return undefined;
  const r = await ctx.reservations
    .reserve({
      clientCode: client.code,
      client: {
        name: client.name ?? undefined,
        document: client.document ?? undefined,
        phone: client.phone ?? undefined,
        email: client.email ?? undefined,
        observation: client.observation ?? undefined,
      },
      point,
      address: body.address ?? undefined,
      target: body.box
        ? { kind: 'box', boxId: body.box }
        : {
            kind: 'nearest',
            radiusMeters: profile.defaultRadiusMeters,
            settings: [profile.viability],
          },
      reservedBy: profile.name,
      expiresInDays: profile.reservationDays,
      ports: portPolicyOf(ctx, profile),
    })
    .catch((err: unknown) => {
      // As the full write says it: the box named in the body does not exist.
      if (err instanceof NotFoundError && body.box && err.message.includes(body.box)) {
        throw new ValidationError(`box: box ${body.box} not found`, 'box');
      }
      throw err;
    });
  const row: PropertyReadRow | undefined = r.written && {
    ...r.written.property,
    tags: [],
    splitter: { id: r.splitterId, name: r.splitterName, implanted: r.written.splitterImplanted },
    client: null,
    box: null,
  };
  return { propertyId: r.propertyId, created: r.created, ...(row ? { row } : {}) };
}

/** The ports besides free ones a caller's settings let it take (blocked, vacant-held). */
export function portPolicyOf(ctx: AppContext, profile: IntegrationProfile): PortPolicy {
  const s = ctx.viability.effective([profile.viability]);
  return { blockedAsFree: s.blockedPortsFree, vacantAsFree: s.propertyPortsFree };
}
