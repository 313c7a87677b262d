/** One dependency's state in `GET /ready`. */
export interface ProbeReport {
  status: 'up' | 'down' | 'disabled';
  latencyMs?: number;
  /** Why it is down (an error message without personal data). */
  error?: string;
  [detail: string]: unknown;
}

/** A chat channel's state: `standby` is an instance waiting while another one holds the socket. */
export interface ChannelReport {
  status: 'up' | 'down' | 'standby' | 'disabled';
  [detail: string]: unknown;
}

export interface Readiness {
  /** `ready` when every dependency the instance needs answers; `unavailable` otherwise (503). */
  status: 'ready' | 'unavailable';
  database: ProbeReport;
  redis: ProbeReport;
  channels: Record<string, ChannelReport>;
  [section: string]: unknown;
}

export interface ReadinessSources {
  /** Resolves when the database answers a round trip. */
  database: () => Promise<unknown>;
  /** Resolves when Redis answers; undefined when REDIS_URL is not set. */
  redis?: () => Promise<unknown>;
  channels: () => Record<string, ChannelReport>;
  /** More sections (migrations, network sync); shown, never gating. */
  details?: () => Record<string, unknown>;
  /** Extra database facts shown beside its status (provider). */
  databaseDetails?: Record<string, unknown>;
  timeoutMs?: number;
}

async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<ProbeReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'down', error: message.split('\n')[0]?.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `GET /ready` answers. The database, and Redis when configured, gate readiness: without
 * Redis the instances cannot share conversations or the WhatsApp lock, so an instance that lost it
 * leaves the load balancer instead of answering on its own (no silent split-brain). Channels are
 * reported but do not gate: a channel that is down does not stop the API from working.
 */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const timeoutMs = sources.timeoutMs ?? 2_000;
  const [database, redis] = await Promise.all([
    probe(sources.database, timeoutMs),
    sources.redis
      ? probe(sources.redis, timeoutMs)
      : Promise.resolve<ProbeReport>({ status: 'disabled' }),
  ]);
  const ready = database.status === 'up' && redis.status !== 'down';
  return {
    status: ready ? 'ready' : 'unavailable',
    database: { ...database, ...sources.databaseDetails },
    redis,
    channels: sources.channels(),
    ...sources.details?.(),
  };
}
