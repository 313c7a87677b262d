import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTemplateSpec } from '../../src/config.js';

const CLOUD = {
  WHATSAPP_CLOUD_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBAKZBZCexample0token',
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_CLOUD_APP_SECRET: '0123456789abcdef0123456789abcdef',
  WHATSAPP_CLOUD_VERIFY_TOKEN: 'meu-token-de-verificacao',
  WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID: '102290129340398',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('WHATSAPP_CLOUD_* configuration', () => {
  it('is off without an access token', () => {
    expect(loadConfig({}).whatsappCloud).toBeUndefined();
  });

  it('reads the channel with its defaults: Graph API v23.0, pt_BR templates, 80 messages/s', () => {
    expect(loadConfig(CLOUD).whatsappCloud).toEqual({
      accessToken: CLOUD.WHATSAPP_CLOUD_ACCESS_TOKEN,
      phoneNumberId: '106540352242922',
      appSecret: CLOUD.WHATSAPP_CLOUD_APP_SECRET,
      verifyToken: 'meu-token-de-verificacao',
      apiBaseUrl: 'https://graph.facebook.com',
      apiVersion: 'v23.0',
      businessAccountId: '102290129340398',
      templates: {
        language: 'pt_BR',
        reservationExpiring: {
          name: 'alcance_reserva_expirando',
          parameters: ['name', 'expires_at'],
        },
        handoffReply: { name: 'alcance_resposta_atendimento', parameters: ['name', 'message'] },
        fibreAvailable: { name: 'alcance_fibra_disponivel', parameters: ['name'] },
      },
      messagesPerSecond: 80,
      reminderHours: 24,
      coverageCheckMinutes: 60,
    });
  });

  it('splits WHATSAPP_CLOUD_API_ROOT into base URL and version', () => {
    const c = loadConfig({
      ...CLOUD,
      WHATSAPP_CLOUD_API_ROOT: 'http://127.0.0.1:4010/v24.0/',
    }).whatsappCloud;
    expect(c).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:4010', apiVersion: 'v24.0' });
    expect(problemsOf({ ...CLOUD, WHATSAPP_CLOUD_API_ROOT: 'https://graph.facebook.com' })).toEqual(
      ['WHATSAPP_CLOUD_API_ROOT: must end with the Graph API version, e.g. /v23.0'],
    );
  });

  it('names every value missing beside the token', () => {
    expect(problemsOf({ WHATSAPP_CLOUD_ACCESS_TOKEN: CLOUD.WHATSAPP_CLOUD_ACCESS_TOKEN })).toEqual([
      'WHATSAPP_CLOUD_PHONE_NUMBER_ID: required when WHATSAPP_CLOUD_ACCESS_TOKEN is set',
      'WHATSAPP_CLOUD_APP_SECRET: required when WHATSAPP_CLOUD_ACCESS_TOKEN is set',
      'WHATSAPP_CLOUD_VERIFY_TOKEN: required when WHATSAPP_CLOUD_ACCESS_TOKEN is set',
      'WHATSAPP_CLOUD_BUSINESS_ACCOUNT_ID: required when WHATSAPP_CLOUD_ACCESS_TOKEN is set',
    ]);
  });

  it('takes templates as name:parameters and refuses what cannot work', () => {
    const c = loadConfig({
      ...CLOUD,
      WHATSAPP_CLOUD_TEMPLATE_LANGUAGE: 'es',
      WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY: 'resposta_equipe:message',
      WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE: 'fibra_chegou',
    }).whatsappCloud;
    expect(c?.templates).toMatchObject({
      language: 'es',
      handoffReply: { name: 'resposta_equipe', parameters: ['message'] },
      fibreAvailable: { name: 'fibra_chegou', parameters: [] },
    });
    expect(
      problemsOf({
        ...CLOUD,
        WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY: 'resposta:name',
        WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING: 'Reserva Expirando:name',
        WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE: 'fibra:name,plano',
      }),
    ).toEqual([
      'WHATSAPP_CLOUD_TEMPLATE_RESERVATION_EXPIRING: "Reserva Expirando" is not a template name (lower case letters, digits and _)',
      'WHATSAPP_CLOUD_TEMPLATE_HANDOFF_REPLY: must include message',
      'WHATSAPP_CLOUD_TEMPLATE_FIBRE_AVAILABLE: unknown parameter plano (use name, address)',
    ]);
  });

  it('refuses malformed values', () => {
    const problems = problemsOf({
      ...CLOUD,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: '+55 44 3030-0000',
      WHATSAPP_CLOUD_VERIFY_TOKEN: 'curto',
      WHATSAPP_CLOUD_MESSAGES_PER_SECOND: '5000',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
      'WHATSAPP_CLOUD_VERIFY_TOKEN',
      'WHATSAPP_CLOUD_MESSAGES_PER_SECOND',
    ]);
  });
});

describe('parseTemplateSpec', () => {
  it('keeps the order of the parameters', () => {
    expect(parseTemplateSpec('t:expires_at,name', ['name', 'expires_at'])).toEqual({
      name: 't',
      parameters: ['expires_at', 'name'],
    });
    expect(parseTemplateSpec('t:name,name', ['name'])).toBe('a parameter is listed twice');
    expect(parseTemplateSpec('t:a:b', ['a'])).toBe('write it as template_name:param,param');
  });
});
