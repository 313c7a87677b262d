// The sales workspace: one page, a view per #route, live through server-sent events. Everything
// personal it shows comes from /sales/api with the signed-in user's session cookie.
import 'leaflet/dist/leaflet.css';
import '../shared/base.css';
import './style.css';
import type { HandoffView } from '../../src/sales/handoffs.js';
import type { LiveEvent } from '../../src/sales/live.js';
import type { SalesPageConfig } from '../../src/sales/page.js';
import { readPageConfig } from '../shared/map.js';
import { get, post, setCsrf, SIGNED_OUT } from './api.js';
import { $, h } from './dom.js';
import { setTimeZone } from './format.js';
import { toast } from './ui.js';
import { adminView } from './views/admin.js';
import { auditView } from './views/audit.js';
import { handoffDetail, handoffList } from './views/handoffs.js';
import { loginView, type SignedIn } from './views/login.js';
import { leaveMap, mapView, refreshMap } from './views/map.js';
import { prospectDetail, prospectList } from './views/prospects.js';
import { reservationDetail, reservationList } from './views/reservations.js';
import { todayView } from './views/today.js';

const config = readPageConfig<SalesPageConfig>(
  'sales-config',
  '<p style="padding:1rem">Página incompleta. Recarregue.</p>',
  'missing #sales-config',
);
setTimeZone(config);

let me: SignedIn['user'] | undefined;
let stream: EventSource | undefined;

function parseHash(): { parts: string[]; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(search) };
}

async function route(): Promise<void> {
  if (!me) return;
  const { parts, params } = parseHash();
  const [section = 'hoje', id] = parts;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (section !== 'mapa') leaveMap();
  switch (section) {
    case 'reservas':
      return id ? reservationDetail(id) : reservationList(params);
    case 'prospects':
      return id ? prospectDetail(id) : prospectList(params);
    case 'atendimento':
      return id ? handoffDetail(id, me) : handoffList(config.businessHours);
    case 'mapa':
      return mapView(config);
    case 'auditoria':
      return auditView(params);
    case 'admin':
      return me.role === 'admin' ? adminView() : todayView();
    default:
      return todayView();
  }
}

/** Re-renders the current view after a live event, unless the user is typing in it. */
let pending: number | undefined;
function refreshSoon(event: LiveEvent): void {
  const { parts } = parseHash();
  const [section = 'hoje', id] = parts;
  if (section === 'mapa') return refreshMap();
  const typing =
    document.activeElement instanceof HTMLTextAreaElement ||
    document.activeElement instanceof HTMLInputElement;
  if (typing && section !== 'hoje') return;
  // A detail view refreshes only for its own subject.
  if (id && event.subjectId !== id) return;
  if (section === 'admin' || section === 'auditoria') return;
  window.clearTimeout(pending);
  pending = window.setTimeout(() => void route(), 250);
}

const ANNOUNCE: Record<string, string> = {
  'reservation.created': 'Nova reserva chegou.',
  'prospect.created': 'Novo prospect chegou.',
  'handoff.requested': 'Um cliente pediu para falar com uma pessoa.',
  'handoff.escalated': 'Um cliente está esperando atendente há muito tempo.',
  'reservation.released': 'Uma reserva foi liberada.',
  'reservation.confirmed': 'Uma reserva foi confirmada.',
};

async function updateBadge(): Promise<void> {
  const open = await get<HandoffView[]>('/handoffs').catch(() => undefined);
  if (!open) return;
  const waiting = open.filter((h) => h.status === 'waiting').length;
  const b = $('waiting-badge');
  b.hidden = waiting === 0;
  b.textContent = String(waiting);
  b.setAttribute('aria-label', `${waiting} aguardando`);
}

function connectLive(): void {
  stream?.close();
  const live = $('live');
  const text = $('live-text');
  live.hidden = false;
  stream = new EventSource('/sales/api/events');
  stream.addEventListener('ready', () => {
    live.classList.remove('offline');
    text.textContent = 'Ao vivo';
  });
  stream.onerror = () => {
    live.classList.add('offline');
    text.textContent = 'Reconectando…';
  };
  stream.addEventListener(
    'session-ended',
    () => void signedOut('Sua sessão terminou. Entre de novo.'),
  );
  const onEvent = (e: MessageEvent<string>) => {
    const event = JSON.parse(e.data) as LiveEvent;
    const line = ANNOUNCE[event.type];
    if (line) toast(line);
    if (event.subjectType === 'handoff') void updateBadge();
    refreshSoon(event);
  };
  for (const type of [
    'reservation.created',
    'reservation.confirmed',
    'reservation.expiring',
    'reservation.released',
    'reservation.updated',
    'reservation.note',
    'prospect.created',
    'prospect.updated',
    'prospect.note',
    'handoff.requested',
    'handoff.escalated',
    'handoff.taken',
    'handoff.message',
    'handoff.returned',
    'handoff.closed',
    'handoff.cancelled',
  ]) {
    stream.addEventListener(type, onEvent as EventListener);
  }
}

function enter(session: SignedIn): void {
  me = session.user;
  setCsrf(session.csrfToken);
  $('who').hidden = false;
  $('who-name').replaceChildren(
    me.username,
    h('span', { class: 'role' }, ` (${me.role === 'admin' ? 'administrador' : 'vendas'})`),
  );
  $('nav').hidden = false;
  $('nav-admin').hidden = me.role !== 'admin';
  connectLive();
  void updateBadge();
  void route();
}

async function signedOut(note?: string): Promise<void> {
  me = undefined;
  stream?.close();
  stream = undefined;
  $('live').hidden = true;
  $('who').hidden = true;
  $('nav').hidden = true;
  leaveMap();
  enter(await loginView(note));
}

window.addEventListener('hashchange', () => void route());
window.addEventListener(SIGNED_OUT, () => {
  if (me) void signedOut('Sua sessão expirou. Entre de novo para continuar.');
});
$('logout').addEventListener('click', () => {
  void post('/logout').finally(() => void signedOut());
});

get<SignedIn>('/session').then(enter, () => void signedOut());
