// The production Cloud API client (src/bot/whatsapp-cloud/cloud-api.ts, on the client library)
// against the simulated Graph API: what goes on the wire, and how Meta's refusals come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudApi, type CloudApi } from '../../src/bot/whatsapp-cloud/cloud-api.js';
import { classifyCloudError } from '../../src/bot/whatsapp-cloud/retry.js';
import { toCloudMessages } from '../../src/bot/whatsapp-cloud/to-cloud-message.js';
import { FakeWhatsAppCloud } from '../support/fake-whatsapp-cloud.js';

const CUSTOMER = '5544999991234';

/** The client's target on a simulator. */
const target = (cloud: FakeWhatsAppCloud) => ({
  accessToken: cloud.accessToken,
  apiBaseUrl: cloud.origin,
  apiVersion: cloud.version,
  phoneNumberId: cloud.phoneNumberId,
  businessAccountId: cloud.businessAccountId,
});

describe('Cloud API client against the simulator', () => {
  let cloud: FakeWhatsAppCloud;
  let api: CloudApi;

  beforeAll(async () => {
    cloud = await FakeWhatsAppCloud.start();
    api = createCloudApi(target(cloud), { timeoutMs: 500 });
    cloud.customerWrote(CUSTOMER);
  });
  afterAll(() => cloud.close());

  it('sends every kind of message the bot uses in the shape Meta documents', async () => {
    const messages = [
      ...toCloudMessages({ kind: 'text', text: 'Olá!' }),
      ...toCloudMessages({
        kind: 'text',
        text: 'Quer reservar?',
        options: [
          { key: '1', label: 'Sim, quero reservar' },
          { key: '2', label: 'Não, agora não' },
        ],
      }),
      ...toCloudMessages({
        kind: 'text',
        text: 'O que corrigir?',
        options: ['Nome', 'Telefone', 'CPF', 'E-mail'].map((label, i) => ({
          key: String(i + 1),
          label,
        })),
      }),
      ...toCloudMessages({
        kind: 'request-location',
        text: 'Onde você quer instalar?',
        findmeUrl: 'https://alcance.example.com.br/findme/t0k3n',
      }),
      ...toCloudMessages({ kind: 'location', point: { lat: -23.42, lng: -51.93 }, title: 'CTO-1' }),
    ];
    for (const m of messages) {
      const { messageId } = await api.send(CUSTOMER, m);
      expect(messageId).toMatch(/^wamid\./);
    }
    const bodies = cloud.messagesTo(CUSTOMER).map((m) => m.body);
    expect(bodies[0]).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      type: 'text',
      text: { body: 'Olá!', preview_url: false },
    });
    expect(bodies[1]).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Quer reservar?' },
        action: {
          buttons: [
            {
              type: 'reply',
              reply: { id: 'opt|1|Sim, quero reservar', title: 'Sim, quero reservar' },
            },
            { type: 'reply', reply: { id: 'opt|2|Não, agora não', title: 'Não, agora não' } },
          ],
        },
      },
    });
    expect(bodies[2]).toMatchObject({
      interactive: {
        type: 'list',
        action: { button: 'Ver opções', sections: [{ rows: [{ title: 'Nome' }, {}, {}, {}] }] },
      },
    });
    expect(bodies[3]).toMatchObject({
      interactive: {
        type: 'location_request_message',
        body: { text: 'Onde você quer instalar?' },
        action: { name: 'send_location' },
      },
    });
    expect(bodies[4]).toMatchObject({
      interactive: {
        type: 'cta_url',
        action: {
          name: 'cta_url',
          parameters: {
            display_text: 'Abrir o mapa',
            url: 'https://alcance.example.com.br/findme/t0k3n',
          },
        },
      },
    });
    expect(bodies[5]).toMatchObject({
      type: 'location',
      location: { latitude: -23.42, longitude: -51.93, name: 'CTO-1' },
    });
    for (const call of cloud.calls) expect(call.authorization).toBe(`Bearer ${cloud.accessToken}`);
  });

  it('sends templates with their body parameters', async () => {
    await api.send('5511988887777', {
      type: 'template',
      name: 'alcance_fibra_disponivel',
      language: 'pt_BR',
      parameters: ['Ana'],
    });
    expect(cloud.messagesTo('5511988887777')[0]?.body).toMatchObject({
      type: 'template',
      template: {
        name: 'alcance_fibra_disponivel',
        language: { code: 'pt_BR' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });
  });

  it("comes back with Meta's codes for refusals", async () => {
    const refusal = async (send: () => Promise<unknown>) =>
      classifyCloudError(
        await send().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
    await expect(
      refusal(() =>
        api.send(CUSTOMER, {
          type: 'template',
          name: 'alcance_fibra_disponivel',
          language: 'pt_BR',
          parameters: [],
        }),
      ),
    ).resolves.toEqual({ kind: 'template', code: 132000 });
    await expect(
      refusal(() =>
        api.send(CUSTOMER, {
          type: 'template',
          name: 'nao_existe',
          language: 'pt_BR',
          parameters: [],
        }),
      ),
    ).resolves.toEqual({ kind: 'template', code: 132001 });
    // A button title over 20 characters, as a hand-built message would have it.
    await expect(
      refusal(() =>
        api.send(CUSTOMER, {
          type: 'buttons',
          body: 'x',
          buttons: [{ id: 'a', title: 'x'.repeat(21) }],
          fallback: 'x',
        }),
      ),
    ).resolves.toEqual({ kind: 'rejected', code: 0 });
    cloud.failNext('messages', { status: 400, error: { code: 131056 } });
    await expect(refusal(() => api.send(CUSTOMER, { type: 'text', body: 'x' }))).resolves.toEqual({
      kind: 'pair-rate',
      code: 131056,
    });
    cloud.failNext('messages', { status: 400, error: { code: 130429 }, retryAfterSeconds: 2 });
    await expect(refusal(() => api.send(CUSTOMER, { type: 'text', body: 'x' }))).resolves.toEqual({
      kind: 'throughput',
      code: 130429,
      retryAfterMs: 2000,
    });
    cloud.failNext('messages', {
      status: 500,
      error: { code: 131000, message: 'Something went wrong' },
    });
    await expect(refusal(() => api.send(CUSTOMER, { type: 'text', body: 'x' }))).resolves.toEqual({
      kind: 'transient',
      code: 131000,
    });
  });

  it('times out a request Meta never answers', async () => {
    cloud.failNext('messages', { hang: true });
    const error = await api.send(CUSTOMER, { type: 'text', body: 'x' }).catch((e: unknown) => e);
    expect(classifyCloudError(error)).toEqual({ kind: 'transient' });
  });

  it('lists templates and fetches media with the access token', async () => {
    const templates = await api.templates(['alcance_resposta_atendimento']);
    expect(templates).toEqual([
      {
        name: 'alcance_resposta_atendimento',
        language: 'pt_BR',
        status: 'APPROVED',
        components: [{ type: 'BODY', text: expect.stringContaining('{{2}}') as string }],
      },
    ]);
    const id = cloud.addMedia(Buffer.from('jpeg bytes'), 'image/jpeg');
    const info = await api.media(id);
    expect(info).toMatchObject({ mimeType: 'image/jpeg', fileSize: 10 });
    const res = await api.download(info.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('jpeg bytes');
    expect((await fetch(info.url)).status).toBe(401);
  });

  it('is refused with code 190 once the token expired', async () => {
    const other = await FakeWhatsAppCloud.start();
    const client = createCloudApi(target(other));
    other.expireToken();
    const error = await client.send(CUSTOMER, { type: 'text', body: 'x' }).catch((e: unknown) => e);
    expect(classifyCloudError(error)).toEqual({ kind: 'token', code: 190 });
    await other.close();
  });
});
