import { describe, expect, it } from 'vitest';
import { formatMenu, splitText } from './menu.js';

describe('formatMenu', () => {
  it('appends one numbered line per option', () => {
    expect(
      formatMenu('Escolha:', [
        { key: '1', label: 'Planos' },
        { key: '2', label: 'Falar com atendente' },
      ]),
    ).toBe('Escolha:\n\n1. Planos\n2. Falar com atendente');
    expect(formatMenu('Só texto')).toBe('Só texto');
  });
});

describe('splitText', () => {
  it('keeps short texts whole and cuts long ones at line breaks, then spaces', () => {
    expect(splitText('abc', 10)).toEqual(['abc']);
    expect(splitText('', 10)).toEqual(['']);
    expect(splitText('linha um\nlinha dois', 12)).toEqual(['linha um', 'linha dois']);
    expect(splitText('palavra palavra palavra', 16)).toEqual(['palavra palavra', 'palavra']);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never cuts an emoji in half', () => {
    const pieces = splitText('📍'.repeat(7), 3);
    expect(pieces).toEqual(['📍📍📍', '📍📍📍', '📍']);
  });
});
