import type { Db } from '../../ozmap-model/db/client.js';
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
} from './baileys.js';
import { chunked, findInChunks } from '../../ozmap-model/db/chunks.js';

/** Baileys credentials and Signal keys of one WhatsApp session, kept in the KeyValue table. */
export interface DatabaseAuthState {
  state: AuthenticationState;
  /** Writes `state.creds`; call on every `creds.update`. */
  saveCreds(): Promise<void>;
  /** Forgets the session entirely (after a logout): the next socket pairs anew. */
  clear(): Promise<void>;
}

const CREDS_KEY = 'creds';

/** The KeyValue namespace of a session's auth state. */
export function authNamespace(session: string): string {
  return `whatsapp:${session}`;
}

/**
 * The database counterpart of Baileys' useMultiFileAuthState: one KeyValue row per credential
 * file or key (`creds`, `<type>:<id>`), serialised with BufferJSON so Buffers survive. Key
 * batches are written in one transaction. Nothing touches the filesystem.
 */
export async function useDatabaseAuthState(db: Db, session: string): Promise<DatabaseAuthState> {
  const namespace = authNamespace(session);
  const stored = await db.keyValue.findUnique({
    where: { namespace_key: { namespace, key: CREDS_KEY } },
  });
  const creds: AuthenticationCreds = stored ? parse(stored.value) : initAuthCreds();

  const upsert = (key: string, value: unknown) => {
    const text = JSON.stringify(value, BufferJSON.replacer);
    return db.keyValue.upsert({
      where: { namespace_key: { namespace, key } },
      create: { namespace, key, value: text },
      update: { value: text },
    });
  };

  return {
    state: {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const rows = await findInChunks(
            ids.map((id) => `${type}:${id}`),
            (keys) => db.keyValue.findMany({ where: { namespace, key: { in: keys } } }),
          );
          const found: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const row of rows) {
            const id = row.key.slice(type.length + 1);
            let value: unknown = parse(row.value);
            if (type === 'app-state-sync-key') {
              value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
            }
            found[id] = value as SignalDataTypeMap[T];
          }
          return found;
        },
        async set(data: SignalDataSet) {
          const writes = [];
          const deletions: string[] = [];
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              const key = `${type}:${id}`;
              if (value === null || value === undefined) deletions.push(key);
              else writes.push(upsert(key, value));
            }
          }
          for (const keys of chunked(deletions)) {
            writes.push(db.keyValue.deleteMany({ where: { namespace, key: { in: keys } } }));
          }
          if (writes.length > 0) await db.$transaction(writes);
        },
        async clear() {
          await db.keyValue.deleteMany({ where: { namespace, NOT: { key: CREDS_KEY } } });
        },
      },
    },
    async saveCreds() {
      await upsert(CREDS_KEY, creds);
    },
    async clear() {
      await db.keyValue.deleteMany({ where: { namespace } });
    },
  };
}

function parse<T>(text: string): T {
  return JSON.parse(text, BufferJSON.reviver) as T;
}
