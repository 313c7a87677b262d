import { z } from 'zod';
import { ConflictError, ValidationError } from '../../../errors.js';
import type { Db, Tx } from '../../../ozmap-model/db/client.js';
import type { PortPolicy } from '../../../viability/index.js';
import type { PortTarget } from '../../../ozmap-model/port-allocation.js';
import {
  idList,
  idRef,
  int32,
  longText,
  measure,
  parseBody,
  pointInput,
  requireIds,
  text,
} from '../validation.js';
import { CreateFtthClient, createClient } from './client-input.js';

const PropertyFields = {
  project: idRef,
  box: idRef.nullable(),
  pole: idRef.nullable(),
  address: longText.nullable(),
  observation: longText.nullable(),
  potencyRead: measure.nullable(),
  tags: idList,
  client: z.union([idRef, CreateFtthClient]).nullable(),
  auto_connect: z.boolean(),
  force: z.boolean(),
  connector: idRef.nullable(),
  port: int32.min(1, 'must be 1 or more (ports are 1-based)'),
  drop_poles: idList,
  external_id: text.nullable(),
  ...pointInput,
};
export const PropertyBody = z.object(PropertyFields).partial();
export type PropertyInput = z.infer<typeof PropertyBody>;

export function parsePropertyBody(raw: unknown): PropertyInput {
  const body = parseBody(PropertyBody, raw);
  if (body.connector && body.port === undefined) {
    throw new ValidationError('port: is required with connector (1-based)', 'port');
  }
  if (body.port !== undefined && !body.connector) {
    throw new ValidationError('connector: is required with port (the splitter id)', 'connector');
  }
  return body;
}

export interface ResolvedRefs {
  box: { id: string; projectId: string } | null;
  connector: { id: string; boxId: string; projectId: string } | null;
}

/** Loads and checks the box, connector (splitter), pole, project and tags a body names. */
export async function resolveReferences(db: Db, body: PropertyInput): Promise<ResolvedRefs> {
  const box = body.box
    ? await db.box.findUnique({ where: { id: body.box }, select: { id: true, projectId: true } })
    : null;
  if (body.box && !box) throw new ValidationError(`box: box ${body.box} not found`, 'box');
  const connector = body.connector
    ? await db.splitter.findUnique({
        where: { id: body.connector },
        select: { id: true, boxId: true, projectId: true },
      })
    : null;
  if (body.connector && !connector) {
    throw new ValidationError(`connector: splitter ${body.connector} not found`, 'connector');
  }
  if (box && connector && connector.boxId !== box.id) {
    throw new ValidationError(
      `connector: splitter ${connector.id} is not in box ${box.id}`,
      'connector',
    );
  }
  if (body.project) {
    await requireIds(
      (ids) => db.project.findMany({ where: { id: { in: ids } } }),
      [body.project],
      'project',
      'project',
    );
  }
  if (body.pole) {
    await requireIds(
      (ids) => db.pole.findMany({ where: { id: { in: ids } } }),
      [body.pole],
      'pole',
      'pole',
    );
  }
  await requireIds(
    (ids) => db.tag.findMany({ where: { id: { in: ids } } }),
    body.tags ?? [],
    'tags',
    'tag',
  );
  return { box, connector };
}

/** The port to take: an exact splitter port, or any free drop port of the box (`auto_connect`). */
export function portTargetOf(
  body: PropertyInput,
  boxId: string | null,
  policy?: { ports: PortPolicy; vacatedNote: string },
): PortTarget | null {
  const allowDraft = body.force === true;
  if (body.connector && body.port !== undefined) {
    return { kind: 'port', splitterId: body.connector, port: body.port, allowDraft };
  }
  if (body.auto_connect) {
    if (!boxId) throw new ValidationError('box: is required with auto_connect', 'box');
    return { kind: 'box', boxId, allowDraft, ...policy };
  }
  return null;
}

/**
 * The client a body puts on a property: an existing one (by id, not living elsewhere) or a new one
 * created in `tx` from a nested object. Returns its id and code, or null for "no client".
 */
export async function clientFor(
  tx: Tx,
  client: PropertyInput['client'],
  propertyId: string,
  createdBy?: string,
): Promise<{ id: string; code: string } | null> {
  if (!client) return null;
  if (typeof client === 'object') {
    const id = await createClient(tx, client, 'client', createdBy);
    return { id, code: client.code };
  }
  const found = await tx.ftthClient.findUnique({
    where: { id: client },
    select: { id: true, code: true, property: { select: { id: true } } },
  });
  if (!found) throw new ValidationError(`client: client ${client} not found`, 'client');
  if (found.property && found.property.id !== propertyId) {
    throw new ConflictError(
      `client: client ${client} already lives at property ${found.property.id}`,
      'client',
    );
  }
  return { id: found.id, code: found.code };
}
