import { describe, expect, it } from 'vitest';
import {
  normalize,
  parseCommand,
  parseOption,
  parseYesNo,
} from '../../src/bot/conversation/parse.js';
import {
  formatPhone,
  parseBrazilianPhone,
  parseCpf,
  parseEmail,
  parseFullName,
} from '../../src/bot/conversation/validate.js';

describe('reading what the customer typed', () => {
  it('normalises accents, case, spaces and surrounding punctuation', () => {
    expect(normalize('  Não,   OBRIGADO!! ')).toBe('nao, obrigado');
    expect(normalize('Início 🙂')).toBe('inicio');
  });

  it.each([
    ['Menu', 'menu'],
    [' VOLTAR ', 'back'],
    ['cancela', 'cancel'],
    ['Cancelar.', 'cancel'],
    ['atendente', 'human'],
    ['Falar com um atendente', 'human'],
    ['tentar de novo', 'retry'],
  ])('%j is the command %s', (text, command) => {
    expect(parseCommand(text)).toBe(command);
  });

  it('does not take ordinary answers for commands', () => {
    expect(parseCommand('Maria Menuzzi')).toBeUndefined();
    expect(parseCommand('voltar amanhã')).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['1.', 1],
    ['1)', 1],
    ['2 -', 2],
    ['opção 2', 2],
    ['3', undefined],
    ['0', undefined],
    ['Não, obrigado', 2],
  ])('option %j → %s', (text, option) => {
    expect(parseOption(text, ['Sim, quero', 'Não, obrigado'])).toBe(option);
  });

  it.each([
    ['sim', true],
    ['S', true],
    ['ok', true],
    ['Claro!', true],
    ['👍', true],
    ['sim, pode usar', true],
    ['não', false],
    ['N', false],
    ['nao, obrigado', false],
    ['talvez', undefined],
  ])('yes/no %j → %s', (text, answer) => {
    expect(parseYesNo(text)).toBe(answer);
  });
});

describe('validating the data collected in chat', () => {
  it('accepts full names and title-cases them', () => {
    expect(parseFullName('  maria   DA silva ')).toBe('Maria da Silva');
    expect(parseFullName("Joana D'Arc")).toBe("Joana D'arc");
    expect(parseFullName('José Ávila-Souza')).toBe('José Ávila-souza');
  });

  it.each(['Maria', 'M S', 'Maria 2', 'maria@silva.com', ''])('rejects the name %j', (name) => {
    expect(parseFullName(name)).toBeUndefined();
  });

  it.each([
    ['(44) 99876-5432', '5544998765432'],
    ['+55 44 99876-5432', '5544998765432'],
    ['44998765432', '5544998765432'],
    ['044 99876-5432', '5544998765432'],
    ['(11) 3333-4444', '551133334444'],
    ['554498765432', '5544998765432'],
  ])('phone %j → %s', (text, e164) => {
    expect(parseBrazilianPhone(text)).toBe(e164);
  });

  it.each(['(20) 99999-1234', '(44) 89999-1234', '(44) 1999-1234', '9999-1234', 'abc', ''])(
    'rejects the phone %j',
    (text) => {
      expect(parseBrazilianPhone(text)).toBeUndefined();
    },
  );

  it('formats phones for display', () => {
    expect(formatPhone('5544998765432')).toBe('(44) 99876-5432');
    expect(formatPhone('551133334444')).toBe('(11) 3333-4444');
  });

  it('checks CPF digits and rejects all-same-digit CPFs', () => {
    expect(parseCpf('529.982.247-25')).toBe('52998224725');
    expect(parseCpf('39053344705')).toBe('39053344705');
    expect(parseCpf('529.982.247-26')).toBeUndefined();
    expect(parseCpf('000.000.000-00')).toBeUndefined();
    expect(parseCpf('999.999.999-99')).toBeUndefined();
    expect(parseCpf('5299822472')).toBeUndefined();
    expect(parseCpf('529.982.247-2a')).toBeUndefined();
  });

  it('validates and lower-cases e-mails', () => {
    expect(parseEmail(' Maria.Silva+fibra@Example.com.br ')).toBe(
      'maria.silva+fibra@example.com.br',
    );
    for (const bad of [
      'maria',
      'maria@',
      '@example.com',
      'maria@example',
      'a b@example.com',
      '.maria@example.com',
    ]) {
      expect(parseEmail(bad), bad).toBeUndefined();
    }
  });
});
