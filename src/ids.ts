import { randomBytes } from 'node:crypto';

// OZmap ids are Mongo ObjectIds: 24 hex characters, time-ordered. Integrators store and validate
// them as such, so we mint ids of the same shape: 4 bytes of seconds, 5 random, 3 of a counter.
const processRandom = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

export function newId(now = Date.now()): string {
  counter = (counter + 1) % 0xffffff;
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + processRandom + counter.toString(16).padStart(6, '0');
}

export const ID_PATTERN = /^[0-9a-f]{24}$/;
