// The workspace's pure pieces: business hours, CSV, masks, passwords, list queries, the Telegram
// notification lines.
import { describe, expect, it } from 'vitest';
import {
  BusinessHoursError,
  dayStart,
  describeHours,
  isOpen,
  nextOpening,
  openMsBetween,
  parseBusinessHours,
  startOfDay,
} from '../../src/sales/business-hours.js';
import { csvCell, csvLine } from '../../src/sales/csv.js';
import { parseListQuery, searchDigits } from '../../src/sales/list-query.js';
import { notificationLine } from '../../src/sales/notify-texts.js';
import {
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../src/sales/passwords.js';
import { maskDocument, maskEmail, maskPersonalData, maskPhone } from '../../src/sales/pii.js';
import { backoffMs } from '../../src/sales/delivery.js';
import { parseEvents, signBody } from '../../src/sales/webhooks.js';
import { createHmac } from 'node:crypto';

const TZ = 'America/Sao_Paulo';
const hours = parseBusinessHours('seg-sex 08:00-18:00; sab 08:00-12:00', TZ);
// São Paulo is UTC-3 all year (no daylight saving since 2019).
const sp = (iso: string) => new Date(`${iso}-03:00`);

describe('business hours', () => {
  it('knows when the team is in, in the configured zone', () => {
    expect(isOpen(hours, sp('2026-12-01T07:59:00'))).toBe(false); // Tuesday
    expect(isOpen(hours, sp('2026-12-01T08:00:00'))).toBe(true);
    expect(isOpen(hours, sp('2026-12-01T17:59:00'))).toBe(true);
    expect(isOpen(hours, sp('2026-12-01T18:00:00'))).toBe(false);
    expect(isOpen(hours, sp('2026-12-05T11:00:00'))).toBe(true); // Saturday morning
    expect(isOpen(hours, sp('2026-12-05T13:00:00'))).toBe(false);
    expect(isOpen(hours, sp('2026-12-06T10:00:00'))).toBe(false); // Sunday
  });

  it('tells the next opening: tonight → tomorrow 8h, Saturday afternoon → Monday 8h', () => {
    expect(nextOpening(hours, sp('2026-12-01T20:00:00'))).toEqual(sp('2026-12-02T08:00:00'));
    expect(nextOpening(hours, sp('2026-12-01T05:00:00'))).toEqual(sp('2026-12-01T08:00:00'));
    expect(nextOpening(hours, sp('2026-12-05T12:30:00'))).toEqual(sp('2026-12-07T08:00:00'));
    const open = sp('2026-12-01T10:00:00');
    expect(nextOpening(hours, open)).toEqual(open);
  });

  it('says when in plain Portuguese', () => {
    expect(describeHours(hours)).toBe('de segunda a sexta, das 8h às 18h; sábado, das 8h às 12h');
  });

  it('counts only business time as waiting', () => {
    // Friday 17:50 → Saturday 08:05: 10 min on Friday + 5 min on Saturday.
    expect(openMsBetween(hours, sp('2026-12-04T17:50:00'), sp('2026-12-05T08:05:00'))).toBe(
      15 * 60_000,
    );
    expect(openMsBetween(hours, sp('2026-12-06T09:00:00'), sp('2026-12-06T20:00:00'))).toBe(0);
  });

  it('24x7 is always open; bad specs are refused with the reason', () => {
    const always = parseBusinessHours('24x7', TZ);
    expect(isOpen(always, sp('2026-12-06T03:00:00'))).toBe(true);
    expect(describeHours(always)).toBe('todos os dias, 24 horas');
    expect(() => parseBusinessHours('xyz 08:00-18:00', TZ)).toThrow(BusinessHoursError);
    expect(() => parseBusinessHours('seg 18:00-08:00', TZ)).toThrow(/end must come after/);
    expect(() => parseBusinessHours('seg 25:00-26:00', TZ)).toThrow(/bad time/);
    expect(() => parseBusinessHours('seg 08:00-18:00', 'Mars/Olympus')).toThrow(/time zone/);
  });

  it('local days start at local midnight', () => {
    expect(startOfDay(sp('2026-12-01T01:30:00'), TZ)).toEqual(sp('2026-12-01T00:00:00'));
    expect(dayStart('2026-12-01', TZ)).toEqual(sp('2026-12-01T00:00:00'));
    expect(dayStart('2026-02-30', TZ)).toBeUndefined();
    expect(dayStart('01/12/2026', TZ)).toBeUndefined();
  });
});

describe('CSV for Brazilian spreadsheets', () => {
  it('quotes separators and quotes, and neutralises formulas', () => {
    expect(csvLine(['a', 'b;c', 'd"e', null, 3])).toBe('a;"b;c";"d""e";;3\r\n');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+5544')).toBe("'+5544");
    expect(csvCell('linha 1\nlinha 2')).toBe('"linha 1\nlinha 2"');
  });
});

describe('masks', () => {
  it('keeps enough to recognise a known customer', () => {
    expect(maskDocument('12345678909')).toBe('***.456.789-**');
    expect(maskPhone('5544999991234')).toBe('55 44 *****-1234');
    expect(maskEmail('maria.souza@example.com')).toBe('m***@example.com');
    expect(
      maskPersonalData({
        reservation: {
          name: 'Maria',
          document: '12345678909',
          phone: '5544999991234',
          chatId: '99',
          email: null,
        },
      }),
    ).toEqual({
      reservation: {
        name: 'Maria',
        document: '***.456.789-**',
        phone: '55 44 *****-1234',
        chatId: null,
        email: null,
      },
    });
  });
});

describe('passwords (scrypt)', () => {
  const cheap = { log2N: 10, r: 8, p: 1 };

  it('verifies the right password only, with the parameters stored in the hash', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    // Same password, new salt: different hashes.
    expect(await hashPassword('correct horse battery', cheap)).not.toBe(hash);
  });

  it('asks for a rehash when the stored cost is below the configured one', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(needsRehash(hash, cheap)).toBe(false);
    expect(needsRehash(hash, { log2N: 12, r: 8, p: 1 })).toBe(true);
  });

  it('generates readable passwords without look-alikes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{4}(-[a-km-np-zA-HJ-NP-Z2-9]{4}){3}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});

describe('list queries', () => {
  const o = {
    statuses: ['active', 'confirmed'],
    sorts: ['createdAt', 'name'],
    defaultSort: '-createdAt',
    timeZone: TZ,
  };

  it('parses filters, sort and paging', () => {
    const q = parseListQuery(
      {
        q: ' maria ',
        status: 'active',
        from: '2026-12-01',
        to: '2026-12-01',
        sort: 'name',
        page: '2',
        pageSize: '50',
      },
      o,
    );
    expect(q).toMatchObject({
      q: 'maria',
      status: 'active',
      sort: 'name',
      desc: false,
      page: 2,
      pageSize: 50,
    });
    expect(q.from).toEqual(sp('2026-12-01T00:00:00'));
    expect(q.until).toEqual(sp('2026-12-02T00:00:00'));
    expect(parseListQuery({}, o)).toMatchObject({
      sort: 'createdAt',
      desc: true,
      page: 1,
      pageSize: 25,
    });
  });

  it('names the bad field', () => {
    expect(() => parseListQuery({ status: 'x' }, o)).toThrow(/status: one of active, confirmed/);
    expect(() => parseListQuery({ sort: 'cpf' }, o)).toThrow(/sort:/);
    expect(() => parseListQuery({ from: '2026-13-01' }, o)).toThrow(/from: must be a date/);
    expect(() => parseListQuery({ pageSize: '1000' }, o)).toThrow(/pageSize/);
    expect(() => parseListQuery({ from: '2026-12-02', to: '2026-12-01' }, o)).toThrow(
      /to: must not come before/,
    );
  });

  it('reads phones and CPFs as digits', () => {
    expect(searchDigits('(44) 99999-1234')).toBe('44999991234');
    expect(searchDigits('123.456.789-09')).toBe('12345678909');
    expect(searchDigits('Rua 12')).toBeUndefined();
  });
});

describe('webhook pieces', () => {
  it('signs the raw body with HMAC-SHA256', () => {
    const body = '{"a":1}';
    expect(signBody('s3cret-s3cret-s3cret', body)).toBe(
      `sha256=${createHmac('sha256', 's3cret-s3cret-s3cret').update(body).digest('hex')}`,
    );
  });

  it('backs off 10 s, 20 s, 40 s … up to 10 min', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10, 30].map((n) => backoffMs(n, mid))).toEqual([
      10_000, 20_000, 40_000, 80_000, 600_000, 600_000,
    ]);
  });

  it('events: a list, or * for all; unknown names are refused', () => {
    expect(parseEvents('reservation.created, prospect.created')).toEqual([
      'reservation.created',
      'prospect.created',
    ]);
    expect(parseEvents('*')).toHaveLength(7);
    expect(() => parseEvents('reservation.made')).toThrow(/unknown reservation.made/);
    expect(() => parseEvents('')).toThrow(/at least one/);
  });

  it('Telegram lines carry no CPF, phone or e-mail', () => {
    const line = notificationLine('reservation.created', {
      reservation: {
        name: 'Maria Souza',
        code: 'C1',
        document: '12345678909',
        phone: '5544999991234',
        email: 'm@x.com',
        box: { id: 'b', name: 'CTO-A' },
        port: 3,
        reservedBy: 'chatbot:telegram',
        expiresAt: '2026-12-08T13:00:00Z',
      },
    });
    expect(line).toBe(
      '🆕 Nova reserva: Maria Souza — CTO-A, porta 3 (chat telegram), vale até 08/12, 10:00',
    );
    expect(line).not.toMatch(/1234|@/);
  });
});
