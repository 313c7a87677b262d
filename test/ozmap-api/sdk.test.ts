import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The SDK's logger opens an HTTP control server on :9898 unless told not to.
process.env.OZLOGGER_HTTP = 'false';
process.env.OZLOGGER_LEVEL = 'error';
const sdkModule = await import('@ozmap/ozmap-sdk');
// The SDK is CommonJS: Node hands its module.exports as the default export, the class under `default`.
type SdkClass = typeof sdkModule.default.default;
type Sdk = InstanceType<SdkClass>;
const loaded = sdkModule.default as unknown as { default?: SdkClass };
const OZMapSDK: SdkClass = loaded.default ?? (sdkModule.default as unknown as SdkClass);
/** SDK documents type ids as `string | ObjectId`; ours are always strings. */
const idOf = (doc: { id: unknown } | null | undefined): string => doc?.id as string;

const { BoxSchema, SplitterSchema, ProspectSchema, TagSchema, FTTHClientSchema } = sdkModule;

describe.each(testProviders())('the real @ozmap/ozmap-sdk against our API on %s', (provider) => {
  let server: TestServer;
  let sdk: Sdk;
  let projectId: string;
  let tagId: string;

  beforeAll(async () => {
    server = await startTestServer(provider);
    sdk = new OZMapSDK(server.url, { apiKey: server.apiKey });
    const project = await sdk.project.create({ name: 'SDK project', lat: -23.42, lng: -51.93 });
    projectId = idOf(project);
  });
  afterAll(async () => server.close());

  it('creates, lists, updates and deletes tags', async () => {
    const tag = await sdk.tag.create({ name: 'Plano 500', allowedTypes: ['box', 'prospect'] });
    expect(TagSchema.parse(tag).name).toBe('Plano 500');
    tagId = idOf(tag);
    await sdk.tag.updateById(tagId, { name: 'Plano 600' });
    expect((await sdk.tag.findById(tagId))?.name).toBe('Plano 600');
    const extra = await sdk.tag.create({ name: 'Descartável', allowedTypes: [] });
    await sdk.tag.deleteById(idOf(extra));
    expect(await sdk.tag.findById(idOf(extra))).toBeNull();
  });

  it('creates boxes whose responses pass the SDK schema, then finds, filters, pages, updates, deletes', async () => {
    const boxType = await sdk.boxType.create({
      code: 'CTO-16',
      prefix: 'CTO',
      default_reserve: 0,
      config: {
        base: { color: '#3388FFFF' },
        regular: { fillColor: '#3388FFFF' },
        not_implanted: { fillColor: '#FFA500A6' },
        draft: { fillColor: '#FFA500A6' },
      },
    });
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await sdk.box.create({
          project: projectId,
          name: `SDK-${i}`,
          coords: [-51.93 + i * 0.001, -23.42],
          hierarchyLevel: 0,
          implanted: true,
          boxType: idOf(boxType),
          tags: i === 0 ? [tagId] : [],
        }),
      );
    }
    for (const box of created) BoxSchema.parse(box);
    expect(created[0]!.tags).toEqual([tagId]);

    const all = await sdk.box.findAll({ batchSize: 2 });
    expect(all.map((b) => b.name).sort()).toEqual(['SDK-0', 'SDK-1', 'SDK-2', 'SDK-3', 'SDK-4']);

    const page = await sdk.box.find({
      filter: [
        { property: 'coords', operator: 'near', value: { lat: -23.42, lng: -51.93, radius: 150 } },
      ],
    });
    expect(page.rows.map((b) => b.name)).toEqual(['SDK-0', 'SDK-1']);
    const tagged = await sdk.box.findOne({
      filter: [{ property: 'tags', operator: 'in', value: [tagId] }],
    });
    expect(tagged?.name).toBe('SDK-0');

    const id = idOf(created[4]);
    await sdk.box.updateById(id, { name: 'SDK-4b', draft: true });
    const updated = await sdk.box.findById(id);
    expect(updated).toMatchObject({ name: 'SDK-4b', draft: true });
    await sdk.box.deleteById(id);
    expect(await sdk.box.findById(id)).toBeNull();
  });

  it('reserves a port with a nested client (auto_connect), then activates the client', async () => {
    const box = (
      await sdk.box.find({ filter: [{ property: 'name', operator: '=', value: 'SDK-1' }] })
    ).rows[0]!;
    const type = await sdk.splitterType.create({
      code: '1x8',
      isDrop: true,
      ratio: { input: 1, output: 8 },
      inputConnectionType: 0,
      outputConnectionType: 1,
      attenuation: [10.5],
    });
    const splitter = await sdk.splitter.create({
      parent: idOf(box),
      splitterType: idOf(type),
      implanted: true,
      isDrop: true,
    });
    SplitterSchema.parse(splitter);

    const property = await sdk.property.create({
      project: projectId,
      box: idOf(box),
      address: 'Rua das Flores, 10',
      client: { code: 'SDK-C1', name: 'João', implanted: false },
      auto_connect: true,
    });
    expect(property.connections).toMatchObject([{ id: idOf(splitter), port: 1, kind: 'Splitter' }]);
    const clientId = property.client as unknown as string;
    const client = await sdk.ftthClient.findById(clientId);
    expect(FTTHClientSchema.parse(client)).toMatchObject({
      code: 'SDK-C1',
      implanted: false,
      status: 0,
    });

    await sdk.ftthClient.updateById(clientId, { implanted: true });
    expect((await sdk.ftthClient.findById(clientId))?.implanted).toBe(true);
    await sdk.ftthClient.batchUpdate([{ property: 'code', operator: '=', value: 'SDK-C1' }], {
      status: 1,
    });
    expect((await sdk.ftthClient.findById(clientId))?.status).toBe(1);

    await sdk.property.updateById(idOf(property), { observation: 'portão azul' });
    const found = await sdk.property.find({
      filter: [{ property: 'client', operator: '=', value: clientId }],
    });
    expect(found.rows).toHaveLength(1);
    expect(found.rows[0]!.observation).toBe('portão azul');
    const splitterAfter = await sdk.splitter.findById(idOf(splitter));
    const output = (splitterAfter?.connectables as { output: Array<string | null> }).output;
    expect(output).toEqual([idOf(property), null, null, null, null, null, null, null]);

    await sdk.property.deleteById(idOf(property));
    expect(await sdk.property.findById(idOf(property))).toBeNull();
  });

  it('creates, filters, updates and deletes prospects', async () => {
    const prospect = await sdk.prospect.create({
      name: 'Ana',
      phone: '44988887777',
      coords: [-51.94, -23.43],
      tags: [tagId],
      viable: false,
    });
    expect(ProspectSchema.parse(prospect)).toMatchObject({ name: 'Ana', coords: [-51.94, -23.43] });
    await sdk.prospect.updateById(idOf(prospect), { observation: 'ligar amanhã' });
    const list = await sdk.prospect.find({
      filter: [{ property: 'viable', operator: '=', value: false }],
    });
    expect(list.rows.map((p) => p.observation)).toEqual(['ligar amanhã']);
    await sdk.prospect.deleteById(idOf(prospect));
    expect((await sdk.prospect.find()).total).toBe(0);
  });

  it('reads the system configuration', async () => {
    const config = await sdk.systemConfig.find();
    expect(config).toMatchObject({
      defaultRadius: server.ctx.config.viability.defaultRadiusMeters,
    });
  });

  it('fails clearly, without looping, when the key is wrong', async () => {
    const bad = new OZMapSDK(server.url, { apiKey: 'alc_not-a-key' });
    const err = (await bad.box.find().catch((e: unknown) => e)) as {
      status: number;
      data: { message: string };
    };
    expect(err.status).toBe(401);
    expect(err.data.message).toContain('alcance apikey create');
  });
});
