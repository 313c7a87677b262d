import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  withFreePort,
  type AllocatedPort,
  type Tx,
} from '../../src/ozmap-model/port-allocation.js';
import { newId } from '../../src/ids.js';
import {
  ConflictError,
  NoFreePortError,
  NotFoundError,
  ValidationError,
} from '../../src/errors.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

/** The writer a reservation would be: a property holding the chosen port. */
async function holdPort(tx: Tx, slot: AllocatedPort): Promise<AllocatedPort> {
  const { projectId, boxId, splitterId, port } = slot;
  await tx.property.create({ data: { id: newId(), projectId, boxId, splitterId, port } });
  return slot;
}

describe.each(testProviders())('port allocation on %s', (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(provider);
  });
  afterAll(async () => t.drop());

  it('takes the first free, unblocked drop port, skipping distribution splitters', async () => {
    const box = await createBox(t.db, {
      splitters: [
        { ratio: 4, isDrop: false },
        { ratio: 8, isDrop: true, blocked: [1, 2], taken: [3] },
      ],
    });
    const slot = await withFreePort(t.db, { kind: 'box', boxId: box.boxId }, holdPort);
    expect(slot).toMatchObject({ boxId: box.boxId, splitterId: box.splitterIds[1], port: 4 });
  });

  it('refuses a full box, a draft box, a box with no drop splitter and an unknown box', async () => {
    const full = await createBox(t.db, { splitters: [{ ratio: 2, taken: [1], blocked: [2] }] });
    await expect(
      withFreePort(t.db, { kind: 'box', boxId: full.boxId }, async () => 1),
    ).rejects.toThrow(NoFreePortError);
    const draft = await createBox(t.db, { draft: true });
    await expect(
      withFreePort(t.db, { kind: 'box', boxId: draft.boxId }, async () => 1),
    ).rejects.toThrow(/Em projeto/);
    const noDrop = await createBox(t.db, { splitters: [{ ratio: 8, isDrop: false }] });
    await expect(
      withFreePort(t.db, { kind: 'box', boxId: noDrop.boxId }, async () => 1),
    ).rejects.toThrow(/no drop splitter/);
    await expect(
      withFreePort(t.db, { kind: 'box', boxId: newId() }, async () => 1),
    ).rejects.toThrow(NotFoundError);
  });

  it('checks an exact port: range, blocked, taken', async () => {
    const box = await createBox(t.db, { splitters: [{ ratio: 8, blocked: [2], taken: [3] }] });
    const splitterId = box.splitterIds[0]!;
    const at = (port: number) =>
      withFreePort(t.db, { kind: 'port', splitterId, port }, async (_tx, s) => s.port);
    await expect(at(9)).rejects.toThrow(ValidationError);
    await expect(at(0)).rejects.toThrow(ValidationError);
    await expect(at(2)).rejects.toThrow(ConflictError);
    await expect(at(3)).rejects.toThrow(/already taken/);
    expect(await at(5)).toBe(5);
  });

  it('gives 200 concurrent writers on 8 free ports exactly 8 ports, each once', async () => {
    const box = await createBox(t.db, {
      splitters: [{ ratio: 8 }, { ratio: 8, taken: [1, 2, 3, 4], blocked: [5, 6, 7, 8] }],
    });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        withFreePort(t.db, { kind: 'box', boxId: box.boxId }, holdPort),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const lost = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    expect(won).toHaveLength(8);
    expect(new Set(won.map((s) => `${s.splitterId}:${s.port}`)).size).toBe(8);
    expect(lost.every((e) => e instanceof NoFreePortError)).toBe(true);
    const held = await t.db.property.count({ where: { boxId: box.boxId } });
    expect(held).toBe(12);
  });
});
