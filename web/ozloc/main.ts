// OZloc page for Ispbox 2: the client's point, the viable boxes around it with their free ports,
// pick one, confirm, see the reserved box, splitter and port. Everything it needs arrives in the
// served HTML (#ozloc-config); it talks only to /ozloc/api on the same origin, with the sealed
// session in a header (the raw API key never reaches this page's script).
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './style.css';
import type {
  OzlocBox,
  OzlocBoxesResponse,
  OzlocPageConfig,
  OzlocReserveResponse,
} from '../../src/integrations/ispbox/ozloc-page.js';
import { byId as $, createMap, onExpiry, pinIcon, readPageConfig } from '../shared/map.js';

const API = '/ozloc/api';
const API_TIMEOUT_MS = 15_000;
const OFFLINE = 'Sem conexão com o servidor. Verifique a internet e tente de novo.';

const ui = {
  clientCode: $('client-code'),
  clientName: $('client-name'),
  clientAddress: $('client-address'),
  geocoded: $('geocoded'),
  layer: $<HTMLButtonElement>('layer'),
  boxesTitle: $('boxes-title'),
  status: $('status'),
  error: $('error'),
  boxes: $<HTMLOListElement>('boxes'),
  refresh: $<HTMLButtonElement>('refresh'),
  dialog: $<HTMLDialogElement>('confirm'),
  cCode: $('c-code'),
  cName: $('c-name'),
  cAddress: $('c-address'),
  cBox: $('c-box'),
  confirmError: $('confirm-error'),
  confirmButton: $<HTMLButtonElement>('confirm-button'),
  cancel: $<HTMLButtonElement>('cancel'),
  done: $('done'),
  doneSummary: $('done-summary'),
  dClient: $('d-client'),
  dBox: $('d-box'),
  dSplitter: $('d-splitter'),
  dPort: $('d-port'),
  dExpires: $('d-expires'),
};

const config = readPageConfig<OzlocPageConfig>(
  'ozloc-config',
  '<main class="fatal"><h1>Página inválida</h1><p>Abra o OZloc pelo botão “Abrir OZmap” do Ispbox 2.</p></main>',
  'OZloc config missing',
);
// The opening URL carries the API key and the client's data: keep them out of the history.
history.replaceState(null, '', location.pathname);

// Quarter zoom steps, so the search radius can fill a phone's width.
const map = createMap({
  center: [config.point.lat, config.point.lng],
  zoom: 17,
  tiles: config.tiles,
  layerButton: ui.layer,
  options: { zoomSnap: 0.25 },
});

const radiusCircle = L.circle([config.point.lat, config.point.lng], {
  radius: config.radius,
  color: '#ffbf47',
  weight: 2,
  dashArray: '6 6',
  fill: false,
  interactive: false,
}).addTo(map);

L.marker([config.point.lat, config.point.lng], {
  icon: pinIcon(),
  keyboard: false,
  interactive: false,
  title: 'Ponto do cliente',
}).addTo(map);

const boxLayer = L.layerGroup().addTo(map);
// Pole mode: the chosen box's drop, drawn along the poles from the client's point.
const routeLayer = L.layerGroup().addTo(map);
const byPoles = config.mode === 'poles';
const boxMarkers = new Map<string, L.Marker>();
let chosen: OzlocBox | undefined;
let invoker: HTMLElement | undefined;
let finished = false;
let expired = false;
let loading = false;

/** Calls our API; resolves with the status and JSON body, or status 0 when offline or too slow. */
async function api<T>(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Partial<T> & { message?: string } }> {
  try {
    const res = await fetch(`${API}${path}`, {
      ...init,
      headers: { 'X-Ozloc-Session': config.session, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Partial<T> & { message?: string };
    return { status: res.status, body };
  } catch {
    return { status: 0, body: {} };
  }
}

function say(text: string): void {
  ui.status.textContent = text;
}

function showError(el: HTMLElement, text: string | undefined): void {
  el.textContent = text ?? '';
  el.hidden = !text;
}

/** "45 m", "1,2 km". */
function distanceText(metres: number): string {
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} km`;
}

function portsText(n: number): string {
  return n === 1 ? '1 porta livre' : `${n} portas livres`;
}

/** "205 m pelos postes (142 m em linha reta)" in pole mode, else "142 m". */
function reachText(box: OzlocBox): string {
  if (!byPoles || box.straightDistance === undefined) return distanceText(box.distance);
  return `${distanceText(box.distance)} pelos postes (${distanceText(box.straightDistance)} em linha reta)`;
}

function boxText(box: OzlocBox): string {
  return `${box.name}, a ${reachText(box)}, ${portsText(box.freePorts)}`;
}

/** Draws the drop's way to `box` along the poles (pole mode), replacing the previous one. */
function drawRoute(box: OzlocBox | undefined): void {
  routeLayer.clearLayers();
  if (!box?.route) return;
  const line = L.polyline(
    box.route.map(([lng, lat]) => [lat, lng] as [number, number]),
    { color: '#00c853', weight: 5, opacity: 0.9, interactive: false },
  ).addTo(routeLayer);
  line.getElement()?.setAttribute('data-testid', 'drop-route');
  // The poles the drop passes, small dots along the line.
  for (const [lng, lat] of box.route.slice(1, -1)) {
    L.circleMarker([lat, lng], {
      radius: 4,
      color: '#00c853',
      fillColor: '#ffffff',
      fillOpacity: 1,
      weight: 2,
      interactive: false,
    }).addTo(routeLayer);
  }
  map.fitBounds(line.getBounds().extend(radiusCircle.getBounds().getCenter()), {
    padding: [24, 24],
    maxZoom: 18,
  });
}

async function loadBoxes(): Promise<void> {
  if (loading || finished || expired) return;
  loading = true;
  ui.refresh.disabled = true;
  say('Buscando caixas…');
  const { status, body } = await api<OzlocBoxesResponse>('/boxes');
  loading = false;
  ui.refresh.disabled = expired;
  if (status !== 200 || !body.boxes) {
    say('Não foi possível carregar as caixas.');
    showError(ui.error, body.message ?? OFFLINE);
    if (status === 401 || status === 403) endSession();
    return;
  }
  showBoxes(body.boxes, body.message);
}

function showBoxes(boxes: OzlocBox[], message: string | undefined): void {
  ui.boxes.replaceChildren();
  boxLayer.clearLayers();
  boxMarkers.clear();
  for (const box of boxes) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'box';
    button.dataset.boxId = box.id;
    button.setAttribute('aria-label', `Caixa ${boxText(box)}`);
    const name = document.createElement('span');
    name.className = 'box-name';
    name.textContent = box.name;
    const distance = document.createElement('span');
    distance.className = 'box-distance';
    distance.textContent = reachText(box);
    const ports = document.createElement('span');
    ports.className = 'box-ports';
    ports.textContent = portsText(box.freePorts);
    button.append(name, distance, ports);
    button.addEventListener('click', () => openConfirm(box, button));
    const item = document.createElement('li');
    item.append(button);
    ui.boxes.append(item);

    const marker = L.marker([box.lat, box.lng], {
      icon: L.divIcon({
        className: 'box-marker',
        html: `<span class="box-badge">${box.freePorts}</span>`,
        iconSize: [34, 34],
        iconAnchor: [17, 17],
      }),
      keyboard: true,
      title: `Caixa ${boxText(box)}`,
      alt: `Caixa ${boxText(box)}`,
    }).addTo(boxLayer);
    const el = marker.getElement();
    el?.setAttribute('role', 'button');
    el?.setAttribute('aria-label', `Caixa ${boxText(box)}`);
    marker.on('click', () => openConfirm(box, el ?? button));
    boxMarkers.set(box.id, marker);
  }
  const within = byPoles
    ? `pelos postes, com drop de até ${config.maxDropLength ?? 0} m`
    : `em até ${config.radius} m`;
  if (boxes.length === 0) {
    say(message ?? 'Nenhuma caixa com porta livre perto deste ponto.');
  } else {
    say(
      boxes.length === 1
        ? `1 caixa com porta livre ${within}. Toque nela para reservar.`
        : `${boxes.length} caixas com portas livres ${within}. Toque em uma para reservar.`,
    );
  }
  drawRoute(undefined);
  const bounds = radiusCircle.getBounds();
  for (const box of boxes) bounds.extend([box.lat, box.lng]);
  map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
}

function openConfirm(box: OzlocBox, from: HTMLElement): void {
  if (finished || expired) return;
  chosen = box;
  invoker = from;
  ui.boxes.querySelectorAll<HTMLButtonElement>('button.box').forEach((button) => {
    button.setAttribute('aria-current', String(button.dataset.boxId === box.id));
  });
  for (const [id, marker] of boxMarkers) {
    marker.getElement()?.classList.toggle('chosen', id === box.id);
  }
  drawRoute(box);
  ui.cCode.textContent = config.client.code;
  ui.cName.textContent = config.client.name ?? 'não informado';
  ui.cAddress.textContent = config.client.address ?? config.geocoded?.label ?? 'não informado';
  ui.cBox.textContent = `${box.name} (${reachText(box)}, ${portsText(box.freePorts)})`;
  showError(ui.confirmError, undefined);
  ui.confirmButton.disabled = false;
  ui.confirmButton.textContent = 'Confirmar reserva';
  ui.dialog.showModal();
  ui.confirmButton.focus();
}

function closeConfirm(): void {
  if (ui.dialog.open) ui.dialog.close();
}

async function reserve(): Promise<void> {
  if (!chosen || finished) return;
  const box = chosen;
  ui.confirmButton.disabled = true;
  ui.confirmButton.textContent = 'Reservando…';
  showError(ui.confirmError, undefined);
  const { status, body } = await api<OzlocReserveResponse>('/reserve', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ boxId: box.id }),
  });
  ui.confirmButton.textContent = 'Confirmar reserva';
  if ((status === 200 || status === 201) && body.port !== undefined) {
    return finish(body as OzlocReserveResponse);
  }
  if (status === 409 || status === 404 || status === 422) {
    // The box filled up (or went away) meanwhile: say so on the list, and refresh it.
    invoker = undefined;
    closeConfirm();
    showError(ui.error, body.message ?? 'Esta caixa não está mais disponível.');
    ui.error.focus();
    await loadBoxes();
    return;
  }
  showError(ui.confirmError, body.message ?? OFFLINE);
  if (status === 401 || status === 403) endSession();
  else ui.confirmButton.disabled = false;
}

function finish(r: OzlocReserveResponse): void {
  finished = true;
  closeConfirm();
  ui.doneSummary.textContent = r.message;
  ui.dClient.textContent = [config.client.code, config.client.name].filter(Boolean).join(' · ');
  ui.dBox.textContent = r.boxName;
  ui.dSplitter.textContent = r.splitterName;
  ui.dPort.textContent = String(r.port);
  ui.dExpires.textContent = r.expiresAt
    ? new Date(r.expiresAt).toLocaleDateString('pt-BR')
    : 'sem prazo';
  if (!r.created) $('done-title').textContent = 'Reserva já existente';
  ui.done.hidden = false;
  document.body.classList.add('finished');
  ui.done.focus();
}

/** The session ended (expired, key revoked, reservations no longer allowed): nothing more to do. */
function endSession(): void {
  expired = true;
  ui.refresh.disabled = true;
  ui.confirmButton.disabled = true;
  ui.boxes.querySelectorAll('button').forEach((b) => (b.disabled = true));
}

function expire(): void {
  if (finished) return;
  endSession();
  closeConfirm();
  showError(ui.error, 'Esta sessão expirou. Abra o OZmap de novo pelo Ispbox 2.');
}

ui.clientCode.textContent = `Cód. ${config.client.code}`;
if (config.client.name) ui.clientName.textContent = `· ${config.client.name}`;
if (config.client.address) {
  ui.clientAddress.textContent = config.client.address;
  ui.clientAddress.hidden = false;
}
if (config.geocoded) {
  ui.geocoded.textContent = `Ponto pelo endereço: ${config.geocoded.label}`;
  ui.geocoded.hidden = false;
}
ui.refresh.addEventListener('click', () => {
  showError(ui.error, undefined);
  void loadBoxes();
});
ui.confirmButton.addEventListener('click', () => void reserve());
ui.cancel.addEventListener('click', closeConfirm);
ui.dialog.addEventListener('close', () => {
  if (!finished) invoker?.focus();
});
onExpiry(config.expiresAt, expire);
void loadBoxes();
