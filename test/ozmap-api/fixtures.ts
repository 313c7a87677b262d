/* eslint-disable @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON; the assertions check them */
import { expect } from 'vitest';
import { api, type TestServer, type Json } from '../support/server.js';

/** Creates through the API and returns the created document, failing the test on anything but 201. */
export async function create(
  server: TestServer,
  route: string,
  body: Record<string, unknown>,
): Promise<Record<string, Json>> {
  const res = await api(server, 'POST', `/api/v2/${route}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Record<string, Json>;
}

export interface Network {
  projectId: string;
  splitterTypeId: string;
  boxId: string;
  splitterId: string;
}

/** A project, a 1:`ratio` drop splitter type, a box at (lat, lng) and one drop splitter in it. */
export async function network(
  server: TestServer,
  options: { ratio?: number; lat?: number; lng?: number; projectId?: string; name?: string } = {},
): Promise<Network> {
  const projectId = options.projectId ?? (await create(server, 'projects', { name: 'Maringá' })).id;
  const ratio = options.ratio ?? 8;
  const code = `1x${ratio}-${Math.random().toString(36).slice(2, 8)}`;
  const type = await create(server, 'splitter-types', {
    code,
    isDrop: true,
    ratio: { input: 1, output: ratio },
  });
  const box = await create(server, 'boxes', {
    project: projectId,
    name: options.name ?? 'CTO-1',
    coords: [options.lng ?? -51.9386, options.lat ?? -23.4253],
    implanted: true,
    hierarchyLevel: 0,
  });
  const splitter = await create(server, 'splitters', { parent: box.id, splitterType: type.id });
  return { projectId, splitterTypeId: type.id, boxId: box.id, splitterId: splitter.id };
}

export function filterQuery(filter: unknown): string {
  return `filter=${encodeURIComponent(JSON.stringify(filter))}`;
}
