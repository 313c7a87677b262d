// Masks for CPF, phone and e-mail where the reader was not given personal data (a webhook
// without `includePii`). Enough is left to recognise a customer one already knows.

/** "12345678909" → "***.456.789-**" */
export function maskDocument(value: string | null): string | null {
  if (!value) return value;
  const digits = value.replace(/\D/g, '');
  if (digits.length === 11) return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
  if (digits.length === 14) return `**.${digits.slice(2, 5)}.${digits.slice(5, 8)}/****-**`;
  return '***';
}

/** "5544999991234" → "55 44 *****-1234" */
export function maskPhone(value: string | null): string | null {
  if (!value) return value;
  const digits = value.replace(/\D/g, '');
  if (digits.length < 8) return '***';
  const last = digits.slice(-4);
  const head = digits.length >= 12 ? `${digits.slice(0, 2)} ${digits.slice(2, 4)} ` : '';
  return `${head}*****-${last}`;
}

/** "maria.souza@example.com" → "m***@example.com" */
export function maskEmail(value: string | null): string | null {
  if (!value) return value;
  const at = value.lastIndexOf('@');
  if (at < 1) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

/** A copy with `document`, `phone` and `email` masked wherever they sit. */
export function maskPersonalData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => maskPersonalData(v)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'document' && (typeof v === 'string' || v === null)) out[k] = maskDocument(v);
    else if (k === 'phone' && (typeof v === 'string' || v === null)) out[k] = maskPhone(v);
    else if (k === 'email' && (typeof v === 'string' || v === null)) out[k] = maskEmail(v);
    else if (k === 'chatId' && typeof v === 'string') out[k] = null;
    else out[k] = maskPersonalData(v);
  }
  return out as T;
}
