import { maskPii } from '../../../logger.js';
import type { Doc } from './common.js';

// What a key without the `pii` scope must not read in clear: CPF/CNPJ, phone, e-mail, and the
// chat id (a phone number on WhatsApp), wherever they sit in a customer document.
const PERSONAL_KEYS = new Set(['document', 'cpf', 'cnpj', 'phone', 'telefone', 'email', 'chatId']);
// Caller context (`reservation`, `meta`) is free-form: its other texts are masked by pattern too.
const FREE_FORM_KEYS = new Set(['reservation', 'meta', 'answers']);
const MAX_DEPTH = 6;

/** `maria@example.com` → `m***@example.com`; other values keep their last two characters. */
export function maskValue(key: string, value: string): string {
  if (key === 'email') {
    const at = value.lastIndexOf('@');
    return at > 0 ? `${value[0]}***${value.slice(at)}` : '***';
  }
  return value.replace(/[\p{L}\p{N}](?=[\s\S]{2})/gu, '*');
}

function mask(value: unknown, key: string, freeForm: boolean, depth: number): unknown {
  if (typeof value === 'string') {
    if (PERSONAL_KEYS.has(key)) return maskValue(key, value);
    return freeForm ? maskPii(value) : value;
  }
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, key, freeForm, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      mask(v, k, freeForm || FREE_FORM_KEYS.has(k), depth + 1),
    ]),
  );
}

/** A copy of a customer document (client, property with its client, prospect) for a key without `pii`. */
export function maskPersonalData(doc: Doc): Doc {
  return mask(doc, '', false, 0) as Doc;
}
