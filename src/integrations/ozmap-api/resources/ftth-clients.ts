import { z } from 'zod';
import { NotFoundError } from '../../../errors.js';
import { BASE_FIELDS } from '../query/fields.js';
import { ftthClientToJson } from '../mappers/customers.js';
import { mapWriteError, parseBody, requireIds } from '../validation.js';
import { defineResource } from './resource.js';
import {
  assertCodeFree,
  clientData,
  CreateFtthClient,
  createClient,
  UpdateFtthClient,
} from './client-input.js';

export const BatchUpdateFtthClients = z.object({
  filter: z.unknown(),
  update: z
    .object({
      certified: z.boolean(),
      implanted: z.boolean(),
      status: z.union([z.literal(0), z.literal(1)]),
    })
    .partial(),
});

/** A client an integration made: created with its key, or reserved in its name. */
export const clientOwnedBy = (owner: string) => ({
  OR: [{ createdBy: owner }, { reservedBy: owner }],
});

export const ftthClients = defineResource({
  route: 'ftth-clients',
  label: 'client',
  schemas: { create: CreateFtthClient, update: UpdateFtthClient },
  writeAction: 'write',
  personalData: true,
  ownedBy: clientOwnedBy,
  fields: {
    ...BASE_FIELDS,
    code: { type: 'string' },
    name: { type: 'string', nullable: true },
    implanted: { type: 'boolean' },
    certified: { type: 'boolean' },
    status: { type: 'number', integer: true },
    observation: { type: 'string', nullable: true },
    'onu.serial_number': { type: 'string', column: 'onuSerial' },
    'onu.user_PPPoE': { type: 'string', column: 'onuUser' },
    'onu.mac_address': { type: 'string', column: 'onuMac' },
    tags: { type: 'idList' },
    external_id: { type: 'string', column: 'externalId', nullable: true },
    reservedBy: { type: 'string', nullable: true },
  },
  findMany: (db, { where, orderBy, skip, take }) =>
    db.ftthClient.findMany({
      where: where,
      orderBy,
      skip,
      take,
      include: { tags: { select: { id: true } } },
    }),
  count: (db, where) => db.ftthClient.count({ where: where }),
  toJson: (row) => ftthClientToJson(row),
  async create(ctx, raw, principal) {
    const body = parseBody(CreateFtthClient, raw);
    return ctx.db
      .$transaction((tx) => createClient(tx, body, 'tags', principal?.integration))
      .catch((err: unknown) => mapWriteError(err, 'client', body.code, 'code'));
  },
  async update(ctx, id, raw) {
    const body = parseBody(UpdateFtthClient, raw);
    const exists = await ctx.db.ftthClient.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw new NotFoundError('client', id);
    if (body.code !== undefined) await assertCodeFree(ctx.db, body.code, id);
    await requireIds(
      (ids) => ctx.db.tag.findMany({ where: { id: { in: ids } } }),
      body.tags ?? [],
      'tags',
      'tag',
    );
    await ctx.db.ftthClient
      .update({
        where: { id },
        data: {
          ...clientData(body),
          tags: body.tags && { set: body.tags.map((t) => ({ id: t })) },
        },
      })
      .catch((err: unknown) => mapWriteError(err, 'client', id, 'code'));
  },
  async remove(ctx, id) {
    await ctx.db.ftthClient
      .delete({ where: { id } })
      .catch((err: unknown) => mapWriteError(err, 'client', id));
  },
});
