import * as L from 'leaflet';
import type { MapData } from '../../../src/sales/map-data.js';
import type { SalesPageConfig } from '../../../src/sales/page.js';
import { createMap } from '../../shared/map.js';
import { get } from '../api.js';
import { h } from '../dom.js';
import { errorText, setMain } from '../ui.js';

let current: L.Map | undefined;

/** Reservations, prospects and boxes with free ports in the view; reloads as the map moves. */
export function mapView(config: SalesPageConfig): void {
  current?.remove();
  const status = h('p', { id: 'map-status', class: 'muted', role: 'status' }, 'Carregando…');
  const toggles = (['reservations', 'prospects', 'boxes'] as const).map((layer) =>
    h(
      'label',
      { class: 'toggle' },
      h('input', { type: 'checkbox', name: layer, checked: true }),
      { reservations: 'Reservas', prospects: 'Prospects', boxes: 'Caixas com portas livres' }[
        layer
      ],
    ),
  );
  const layerButton = h(
    'button',
    { type: 'button', class: 'tool', id: 'layer', 'aria-pressed': 'false' },
    'Ver mapa de ruas',
  );
  setMain(
    h('h2', { class: 'view-title' }, 'Mapa'),
    h(
      'div',
      { class: 'map-legend' },
      toggles,
      h('span', { class: 'key key-reservation' }, 'Reserva'),
      h('span', { class: 'key key-prospect' }, 'Prospect'),
      h('span', { class: 'key key-box' }, 'Caixa (portas livres)'),
    ),
    h(
      'div',
      { class: 'map-wrap sales-map' },
      h('div', { id: 'map', role: 'region', 'aria-label': 'Mapa de reservas, prospects e caixas' }),
      h('div', { class: 'map-tools' }, layerButton),
    ),
    status,
  );
  const map = createMap({
    center: [config.mapCenter.lat, config.mapCenter.lng],
    zoom: 15,
    tiles: config.tiles,
    layerButton,
  });
  current = map;
  const groups = {
    reservations: L.layerGroup().addTo(map),
    prospects: L.layerGroup().addTo(map),
    boxes: L.layerGroup().addTo(map),
  };
  for (const t of toggles) {
    const input = t.querySelector('input')!;
    input.addEventListener('change', () => {
      const g = groups[input.name as keyof typeof groups];
      if (input.checked) g.addTo(map);
      else g.remove();
    });
  }
  const popup = (title: string, link?: string, extra?: string) => {
    const el = h(
      'div',
      {},
      link ? h('a', { href: link }, title) : h('strong', {}, title),
      extra ? h('div', {}, extra) : null,
    );
    return el;
  };
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    try {
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map((n) => n.toFixed(6))
        .join(',');
      const data = await get<MapData>(`/map?bbox=${bbox}`);
      if (mine !== seq) return;
      for (const g of Object.values(groups)) g.clearLayers();
      for (const box of data.boxes) {
        L.circleMarker([box.lat, box.lng], {
          radius: 6,
          color: '#14532d',
          fillColor: '#22c55e',
          fillOpacity: 0.9,
          weight: 1,
          className: 'm-box',
        })
          .bindPopup(
            popup(
              `Caixa ${box.name ?? box.id}`,
              undefined,
              `${box.freePorts} ${box.freePorts === 1 ? 'porta livre' : 'portas livres'}`,
            ),
          )
          .addTo(groups.boxes);
      }
      for (const r of data.reservations) {
        L.circleMarker([r.lat, r.lng], {
          radius: 8,
          color: '#072a52',
          fillColor: '#0b3d75',
          fillOpacity: 0.9,
          weight: 2,
          className: 'm-reservation',
        })
          .bindPopup(popup(r.name ?? 'Reserva', `#/reservas/${r.id}`))
          .addTo(groups.reservations);
      }
      for (const p of data.prospects) {
        L.circleMarker([p.lat, p.lng], {
          radius: 7,
          color: '#7c2d12',
          fillColor: '#f97316',
          fillOpacity: 0.9,
          weight: 2,
          className: 'm-prospect',
        })
          .bindPopup(popup(p.name ?? 'Prospect', `#/prospects/${p.id}`))
          .addTo(groups.prospects);
      }
      status.textContent = `${data.reservations.length} reservas, ${data.prospects.length} prospects e ${data.boxes.length} caixas com portas livres nesta área.${data.truncated ? ' Aproxime o mapa para ver todos.' : ''}`;
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  map.on('moveend', () => void load());
  void load();
}

/** Leaving the map view. */
export function leaveMap(): void {
  current?.remove();
  current = undefined;
}

/** A live event while the map is shown: reload what is in view. */
export function refreshMap(): void {
  current?.fire('moveend');
}
