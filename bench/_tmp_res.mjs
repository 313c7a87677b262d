import autocannon from 'autocannon';
const { url, key, points } = JSON.parse(process.argv[2]);
const N = Number(process.argv[3] ?? 500);
let next = 0;
const t = performance.now();
const r = await autocannon({
  url,
  connections: Number(process.env.C ?? 16),
  amount: N,
  headers: { authorization: key, 'content-type': 'application/json' },
  requests: [
    {
      method: 'POST',
      path: '/api/v2/properties',
      setupRequest: (req) => {
        const i = next++;
        const [lat, lng] = points[(i * 37) % points.length];
        return {
          ...req,
          body: JSON.stringify({
            lat,
            lng,
            auto_connect: true,
            client: { code: `P-${Date.now()}-${i}`, name: `Cliente ${i}`, implanted: false },
          }),
        };
      },
    },
  ],
});
const s = (performance.now() - t) / 1000;
console.log(
  JSON.stringify({
    perSecond: Math.round(r['2xx'] / s),
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    p99: r.latency.p99,
    p50: r.latency.p50,
  }),
);
