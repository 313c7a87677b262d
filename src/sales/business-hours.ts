// When the sales team answers chats: "seg-sex 08:00-18:00; sab 08:00-12:00" in a time zone.
// Pure: no clock, no I/O; every function takes the instant it is asked about.

/** Minutes since local midnight, [start, end) per weekday (0 = Sunday). */
export interface BusinessHours {
  timeZone: string;
  days: Array<Array<[number, number]>>;
  /** Open all the time ("24x7"). */
  always: boolean;
}

const DAY_NAMES: Record<string, number> = {
  dom: 0,
  domingo: 0,
  sun: 0,
  seg: 1,
  segunda: 1,
  mon: 1,
  ter: 2,
  terca: 2,
  tue: 2,
  qua: 3,
  quarta: 3,
  wed: 3,
  qui: 4,
  quinta: 4,
  thu: 4,
  sex: 5,
  sexta: 5,
  fri: 5,
  sab: 6,
  sabado: 6,
  sat: 6,
};

const PT_DAYS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'];

export class BusinessHoursError extends Error {}

function dayOf(name: string): number {
  const key = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const day = DAY_NAMES[key];
  if (day === undefined)
    throw new BusinessHoursError(`unknown day "${name}" (use dom, seg, ter, qua, qui, sex, sab)`);
  return day;
}

function minutesOf(hhmm: string): number {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(hhmm.trim());
  const h = Number(m?.[1]);
  const min = Number(m?.[2] ?? 0);
  if (!m || h > 24 || min > 59 || (h === 24 && min > 0))
    throw new BusinessHoursError(`bad time "${hhmm}" (use HH:MM)`);
  return h * 60 + min;
}

/** "seg-sex 08:00-18:00; sab 08:00-12:00", "24x7", or "" (same as 24x7). */
export function parseBusinessHours(text: string, timeZone: string): BusinessHours {
  assertTimeZone(timeZone);
  const days: Array<Array<[number, number]>> = Array.from({ length: 7 }, () => []);
  const spec = text.trim().toLowerCase();
  if (spec === '' || spec === '24x7' || spec === '24/7') return { timeZone, days, always: true };
  for (const part of spec
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m =
      /^([\p{L}]+)(?:\s*-\s*([\p{L}]+))?\s+(\d{1,2}(?::\d{2})?)\s*-\s*(\d{1,2}(?::\d{2})?)$/u.exec(
        part,
      );
    if (!m) throw new BusinessHoursError(`cannot read "${part}" (example: seg-sex 08:00-18:00)`);
    const first = dayOf(m[1]!);
    const last = m[2] ? dayOf(m[2]) : first;
    const start = minutesOf(m[3]!);
    const end = minutesOf(m[4]!);
    if (end <= start) throw new BusinessHoursError(`"${part}": the end must come after the start`);
    for (let d = first; ; d = (d + 1) % 7) {
      days[d]!.push([start, end]);
      if (d === last) break;
    }
  }
  for (const list of days) list.sort((a, b) => a[0] - b[0]);
  return { timeZone, days, always: false };
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new BusinessHoursError(`unknown time zone "${timeZone}"`);
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The instant when the wall clock in `timeZone` shows that local date and minute. */
function instantOf(
  year: number,
  month: number,
  day: number,
  minutes: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const seen = localTime(new Date(guess), timeZone);
    const seenWall = Date.UTC(seen.year, seen.month - 1, seen.day, 0, seen.minutes);
    const diff = wall - seenWall;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  if (hours.always) return true;
  const t = localTime(at, hours.timeZone);
  return hours.days[t.weekday]!.some(([s, e]) => t.minutes >= s && t.minutes < e);
}

/** The next moment the team is in (now when open); undefined when no day has hours. */
export function nextOpening(hours: BusinessHours, at: Date): Date | undefined {
  if (isOpen(hours, at)) return at;
  const t = localTime(at, hours.timeZone);
  for (let offset = 0; offset <= 7; offset++) {
    const day = new Date(Date.UTC(t.year, t.month - 1, t.day + offset));
    const weekday = (t.weekday + offset) % 7;
    for (const [start] of hours.days[weekday]!) {
      if (offset === 0 && start <= t.minutes) continue;
      return instantOf(
        day.getUTCFullYear(),
        day.getUTCMonth() + 1,
        day.getUTCDate(),
        start,
        hours.timeZone,
      );
    }
  }
  return undefined;
}

/**
 * Business time elapsed between two instants, in ms (only minutes inside the hours count): how
 * long a customer has really waited for the team.
 */
export function openMsBetween(hours: BusinessHours, from: Date, to: Date): number {
  if (to <= from) return 0;
  if (hours.always) return to.getTime() - from.getTime();
  let total = 0;
  let cursor = from;
  for (let guard = 0; guard < 400 && cursor < to; guard++) {
    const opening = nextOpening(hours, cursor);
    if (!opening || opening >= to) break;
    const closing = closingAfter(hours, opening);
    const end = closing < to ? closing : to;
    total += end.getTime() - opening.getTime();
    cursor = end;
  }
  return total;
}

/** When the interval open at `at` ends. */
function closingAfter(hours: BusinessHours, at: Date): Date {
  const t = localTime(at, hours.timeZone);
  const interval = hours.days[t.weekday]!.find(([s, e]) => t.minutes >= s && t.minutes < e);
  const end = interval ? interval[1] : t.minutes + 1;
  return instantOf(t.year, t.month, t.day, end, hours.timeZone);
}

function hourText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h}h${String(m).padStart(2, '0')}` : `${h}h`;
}

/** "de segunda a sexta, das 8h às 18h; sábado, das 8h às 12h" */
export function describeHours(hours: BusinessHours): string {
  if (hours.always) return 'todos os dias, 24 horas';
  const groups: Array<{ first: number; last: number; key: string }> = [];
  for (let d = 1; d <= 7; d++) {
    const day = d % 7;
    const list = hours.days[day]!;
    if (list.length === 0) continue;
    const key = list.map(([s, e]) => `das ${hourText(s)} às ${hourText(e)}`).join(' e ');
    const prev = groups[groups.length - 1];
    if (prev && prev.key === key && (prev.last + 1) % 7 === day) prev.last = day;
    else groups.push({ first: day, last: day, key });
  }
  return groups
    .map((g) =>
      g.first === g.last
        ? `${PT_DAYS[g.first]}, ${g.key}`
        : `de ${PT_DAYS[g.first]} a ${PT_DAYS[g.last]}, ${g.key}`,
    )
    .join('; ');
}

/** Local midnight of the day `at` falls on, in `timeZone`. */
export function startOfDay(at: Date, timeZone: string): Date {
  const t = localTime(at, timeZone);
  return instantOf(t.year, t.month, t.day, 0, timeZone);
}

/** Local midnight of a "YYYY-MM-DD" date in `timeZone`; undefined when it is not a date. */
export function dayStart(text: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  return instantOf(y, mo, d, 0, timeZone);
}
