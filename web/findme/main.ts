// FindME page: the customer finds their home (GPS, address search or a tap), fine-tunes the pin
// and confirms. Everything it needs arrives in the served HTML (#findme-config); it talks only to
// /findme/api on the same origin, with the link token in a header.
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './style.css';
import type { FindMePageConfig } from '../../src/findme/pages.js';
import { byId as $, createMap, onExpiry, pinIcon, readPageConfig } from '../shared/map.js';

interface Point {
  lat: number;
  lng: number;
}

const API = '/findme/api';
const API_TIMEOUT_MS = 12_000;
const CLOSE_ZOOM = 18;
const KEY_STEP_PX = 8;

const ui = {
  form: $<HTMLFormElement>('search'),
  q: $<HTMLInputElement>('q'),
  searchButton: $<HTMLButtonElement>('search-button'),
  searchHelp: $('search-help'),
  results: $<HTMLUListElement>('results'),
  gps: $<HTMLButtonElement>('gps'),
  layer: $<HTMLButtonElement>('layer'),
  status: $('status'),
  address: $('address'),
  error: $('error'),
  confirm: $<HTMLButtonElement>('confirm'),
  done: $('done'),
  doneAddress: $('done-address'),
  doneCoords: $('done-coords'),
  doneViability: $('done-viability'),
  doneRoute: $('done-route'),
};

const config = readPageConfig<FindMePageConfig>(
  'findme-config',
  '<main class="fatal"><h1>Link inválido</h1><p>Abra o link que recebeu na conversa.</p></main>',
  'FindME config missing',
);
const map = createMap({
  center: [config.center.lat, config.center.lng],
  zoom: config.zoom,
  tiles: config.tiles,
  layerButton: ui.layer,
});
const pin = pinIcon();

let marker: L.Marker | undefined;
let chosen: { point: Point; address?: string } | undefined;
let reverseRequest: AbortController | undefined;
let reverseTimer: number | undefined;
let finished = false;

function say(text: string): void {
  ui.status.textContent = text;
}

function showError(text: string | undefined): void {
  ui.error.textContent = text ?? '';
  ui.error.hidden = !text;
}

/** Calls our API; resolves with the status and JSON body, or status 0 when offline or too slow. */
async function api<T>(
  path: string,
  init: RequestInit = {},
  signal?: AbortSignal,
): Promise<{ status: number; body: T & { message?: string } }> {
  const timeout = AbortSignal.timeout(API_TIMEOUT_MS);
  try {
    const res = await fetch(`${API}${path}`, {
      ...init,
      headers: { 'X-FindMe-Token': config.token, ...(init.headers ?? {}) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const body = (await res.json().catch(() => ({}))) as T & { message?: string };
    return { status: res.status, body };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { status: 0, body: {} as T & { message?: string } };
  }
}

/** Moves the pin (creating it on first use) and remembers the point; looks up its address. */
function place(point: Point, address?: string): void {
  if (finished) return;
  if (!marker) {
    marker = L.marker(point, {
      icon: pin,
      draggable: true,
      keyboard: true,
      autoPan: true,
      title: 'Sua casa: arraste para ajustar',
    }).addTo(map);
    marker.on('dragend', () => place(marker!.getLatLng()));
    const el = marker.getElement();
    el?.setAttribute('aria-label', 'Marcador da sua casa. Use as setas para ajustar.');
    el?.addEventListener('keydown', nudge);
  } else {
    marker.setLatLng(point);
  }
  chosen = { point: { lat: point.lat, lng: point.lng }, address };
  ui.confirm.disabled = false;
  showError(undefined);
  if (address) {
    ui.address.textContent = address;
  } else {
    ui.address.textContent = 'buscando endereço…';
    lookUpAddress(chosen.point);
  }
}

/** Arrow keys move the focused pin a few pixels (Shift: one pixel). */
function nudge(event: KeyboardEvent): void {
  const moves: Record<string, [number, number]> = {
    ArrowUp: [0, -1],
    ArrowDown: [0, 1],
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
  };
  const move = moves[event.key];
  if (!move || !marker) return;
  event.preventDefault();
  const step = event.shiftKey ? 1 : KEY_STEP_PX;
  const at = map.latLngToContainerPoint(marker.getLatLng());
  place(map.containerPointToLatLng([at.x + move[0] * step, at.y + move[1] * step]));
}

function lookUpAddress(point: Point): void {
  reverseRequest?.abort();
  window.clearTimeout(reverseTimer);
  if (!config.searchEnabled) {
    ui.address.textContent = 'não disponível (o ponto no mapa é o que vale)';
    return;
  }
  const controller = new AbortController();
  reverseRequest = controller;
  // Wait for the pin to settle: the upstream geocoder allows one request per second.
  reverseTimer = window.setTimeout(() => {
    const query = `?lat=${point.lat.toFixed(6)}&lng=${point.lng.toFixed(6)}`;
    api<{ address?: string | null }>(`/reverse${query}`, {}, controller.signal)
      .then(({ status, body }) => {
        if (chosen?.point !== point) return;
        if (status === 200 && body.address) {
          chosen.address = body.address;
          ui.address.textContent = body.address;
        } else {
          ui.address.textContent = 'não encontrado (tudo bem: o ponto no mapa é o que vale)';
        }
      })
      .catch(() => undefined);
  }, 500);
}

function locate(): void {
  if (!('geolocation' in navigator) || !window.isSecureContext) {
    say('Seu navegador não informa a localização. Busque seu endereço ou toque no mapa.');
    return;
  }
  say('Procurando sua localização…');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      const point = { lat: pos.coords.latitude, lng: pos.coords.longitude };
      map.setView(point, CLOSE_ZOOM);
      place(point);
      const metres = Math.round(pos.coords.accuracy);
      say(
        metres > 50
          ? `Localização aproximada (cerca de ${metres} m). Arraste o marcador até a sua casa.`
          : 'Achamos você! Confira o marcador e arraste para ajustar, se precisar.',
      );
    },
    (err) => {
      say(
        err.code === err.PERMISSION_DENIED
          ? 'Sem acesso à sua localização. Tudo bem: busque seu endereço acima ou toque no mapa para marcar sua casa.'
          : 'Não conseguimos obter sua localização agora. Busque seu endereço acima ou toque no mapa.',
      );
    },
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
  );
}

async function search(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const q = ui.q.value.trim();
  if (q.length < 3) {
    say('Digite um endereço com pelo menos 3 letras.');
    ui.q.focus();
    return;
  }
  ui.searchButton.disabled = true;
  say('Buscando endereço…');
  const { status, body } = await api<{ results?: Array<{ label: string; point: Point }> }>(
    `/search?q=${encodeURIComponent(q)}`,
  );
  ui.searchButton.disabled = false;
  ui.results.replaceChildren();
  ui.results.hidden = true;
  if (status !== 200 || !body.results) {
    say(body.message ?? 'A busca não respondeu. Use o GPS ou toque no mapa para marcar sua casa.');
    return;
  }
  if (body.results.length === 0) {
    say('Nenhum endereço encontrado. Inclua o bairro e a cidade, ou toque no mapa.');
    return;
  }
  for (const result of body.results) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = result.label;
    button.addEventListener('click', () => pick(result));
    const item = document.createElement('li');
    item.append(button);
    ui.results.append(item);
  }
  ui.results.hidden = false;
  const n = body.results.length;
  say(n === 1 ? '1 endereço encontrado.' : `${n} endereços encontrados. Escolha o seu.`);
  ui.results.querySelector('button')?.focus();
}

function pick(result: { label: string; point: Point }): void {
  ui.results.hidden = true;
  ui.results.replaceChildren();
  map.setView(result.point, CLOSE_ZOOM);
  place(result.point, result.label);
  say('Confira o marcador e arraste até a sua casa, se precisar.');
  marker?.getElement()?.focus();
}

async function confirm(): Promise<void> {
  if (!chosen || finished) return;
  const { point, address } = chosen;
  ui.confirm.disabled = true;
  ui.confirm.textContent = 'Enviando…';
  showError(undefined);
  const { status, body } = await api<{
    address?: string;
    viable?: boolean;
    route?: Array<[number, number]>;
    routeLength?: number;
  }>('/confirm', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: config.token, lat: point.lat, lng: point.lng, address }),
  });
  ui.confirm.textContent = 'Confirmar localização';
  if (status === 200) {
    if (body.viable && body.route) drawRoute(body.route, body.routeLength);
    return finish(point, body.address ?? address, body.viable);
  }
  showError(body.message ?? 'Sem conexão. Verifique sua internet e tente de novo.');
  // A used or expired link cannot be confirmed again; anything else may be retried.
  ui.confirm.disabled = status === 409 || status === 410 || status === 401;
}

let routeLine: L.Polyline | undefined;

/** Pole mode: the way the drop cable would take along the poles, from the home to the box. */
function drawRoute(route: Array<[number, number]>, length: number | undefined): void {
  const line = (routeLine = L.polyline(
    route.map(([lng, lat]) => [lat, lng] as [number, number]),
    { color: '#00c853', weight: 4, opacity: 0.9, dashArray: '8 6', interactive: false },
  ).addTo(map));
  line.getElement()?.setAttribute('data-testid', 'drop-route');
  if (length !== undefined) {
    ui.doneRoute.textContent = `O cabo chega pelos postes até a caixa mais próxima: cerca de ${Math.round(length)} m.`;
    ui.doneRoute.hidden = false;
  }
}

function finish(point: Point, address: string | undefined, viable: boolean | undefined): void {
  finished = true;
  marker?.dragging?.disable();
  ui.doneAddress.textContent = address ?? 'Ponto marcado no mapa';
  ui.doneCoords.textContent = `Coordenadas: ${point.lat.toFixed(6)}, ${point.lng.toFixed(6)}`;
  if (viable !== undefined) {
    ui.doneViability.textContent = viable
      ? 'Boa notícia: nossa fibra chega até aí! Continue pela conversa para contratar.'
      : 'Ainda não temos fibra nesse ponto. Continue pela conversa: podemos avisar quando chegar.';
    ui.doneViability.dataset.viable = String(viable);
    ui.doneViability.hidden = false;
  }
  ui.done.hidden = false;
  document.body.classList.add('finished');
  // The map shrank to make room for the answer: redraw it, with the route (if any) in view.
  map.invalidateSize({ animate: false });
  if (routeLine) {
    map.fitBounds(routeLine.getBounds(), {
      padding: [24, 24],
      maxZoom: CLOSE_ZOOM,
      animate: false,
    });
  } else map.setView([point.lat, point.lng], CLOSE_ZOOM, { animate: false });
  ui.done.focus({ preventScroll: true });
}

function expire(): void {
  if (finished) return;
  ui.confirm.disabled = true;
  showError('Este link expirou. Peça um novo link na conversa.');
}

if (!config.searchEnabled) {
  ui.q.disabled = true;
  ui.searchButton.disabled = true;
  ui.searchHelp.textContent =
    'A busca de endereços não está disponível agora. Use o GPS ou toque no mapa e arraste o marcador.';
}
ui.form.addEventListener('submit', (e) => void search(e));
ui.results.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    ui.results.hidden = true;
    ui.q.focus();
  }
});
ui.gps.addEventListener('click', locate);
ui.confirm.addEventListener('click', () => void confirm());
map.on('click', (e: L.LeafletMouseEvent) => {
  place(e.latlng);
  say('Confira o marcador e arraste até a sua casa, se precisar.');
});
onExpiry(config.expiresAt, expire);
locate();
