/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// A customer on the official WhatsApp Cloud API, through the assembled server: signed webhooks
// from the simulated Cloud API → the webhook route → the conversation engine → viability,
// reservations, prospects → the replies, checked as they reach the simulated Graph API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { testProviders } from '../support/db.js';
import {
  FakeWhatsAppCloud,
  interactive,
  visibleText,
  type FakeCustomer,
  type SentMessage,
} from '../support/fake-whatsapp-cloud.js';
import { createBox } from '../support/network-fixture.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';

const home = { lat: -23.4253, lng: -51.9386 };
// About 2 km from the box: inside the served area, outside the viability radius.
const near = { lat: -23.4053, lng: -51.9386 };

describe.each(testProviders())(
  'WhatsApp Cloud API chat through the assembled server on %s',
  (provider) => {
    let cloud: FakeWhatsAppCloud;
    let server: TestServer;

    beforeAll(async () => {
      cloud = await FakeWhatsAppCloud.start();
      server = await startTestServer(provider, {
        ...cloud.env(),
        CHATBOT_PROSPECT_TAGS: 'chatbot,sem-cobertura',
      });
      cloud.webhookUrl = `${server.url}/webhooks/whatsapp-cloud`;
      const box = await createBox(server.ctx.db, {
        name: 'CTO-CLOUD',
        lat: home.lat + 0.0005,
        lng: home.lng,
      });
      await server.ctx.network.boxesChanged([box.boxId]);
    });
    afterAll(async () => {
      await server.close();
      await cloud.close();
    });

    /** Does what the customer does, waits until the bot has answered, returns the answers. */
    async function turn(
      customer: FakeCustomer,
      act: () => Promise<{ status: number }>,
    ): Promise<SentMessage[]> {
      const before = cloud.messagesTo(customer.waId).length;
      const { status } = await act();
      expect(status).toBe(200);
      await server.chat.whatsappCloud!.whenIdle();
      const replies = cloud.messagesTo(customer.waId).slice(before);
      expect(replies.length).toBeGreaterThan(0);
      return replies;
    }

    function find(replies: SentMessage[], pattern: RegExp, kind?: string): SentMessage {
      const hit = replies.find(
        (m) =>
          pattern.test(visibleText(m)) &&
          (!kind || (m.type === 'interactive' && interactive(m).type === kind)),
      );
      if (!hit)
        throw new Error(
          `no reply ${kind ?? ''} matching ${pattern}: ${JSON.stringify(replies.map(visibleText))}`,
        );
      return hit;
    }

    it('takes a customer from a signed "oi" to a reserved port with the location request, reply buttons and a list', async () => {
      const maria = cloud.customer('5544999990000', 'Maria Souza');
      let replies = await turn(maria, () => maria.text('oi'));
      const menu = find(replies, /Como posso te ajudar/, 'button');
      expect(interactive(menu).action.buttons?.map((b) => b.reply.title)).toEqual([
        'Consultar disponibi…',
        'Falar com um…',
      ]);
      // The body keeps the full options: the numbered text is still there to read and type.
      expect(visibleText(menu)).toMatch(
        /1\. Consultar disponibilidade de fibra\n2\. Falar com um atendente/,
      );

      replies = await turn(maria, () => maria.tapButton(menu, /^Consultar/));
      const request = find(replies, /Onde você quer instalar/, 'location_request_message');
      expect(interactive(request).action).toEqual({ name: 'send_location' });
      const map = find(replies, /marque o local no mapa/i, 'cta_url');
      expect(interactive(map).action.parameters?.url).toMatch(/\/findme\//);

      replies = await turn(maria, () => maria.location(home.lat, home.lng));
      const offer = find(replies, /Quer reservar/, 'button');
      replies = await turn(maria, () => maria.tapButton(offer, /Sim, quero reservar/));
      find(replies, /endereço da instalação/);
      replies = await turn(maria, () =>
        maria.text('Avenida Brasil, 1450, apto 3, em frente à praça'),
      );
      find(replies, /nome completo/);
      replies = await turn(maria, () => maria.text('Maria Souza'));
      // WhatsApp told us her number: she only confirms it, with a button.
      const phone = find(replies, /Podemos usar este número/, 'button');
      replies = await turn(maria, () => maria.tapButton(phone, /Sim, pode usar/));
      find(replies, /CPF/);
      replies = await turn(maria, () => maria.text('529.982.247-25'));
      find(replies, /e-mail/);
      replies = await turn(maria, () => maria.text('maria@exemplo.com'));
      let summary = find(replies, /Confira seus dados/, 'button');
      expect(visibleText(summary)).toMatch(/maria@exemplo\.com/);

      // A correction goes through a list: five fields do not fit in three buttons.
      replies = await turn(maria, () => maria.tapButton(summary, /Corrigir algum dado/));
      const fields = find(replies, /O que você quer corrigir/, 'list');
      expect(interactive(fields).action.sections?.[0]?.rows.map((r) => r.title)).toEqual([
        'Nome',
        'Telefone',
        'CPF',
        'E-mail',
        'Endereço',
      ]);
      replies = await turn(maria, () => maria.pickRow(fields, 'E-mail'));
      find(replies, /e-mail/);
      replies = await turn(maria, () => maria.text('maria.souza@exemplo.com'));
      summary = find(replies, /Confira seus dados/, 'button');
      replies = await turn(maria, () => maria.tapButton(summary, /Confirmar reserva/));
      find(replies, /sua instalação está reservada/);

      const client = await server.ctx.db.ftthClient.findFirstOrThrow({
        where: { reservedBy: 'chatbot:whatsapp-cloud' },
        include: { property: true },
      });
      expect(client).toMatchObject({
        implanted: false,
        name: 'Maria Souza',
        phone: '5544999990000',
        document: '52998224725',
        email: 'maria.souza@exemplo.com',
      });
      expect(client.property).toMatchObject({ port: 1 });
      expect(JSON.parse(client.reservationMetaJson ?? '{}')).toMatchObject({
        channel: 'whatsapp-cloud',
        chatId: '5544999990000',
      });
      // Every reply went to Maria, read receipts were sent, and none was refused by the API.
      expect(cloud.calls.filter((c) => c.status !== 200)).toEqual([]);
      expect(cloud.calls.filter((c) => c.body?.status === 'read').length).toBeGreaterThanOrEqual(
        12,
      );
    });

    it('records a prospect for a customer out of coverage who picks the point on the FindME page', async () => {
      const ana = cloud.customer('5544988887777', 'Ana Lima');
      let replies = await turn(ana, () => ana.text('olá'));
      find(replies, /Como posso te ajudar/, 'button');
      // She types the option's number instead of tapping: the numbered text still works.
      replies = await turn(ana, () => ana.text('1'));
      const map = find(replies, /marque o local no mapa/i, 'cta_url');
      const url = String(interactive(map).action.parameters?.url);
      const token = decodeURIComponent(url.split('/findme/')[1] ?? '');

      // She opens the link, places the pin away from the network and confirms: the conversation
      // continues in her WhatsApp chat, sent by the Cloud channel as a sender.
      const before = cloud.messagesTo(ana.waId).length;
      const confirm = await fetch(`${server.url}/findme/api/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, ...near }),
      });
      expect(confirm.status).toBe(200);
      replies = cloud.messagesTo(ana.waId).slice(before);
      find(replies, /ainda não temos fibra/);
      const offer = find(replies, /avise quando a fibra chegar/, 'button');

      expect(interactive(offer).action.buttons?.length).toBeGreaterThan(0);
      // And she answers in words rather than with the button.
      replies = await turn(ana, () => ana.text('sim, quero ser avisada'));
      find(replies, /endereço da instalação/);
      replies = await turn(ana, () => ana.text('Rua Pioneiro, 300'));
      find(replies, /nome completo/);
      replies = await turn(ana, () => ana.text('Ana Lima'));
      const phone = find(replies, /Podemos usar este número/, 'button');
      replies = await turn(ana, () => ana.tapButton(phone, /Sim, pode usar/));
      find(replies, /contato está anotado/);

      const prospect = await server.ctx.db.prospect.findFirstOrThrow({
        where: { source: 'chatbot:whatsapp-cloud' },
        include: { tags: true },
      });
      expect(prospect).toMatchObject({
        name: 'Ana Lima',
        phone: '5544988887777',
        viable: false,
        address: 'Rua Pioneiro, 300',
      });
      expect(prospect.lat).toBeCloseTo(near.lat, 9);
      expect(prospect.tags.map((t) => t.name).sort()).toEqual(['chatbot', 'sem-cobertura']);
      const filter = encodeURIComponent(
        JSON.stringify([{ property: 'source', operator: '=', value: 'chatbot:whatsapp-cloud' }]),
      );
      // The chat id is a phone number: only a key with the `pii` scope reads it in clear.
      const { key: piiKey } = await createApiKey(server.ctx.db, 'pii-reader', 'generic', [
        'read',
        'pii',
      ]);
      const listed = await fetch(`${server.url}/api/v2/prospects?filter=${filter}`, {
        headers: { authorization: piiKey },
      });
      const rows = ((await listed.json()) as { rows: Json[] }).rows;
      expect(rows.map((r) => [r.name, r.meta?.channel, r.meta?.chatId])).toEqual([
        ['Ana Lima', 'whatsapp-cloud', '5544988887777'],
      ]);
    });

    it('keeps a customer on both WhatsApp channels apart from the Baileys chat of the same number', async () => {
      const joao = cloud.customer('5544977776666', 'João');
      await turn(joao, () => joao.text('oi'));
      const keys = await server.ctx.db.chatConversation.findMany({ select: { chatKey: true } });
      expect(keys.map((k) => k.chatKey)).toContain('whatsapp-cloud:5544977776666');
      expect(keys.map((k) => k.chatKey)).not.toContain('whatsapp:5544977776666');
    });
  },
);
