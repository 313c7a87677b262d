// (d) Redis GEOSEARCH over the same points (when REDIS_URL is set).
import { Redis } from 'ioredis';
import type { Method } from './methods.js';

const KEY = 'alcance:bench:boxes';
const BATCH = 5000;

export function redisMethod(url: string): Method<string[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  return {
    name: 'Redis GEOSEARCH',
    async build(data) {
      await redis.connect().catch(() => undefined);
      await redis.del(KEY);
      const before = await usedMemory(redis);
      const started = performance.now();
      const pipeline = redis.pipeline();
      for (let from = 0; from < data.boxes.length; from += BATCH) {
        const args: Array<string | number> = [];
        for (const box of data.boxes.slice(from, from + BATCH)) args.push(box.lng, box.lat, box.id);
        pipeline.geoadd(KEY, ...args);
      }
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      const ms = performance.now() - started;
      return { ms, cpuMs: NaN, memoryBytes: (await usedMemory(redis)) - before };
    },
    query: (lat, lng, radius) =>
      redis.geosearch(KEY, 'FROMLONLAT', lng, lat, 'BYRADIUS', radius, 'm') as Promise<string[]>,
    indices: (r) => r.map((id) => parseInt(id, 16)),
    async close() {
      await redis.del(KEY);
      redis.disconnect();
    },
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}
