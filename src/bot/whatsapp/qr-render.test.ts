import { describe, expect, it } from 'vitest';
import { qrSvg, qrTerminal } from './qr-render.js';

describe('pairing QR rendering', () => {
  it('draws different pictures for different pairing strings', async () => {
    const a = await qrTerminal('2@QRref123,noiseKeyB64,identityB64,advB64');
    const b = await qrTerminal('2@QRref456,noiseKeyB64,identityB64,advB64');
    expect(a.split('\n').length).toBeGreaterThan(10);
    expect(a).toMatch(/[█▀▄]/);
    expect(a).not.toBe(b);
    expect(await qrSvg('2@QRref123')).toMatch(/^<svg .*viewBox/);
  });
});
