import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

/**
 * A tiny local tile server so map pages render offline: /satellite/{z}/{x}/{y}.png draws
 * aerial-looking blocks (roofs, trees, streets), /street/{z}/{x}/{y}.png a plain street map.
 * Streets follow world pixel coordinates, so they line up across tiles.
 */
export interface TileServer {
  url: string;
  satelliteTemplate: string;
  streetTemplate: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startTileServer(): Promise<TileServer> {
  const requests: string[] = [];
  const cache = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/(satellite|street)\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const key = m.slice(1).join('/');
    let png = cache.get(key);
    if (!png) {
      png = drawTile(m[1] as 'satellite' | 'street', Number(m[3]), Number(m[4]));
      cache.set(key, png);
    }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=3600' }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    satelliteTemplate: `${url}/satellite/{z}/{x}/{y}.png`,
    streetTemplate: `${url}/street/{z}/{x}/{y}.png`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const BLOCK = 150;
const ROAD = 14;

function drawTile(kind: 'satellite' | 'street', tx: number, ty: number): Buffer {
  const size = 256;
  const rgb = Buffer.alloc(size * size * 3);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const wx = tx * size + i;
      const wy = ty * size + j;
      const bx = Math.floor(wx / BLOCK);
      const by = Math.floor(wy / BLOCK);
      const inX = wx - bx * BLOCK;
      const inY = wy - by * BLOCK;
      const road = inX < ROAD || inY < ROAD;
      let c: [number, number, number];
      if (kind === 'street') {
        c = road
          ? [255, 255, 255]
          : inX < ROAD + 2 || inY < ROAD + 2
            ? [210, 205, 195]
            : [242, 239, 233];
      } else if (road) {
        c = [118, 116, 112];
      } else {
        // Lots of about 30 px: roofs (terracotta or grey) or trees, each with its own tone.
        const lot = hash(Math.floor(wx / 30), Math.floor(wy / 30));
        const n = (lot >>> 8) % 18;
        const edge = (inX - ROAD) % 30 < 3 || (inY - ROAD) % 30 < 3;
        if (edge) c = [92 + n, 104 + n, 78];
        else if (lot % 5 === 0) c = [46 + n, 88 + n, 40];
        else if (lot % 3 === 0) c = [150 + n, 150 + n, 146 + n];
        else c = [168 + n, 92 + n, 66 + n];
      }
      rgb.set(c, (j * size + i) * 3);
    }
  }
  return encodePng(size, size, rgb);
}

function hash(x: number, y: number): number {
  let h = (Math.imul(x, 73856093) ^ Math.imul(y, 19349663)) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
  return h;
}

/** Minimal PNG encoder: 8-bit RGB, no interlace, filter 0 on every row. */
function encodePng(width: number, height: number, rgb: Buffer): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([len, typed, crc]);
}
