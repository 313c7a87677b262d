import { describe, expect, it } from 'vitest';
import type { CloudTemplates, MetaTemplate, ResolvedTemplate } from './templates.js';
import { checkTemplates, noticeText, sanitizeParameter, templateMessage } from './templates.js';

const TEMPLATES: CloudTemplates = {
  language: 'pt_BR',
  reservationExpiring: { name: 'alcance_reserva_expirando', parameters: ['name', 'expires_at'] },
  handoffReply: { name: 'alcance_resposta_atendimento', parameters: ['name', 'message'] },
  fibreAvailable: { name: 'alcance_fibra_disponivel', parameters: ['name'] },
};

function meta(name: string, body: string, extra: Partial<MetaTemplate> = {}): MetaTemplate {
  return {
    name,
    language: 'pt_BR',
    status: 'APPROVED',
    components: [{ type: 'BODY', text: body }],
    ...extra,
  };
}

const APPROVED: MetaTemplate[] = [
  meta('alcance_reserva_expirando', 'Olá, {{1}}! Sua reserva vale até {{2}}.'),
  meta('alcance_resposta_atendimento', 'Olá, {{1}}! Nossa equipe respondeu: {{2}}'),
  meta('alcance_fibra_disponivel', 'Olá, {{1}}! A fibra chegou.'),
];

describe('checkTemplates', () => {
  it('accepts approved templates whose placeholders match the configuration', () => {
    const check = checkTemplates(TEMPLATES, APPROVED);
    expect(check.problems).toEqual([]);
    expect(check.resolved.handoffReply).toEqual({
      name: 'alcance_resposta_atendimento',
      parameters: ['name', 'message'],
      named: false,
      fixedLength: 'Olá, ! Nossa equipe respondeu: '.length,
    });
  });

  it('names each missing, unapproved, wrong-language or mis-shaped template and its variable', () => {
    const check = checkTemplates(TEMPLATES, [
      meta('alcance_reserva_expirando', 'Olá {{1}}, vale até {{2}} em {{3}}.'),
      meta('alcance_resposta_atendimento', 'Olá {{1}}: {{2}}', { status: 'PENDING' }),
      meta('alcance_fibra_disponivel', 'Hi {{1}}', { language: 'en_US' }),
    ]);
    expect(check.problems).toEqual([
      'WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING (alcance_reserva_expirando): its body has 3 placeholder(s) but the configuration fills 2 (name,expires_at)',
      'WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY (alcance_resposta_atendimento): is PENDING, not APPROVED',
      'WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE (alcance_fibra_disponivel): exists in en_US, not in pt_BR',
    ]);
    expect(checkTemplates(TEMPLATES, []).problems[0]).toBe(
      'WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING (alcance_reserva_expirando): no template with this name in the WhatsApp Business Account',
    );
  });

  it('refuses templates with something Alcance cannot fill', () => {
    const withHeader = [
      meta('alcance_reserva_expirando', 'Olá {{1}}, até {{2}}', {
        components: [
          { type: 'HEADER', format: 'IMAGE' },
          { type: 'BODY', text: 'Olá {{1}}, até {{2}}' },
        ],
      }),
      meta('alcance_resposta_atendimento', 'Olá {{1}}: {{2}}', {
        components: [
          { type: 'BODY', text: 'Olá {{1}}: {{2}}' },
          { type: 'BUTTONS', buttons: [{ type: 'URL', url: 'https://x.com/{{1}}' }] },
        ],
      }),
      meta('alcance_fibra_disponivel', 'Olá {{1}}', {
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Oi {{1}}' },
          { type: 'BODY', text: 'Olá {{1}}' },
        ],
      }),
    ];
    expect(checkTemplates(TEMPLATES, withHeader).problems).toEqual([
      expect.stringContaining('image header needs a parameter') as string,
      expect.stringContaining('URL button has a variable') as string,
      expect.stringContaining('header has a variable') as string,
    ]);
  });

  it('matches templates with named parameters by name, whatever the order', () => {
    const named = APPROVED.map((t) =>
      t.name === 'alcance_resposta_atendimento'
        ? meta(t.name, 'Resposta para {{name}}: {{message}}', { parameterFormat: 'NAMED' })
        : t,
    );
    const check = checkTemplates(TEMPLATES, named);
    expect(check.problems).toEqual([]);
    expect(check.resolved.handoffReply?.named).toBe(true);
    const wrong = named.map((t) =>
      t.name === 'alcance_resposta_atendimento'
        ? meta(t.name, '{{nome}}: {{message}}', { parameterFormat: 'NAMED' })
        : t,
    );
    expect(checkTemplates(TEMPLATES, wrong).problems[0]).toMatch(
      /uses \{\{nome\}\}, \{\{message\}\} but the configuration fills name,message/,
    );
  });
});

describe('templateMessage', () => {
  const handoff: ResolvedTemplate = {
    name: 'alcance_resposta_atendimento',
    parameters: ['name', 'message'],
    named: false,
    fixedLength: 40,
  };

  it('fills the parameters in the configured order, with the first name only', () => {
    expect(
      templateMessage(
        { kind: 'handoff-reply', name: 'Maria Souza', message: 'Temos horário amanhã\ncedo.' },
        handoff,
        'pt_BR',
      ),
    ).toEqual({
      type: 'template',
      name: 'alcance_resposta_atendimento',
      language: 'pt_BR',
      parameters: ['Maria', 'Temos horário amanhã cedo.'],
    });
  });

  it('formats the expiry date in Brasília time and names parameters for named templates', () => {
    const message = templateMessage(
      { kind: 'reservation-expiring', expiresAt: new Date('2026-03-10T02:00:00Z') },
      { name: 'r', parameters: ['expires_at', 'name'], named: true, fixedLength: 30 },
      'pt_BR',
    );
    expect(message.parameters).toEqual(['09/03/2026', 'cliente']);
    expect(message.names).toEqual(['expires_at', 'name']);
  });

  it('shortens a long reply so the whole body stays within 1024 characters', () => {
    const message = templateMessage(
      { kind: 'handoff-reply', name: 'Ana', message: 'palavra '.repeat(300) },
      handoff,
      'pt_BR',
    );
    const total = handoff.fixedLength + message.parameters.reduce((n, p) => n + p.length, 0);
    expect(total).toBeLessThanOrEqual(1024);
    expect(message.parameters[1]).toMatch(/…$/);
  });
});

describe('sanitizeParameter', () => {
  it('removes what Meta refuses in parameters', () => {
    expect(sanitizeParameter('linha 1\n\nlinha 2\tfim     x')).toBe('linha 1 linha 2 fim x');
    expect(sanitizeParameter('   ')).toBe('-');
    expect(sanitizeParameter('abcdef', 4)).toBe('abc…');
  });
});

describe('noticeText', () => {
  it('writes each notice in Portuguese for an open window', () => {
    expect(
      noticeText({
        kind: 'reservation-expiring',
        name: 'João',
        expiresAt: new Date('2026-03-10T15:00:00Z'),
      }),
    ).toMatch(/^Olá, João! .*10\/03\/2026.*"atendente"/);
    expect(noticeText({ kind: 'fibre-available', address: 'Rua das Flores, 10' })).toMatch(
      /^Olá, cliente! Boa notícia: a fibra chegou em Rua das Flores, 10/,
    );
    expect(noticeText({ kind: 'handoff-reply', message: 'Pode sim!' })).toBe('Pode sim!');
  });
});
