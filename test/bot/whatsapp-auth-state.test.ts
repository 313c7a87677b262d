import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDatabaseAuthState, authNamespace } from '../../src/bot/whatsapp/auth-state.js';
import { initAuthCreds, proto } from '../../src/bot/whatsapp/baileys.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';

describe.each(testProviders())('useDatabaseAuthState on %s', (provider) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await freshDatabase(provider);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('starts with fresh credentials and writes them back identical, Buffers included', async () => {
    const first = await useDatabaseAuthState(database.db, 'loja-1');
    expect(first.state.creds.registered).toBe(false);
    first.state.creds.me = { id: '5511987654321:3@s.whatsapp.net', name: 'Alcance' };
    first.state.creds.registered = true;
    await first.saveCreds();

    const again = await useDatabaseAuthState(database.db, 'loja-1');
    expect(again.state.creds).toEqual(first.state.creds);
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.from(again.state.creds.signedIdentityKey.public)).toEqual(
      Buffer.from(first.state.creds.signedIdentityKey.public),
    );
    // Another session's state is separate.
    const other = await useDatabaseAuthState(database.db, 'loja-2');
    expect(other.state.creds.registered).toBe(false);
  });

  it('stores, reads back and deletes Signal keys of every shape', async () => {
    const auth = await useDatabaseAuthState(database.db, 'keys');
    const preKey = initAuthCreds().signedPreKey.keyPair;
    const session = new Uint8Array([1, 2, 3, 250, 255]);
    const syncKey = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: Buffer.from('chave secreta'),
      fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1] },
      timestamp: 1_760_000_000,
    });
    await auth.state.keys.set({
      'pre-key': { '1': preKey, '2': preKey },
      session: { '5511987654321.0': session },
      'app-state-sync-key': { AAAAAPqb: syncKey },
      'lid-mapping': { '5511987654321': '123456789012345' },
      'device-list': { '5511987654321': ['0', '12'] },
    });

    const reread = await useDatabaseAuthState(database.db, 'keys');
    const preKeys = await reread.state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys).sort()).toEqual(['1', '2']);
    expect(Buffer.from(preKeys['1']!.private)).toEqual(Buffer.from(preKey.private));
    expect(Buffer.isBuffer(preKeys['1']!.public)).toBe(true);

    const sessions = await reread.state.keys.get('session', ['5511987654321.0']);
    expect(Buffer.from(sessions['5511987654321.0']!)).toEqual(Buffer.from(session));

    const sync = await reread.state.keys.get('app-state-sync-key', ['AAAAAPqb']);
    const revived = sync.AAAAAPqb!;
    expect(revived).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(revived.keyData!).toString()).toBe('chave secreta');
    expect(revived.fingerprint?.rawId).toBe(7);

    expect(await reread.state.keys.get('lid-mapping', ['5511987654321'])).toEqual({
      '5511987654321': '123456789012345',
    });
    expect(await reread.state.keys.get('device-list', ['5511987654321'])).toEqual({
      '5511987654321': ['0', '12'],
    });

    await reread.state.keys.set({ 'pre-key': { '1': null } });
    expect(Object.keys(await reread.state.keys.get('pre-key', ['1', '2']))).toEqual(['2']);
  });

  it('clears the whole session on logout', async () => {
    const auth = await useDatabaseAuthState(database.db, 'sair');
    await auth.saveCreds();
    await auth.state.keys.set({ session: { a: new Uint8Array([9]) } });
    await auth.clear();
    const rows = await database.db.keyValue.findMany({
      where: { namespace: authNamespace('sair') },
    });
    expect(rows).toEqual([]);
    const fresh = await useDatabaseAuthState(database.db, 'sair');
    expect(fresh.state.creds.noiseKey.private).not.toEqual(auth.state.creds.noiseKey.private);
  });
});
