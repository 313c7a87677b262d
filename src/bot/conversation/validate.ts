// Validation of the data collected in chat. Each function returns the normalised value, or
// undefined when the input is not acceptable.

/** At least two words made of letters (accents, apostrophes and hyphens allowed). */
export function parseFullName(text: string): string | undefined {
  const name = text.trim().replace(/\s+/g, ' ');
  if (name.length < 5 || name.length > 120) return undefined;
  const words = name.split(' ');
  if (words.length < 2) return undefined;
  const word = /^\p{L}+(?:['’.-]\p{L}*)*$/u;
  if (!words.every((w) => word.test(w))) return undefined;
  if (words.filter((w) => w.replace(/[^\p{L}]/gu, '').length >= 2).length < 2) return undefined;
  return words.map(capitalise).join(' ');
}

const LOWER_PARTICLES = new Set(['da', 'de', 'do', 'das', 'dos', 'e']);

function capitalise(word: string): string {
  const lower = word.toLocaleLowerCase('pt-BR');
  if (LOWER_PARTICLES.has(lower)) return lower;
  return lower.charAt(0).toLocaleUpperCase('pt-BR') + lower.slice(1);
}

// Area codes (DDD) in use in Brazil.
const DDD = new Set([
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43,
  44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77,
  79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
]);

/**
 * A Brazilian phone with DDD: mobile (9 + 8 digits) or landline (8 digits starting 2–5), with or
 * without +55 and punctuation. Returns E.164 digits ("5544999991234"). An 8-digit number starting
 * 6–9 is a mobile written without its ninth digit (old WhatsApp ids look like that): the 9 is added.
 */
export function parseBrazilianPhone(text: string): string | undefined {
  if (/[^\d\s()+.-]/.test(text.trim())) return undefined;
  let digits = text.replace(/\D/g, '');
  if (digits.startsWith('0')) digits = digits.slice(1);
  if ((digits.length === 12 || digits.length === 13) && digits.startsWith('55')) {
    digits = digits.slice(2);
  }
  if (digits.length !== 10 && digits.length !== 11) return undefined;
  const ddd = Number(digits.slice(0, 2));
  if (!DDD.has(ddd)) return undefined;
  let subscriber = digits.slice(2);
  if (subscriber.length === 9) {
    if (!subscriber.startsWith('9')) return undefined;
  } else if (/^[6-9]/.test(subscriber)) {
    subscriber = `9${subscriber}`;
  } else if (!/^[2-5]/.test(subscriber)) {
    return undefined;
  }
  return `55${ddd}${subscriber}`;
}

/** "5544999991234" → "(44) 99999-1234". */
export function formatPhone(e164: string): string {
  const local = e164.startsWith('55') ? e164.slice(2) : e164;
  const ddd = local.slice(0, 2);
  const rest = local.slice(2);
  const split = rest.length - 4;
  return `(${ddd}) ${rest.slice(0, split)}-${rest.slice(split)}`;
}

/** CPF with valid check digits, formatted or not; all-same-digit CPFs are rejected. */
export function parseCpf(text: string): string | undefined {
  if (/[^\d\s.-]/.test(text.trim())) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length !== 11 || /^(\d)\1{10}$/.test(digits)) return undefined;
  const numbers = [...digits].map(Number);
  const check = (length: number): number => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += (numbers[i] ?? 0) * (length + 1 - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return check(9) === numbers[9] && check(10) === numbers[10] ? digits : undefined;
}

/** "12345678909" → "123.456.789-09". */
export function formatCpf(digits: string): string {
  return digits.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4');
}

export function parseEmail(text: string): string | undefined {
  const email = text.trim().toLowerCase();
  if (email.length > 254) return undefined;
  const ok =
    /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$/;
  if (!ok.test(email)) return undefined;
  const local = email.slice(0, email.indexOf('@'));
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  return email;
}
