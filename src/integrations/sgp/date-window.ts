// SGP's date filters are day-granular (AAAA-MM-DD, São Paulo calendar) and come in pairs: an
// `x_inicio` without its `x_fim` (or the reverse) is a 400. A window is therefore one value.

export type SgpDateField = 'data_cadastro' | 'data_alteracao' | 'data_contrato_status';

export interface DayWindow {
  field: SgpDateField;
  /** First day, inclusive, AAAA-MM-DD. */
  from: string;
  /** Last day, inclusive, AAAA-MM-DD. */
  to: string;
}

export const SGP_TIME_ZONE = 'America/Sao_Paulo';

const DAY_MS = 86_400_000;
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: SGP_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The São Paulo calendar day of an instant, AAAA-MM-DD. */
export function sgpDay(at: Date): string {
  return dayFormat.format(at);
}

/** The days from `since` (minus `marginDays`, for late writes on SGP's side) to `until`. */
export function dayWindow(
  field: SgpDateField,
  since: Date,
  until: Date,
  marginDays = 1,
): DayWindow {
  const from = sgpDay(new Date(since.getTime() - marginDays * DAY_MS));
  const to = sgpDay(until);
  return { field, from: from <= to ? from : to, to };
}

/** The pair of parameters SGP expects for a window. */
export function windowParams(w: DayWindow): Record<string, string> {
  return { [`${w.field}_inicio`]: w.from, [`${w.field}_fim`]: w.to };
}
