/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
// A person from the sales team answering a Cloud API customer through the sales workspace: the
// reply goes through the Cloud channel's sender as it is inside the 24-hour window, and as the
// hand-off template (carrying the reply) once the window has closed; the workspace never needs
// to know about windows or templates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import {
  FakeWhatsAppCloud,
  visibleText,
  type FakeCustomer,
} from '../support/fake-whatsapp-cloud.js';
import type { Json } from '../support/server.js';
import { startSalesServer, type SalesServer, type Session } from '../sales/harness.js';

describe.each(testProviders())('sales hand-off on the WhatsApp Cloud API on %s', (provider) => {
  let cloud: FakeWhatsAppCloud;
  let server: SalesServer | undefined;
  let bruno: Session;

  beforeAll(async () => {
    cloud = await FakeWhatsAppCloud.start({
      now: () => (server?.clock.now ?? new Date()).getTime(),
    });
    server = await startSalesServer(provider, cloud.env());
    cloud.webhookUrl = `${server.url}/webhooks/whatsapp-cloud`;
    bruno = await server.login('bruno');
  });
  afterAll(async () => {
    await server?.close();
    await cloud?.close();
  });

  /** The customer writes now (on the test clock); resolves with what the bot sent back. */
  async function say(customer: FakeCustomer, text: string) {
    const before = cloud.messagesTo(customer.waId).length;
    const { status } = await customer.text(text, { at: server!.clock.now.getTime() });
    expect(status).toBe(200);
    await server!.chat.whatsappCloud!.whenIdle();
    return cloud.messagesTo(customer.waId).slice(before).map(visibleText);
  }

  it('sends the reply as it is inside the window and as the hand-off template after it', async () => {
    const s = server!;
    const joana = cloud.customer('5544944443333', 'Joana Prado');
    expect(await say(joana, 'oi')).toContainEqual(expect.stringMatching(/Como posso te ajudar/));
    expect((await say(joana, 'atendente')).join('\n')).toMatch(/fila/);

    const queue = (await s.call(bruno, 'GET', '/sales/api/handoffs')).body;
    expect(queue.map((h: Json) => [h.channel, h.status])).toEqual([['whatsapp-cloud', 'waiting']]);
    const id = queue[0].id;
    expect((await s.call(bruno, 'POST', `/sales/api/handoffs/${id}/take`)).status).toBe(200);

    let before = cloud.messagesTo(joana.waId).length;
    const first = await s.call(bruno, 'POST', `/sales/api/handoffs/${id}/reply`, {
      text: 'Olá, Joana! Aqui é o Bruno. Posso te ligar?',
    });
    expect(first.status).toBe(200);
    let sent = cloud.messagesTo(joana.waId).slice(before);
    expect(sent.map((m) => [m.type, visibleText(m)])).toEqual([
      ['text', 'Olá, Joana! Aqui é o Bruno. Posso te ligar?'],
    ]);

    // A day and more later, the window is closed: the same call sends the approved template.
    s.clock.advance(25 * 3600_000);
    bruno = await s.login('bruno'); // the session did not last the day
    before = cloud.messagesTo(joana.waId).length;
    const late = await s.call(bruno, 'POST', `/sales/api/handoffs/${id}/reply`, {
      text: 'Joana, consegui um horário amanhã às 9h.',
    });
    expect(late.status).toBe(200);
    sent = cloud.messagesTo(joana.waId).slice(before);
    expect(sent.map((m) => m.type)).toEqual(['template']);
    expect(sent[0]?.body.template).toMatchObject({
      name: 'alcance_resposta_atendimento',
      components: [
        {
          parameters: [{ text: 'Joana' }, { text: 'Joana, consegui um horário amanhã às 9h.' }],
        },
      ],
    });
    // Every call the simulated Graph API took was valid.
    expect(cloud.calls.filter((c) => c.status !== 200)).toEqual([]);
  });
});
