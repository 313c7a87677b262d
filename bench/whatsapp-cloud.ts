// WhatsApp Cloud API webhook: how fast signed deliveries are acknowledged (what Meta waits for)
// against GET /health on the same server, and how long the conversations take to be answered
// after the burst. `npm run bench:whatsapp-cloud`. The server runs in its own process on a temp
// SQLite database; the simulated Cloud API (test/support) runs here and receives the replies.
// Bounded: BENCH_WEBHOOKS deliveries (default 3000) from 10 connections, then /health for as long.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { FakeWhatsAppCloud, metaJson, sign } from '../test/support/fake-whatsapp-cloud.js';

const DELIVERIES = Number(process.env.BENCH_WEBHOOKS ?? 3000);
const CONNECTIONS = 10;
const DRAIN_LIMIT_MS = 180_000;

const cloud = await FakeWhatsAppCloud.start({ pairRate: { max: 1000, windowMs: 6000 } });
const dir = mkdtempSync(join(tmpdir(), 'alcance-bench-cloud-'));
const server = spawn(process.execPath, ['--import', 'tsx', 'bench/whatsapp-cloud-server.ts'], {
  env: {
    ...process.env,
    ...cloud.env(),
    DATABASE_URL: `file:${join(dir, 'bench.db')}`,
    LOG_LEVEL: 'silent',
    WHATSAPP_CLOUD_MESSAGES_PER_SECOND: process.env.BENCH_MPS ?? '1000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});

try {
  const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
  const { url } = JSON.parse(line) as { url: string };
  cloud.webhookUrl = `${url}/webhooks/whatsapp-cloud`;

  // Each delivery is a new customer saying "oi": a new conversation, answered with two messages.
  let n = 0;
  const started = Date.now();
  const webhook = await autocannon({
    url,
    amount: DELIVERIES,
    connections: CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/whatsapp-cloud',
        setupRequest: (req) => {
          const i = n++;
          const waId = String(5544900000000 + i);
          const raw = metaJson(
            cloud.envelope({
              contacts: [{ profile: { name: 'Cliente' }, wa_id: waId }],
              messages: [
                {
                  from: waId,
                  id: `wamid.bench${i}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'oi' },
                },
              ],
            }),
          );
          cloud.customerWrote(waId);
          return {
            ...req,
            body: raw,
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': sign(cloud.appSecret, raw),
            },
          };
        },
      },
    ],
  });
  const loadSeconds = (Date.now() - started) / 1000;
  const health = await autocannon({
    url,
    duration: Math.max(2, Math.round(loadSeconds)),
    connections: CONNECTIONS,
    requests: [{ path: '/health' }],
  });

  // Every customer gets the greeting and the menu.
  const expected = 2 * (DELIVERIES - webhook.errors - webhook.non2xx);
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while (cloud.sent.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const drainSeconds = (Date.now() - started) / 1000;
  const answered = Math.floor(cloud.sent.length / 2);

  // Diagnostic: the acknowledgement alone, on a quiet server: Meta redelivering one message
  // (signature, parse, the insert that finds the wamid, 200), nothing to answer.
  const again = metaJson(
    cloud.envelope({
      messages: [
        {
          from: '5544900000000',
          id: 'wamid.bench0',
          timestamp: '1',
          type: 'text',
          text: { body: 'oi' },
        },
      ],
    }),
  );
  const redelivered = await autocannon({
    url,
    duration: Math.max(2, Math.round(loadSeconds)),
    connections: CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/whatsapp-cloud',
        body: again,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': sign(cloud.appSecret, again),
        },
      },
    ],
  });

  const rows = [
    ['POST /webhooks/whatsapp-cloud (signed, new customer each)', webhook],
    ['GET /health', health],
    ['POST /webhooks/whatsapp-cloud (a redelivery: acknowledgement alone)', redelivered],
  ] as const;
  console.log('| route | requests/s | p50 ms | p99 ms | errors | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [route, r] of rows) {
    console.log(
      `| ${route} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors} | ${r.non2xx} |`,
    );
  }
  const ratio = (r: autocannon.Result) => (r.requests.average / health.requests.average).toFixed(2);
  console.log(
    `\nwebhook / health = ${ratio(webhook)}; redelivery / health = ${ratio(redelivered)}`,
  );
  console.log(
    `${DELIVERIES} deliveries acknowledged in ${loadSeconds.toFixed(1)} s; ${answered} customers answered (${cloud.sent.length} messages) ${drainSeconds.toFixed(1)} s after the first delivery (${(answered / drainSeconds).toFixed(0)} customers/s)`,
  );
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit');
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
}
