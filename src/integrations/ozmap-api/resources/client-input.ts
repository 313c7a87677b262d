import { z } from 'zod';
import { ConflictError } from '../../../errors.js';
import type { Tx } from '../../../ozmap-model/db/client.js';
import { newId } from '../../../ids.js';
import { idList, longText, requireIds, text } from '../validation.js';

const status = z.union([z.literal(0), z.literal(1)], { error: 'must be 0 (OK) or 1 (ERROR)' });

export const FtthClientFields = {
  code: text.min(1, 'must not be empty').max(100),
  name: text.nullable(),
  observation: longText.nullable(),
  implanted: z.boolean(),
  certified: z.boolean(),
  status,
  onu: z.object({ user_PPPoE: text, serial_number: text, mac_address: text }).partial(),
  cpe: z.unknown(),
  tags: idList,
  document: text.max(32).nullable(),
  phone: text.max(32).nullable(),
  email: z.email().max(254).nullable(),
  external_id: text.nullable(),
};

export const CreateFtthClient = z.object(FtthClientFields).partial().required({ code: true });
export const UpdateFtthClient = z.object(FtthClientFields).partial();
export type ClientInput = z.infer<typeof UpdateFtthClient>;

/** Column values for a client body; implanting a client ends its reservation. */
export function clientData(body: ClientInput) {
  return {
    code: body.code,
    name: body.name,
    observation: body.observation,
    implanted: body.implanted,
    certified: body.certified,
    status: body.status,
    onuUser: body.onu?.user_PPPoE,
    onuSerial: body.onu?.serial_number,
    onuMac: body.onu?.mac_address,
    cpeJson: body.cpe === undefined ? undefined : JSON.stringify(body.cpe),
    document: body.document,
    phone: body.phone,
    email: body.email,
    externalId: body.external_id,
    ...(body.implanted === true ? { reservationExpiresAt: null } : {}),
  };
}

/** Refuses a code another client holds (409 naming `code`), before the unique index would. */
export async function assertCodeFree(tx: Tx, code: string, exceptId?: string): Promise<void> {
  const other = await tx.ftthClient.findUnique({ where: { code }, select: { id: true } });
  if (other && other.id !== exceptId) {
    throw new ConflictError(`code: a client with code "${code}" already exists`, 'code');
  }
}

/** Creates a client inside `tx`; returns its id. */
export async function createClient(
  tx: Tx,
  body: z.infer<typeof CreateFtthClient>,
  field = 'client',
  createdBy?: string,
): Promise<string> {
  await assertCodeFree(tx, body.code);
  await requireIds(
    (ids) => tx.tag.findMany({ where: { id: { in: ids } } }),
    body.tags ?? [],
    `${field}.tags`,
    'tag',
  );
  const id = newId();
  await tx.ftthClient.create({
    data: {
      ...clientData(body),
      id,
      code: body.code,
      createdBy,
      tags: { connect: (body.tags ?? []).map((t) => ({ id: t })) },
    },
  });
  return id;
}
