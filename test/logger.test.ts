import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPii } from '../src/logger.js';

describe('logging personal data', () => {
  it('censors CPF, phone and e-mail fields at any of the usual depths', () => {
    let out = '';
    const stream = new Writable({
      write(chunk: Buffer, _e, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', stream);
    logger.info(
      {
        document: '52998224725',
        phone: '44999990000',
        client: { email: 'maria@example.com', cpf: '529.982.247-25' },
      },
      'x',
    );
    logger.info(
      {
        req: { headers: { authorization: 'alc_secret' } },
        body: { data: { telefone: '44988887777' } },
      },
      'y',
    );
    for (const secret of [
      '52998224725',
      '44999990000',
      'maria@example.com',
      '529.982.247-25',
      'alc_secret',
      '44988887777',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });

  it('masks personal data inside free text', () => {
    expect(maskPii('meu cpf é 529.982.247-25, fone (44) 99999-0000, maria@example.com')).toBe(
      'meu cpf é [cpf], fone [phone], [email]',
    );
    expect(maskPii('CNPJ 11.222.333/0001-81')).toBe('CNPJ [cnpj]');
  });
});
