// The only file importing the QR encoder: renders Baileys' pairing string for people.
import QRCode from 'qrcode';

/** An SVG image of the QR, for the admin route. */
export function qrSvg(qr: string): Promise<string> {
  return QRCode.toString(qr, { type: 'svg', margin: 2, width: 320 });
}

/** The QR drawn with block characters, for a terminal reading the service's output. */
export function qrTerminal(qr: string): Promise<string> {
  return QRCode.toString(qr, { type: 'terminal', small: true });
}
