import { checkAvailability } from './availability.js';
import { ViabilityInputError, show } from './errors.js';
import { assertLatLng } from './geodesy.js';
import { DRAFT, HAS_DROP } from './kd-walk.js';
import type { BoxInput } from './viability-index.js';

// Validates a box; returns its DRAFT | HAS_DROP flags. `at` is its position in a build input.
// Allocation-free when the box is valid: a million of them go through here on every build.
export function checkBox(box: BoxInput, at?: number): number {
  if (!box || typeof box.id !== 'string' || box.id === '') {
    const where = at === undefined ? 'box' : `boxes[${at}]`;
    throw new ViabilityInputError(`${where}: id must be a non-empty string, got ${show(box?.id)}`);
  }
  const { lat, lng, draft, hasDropSplitter = false, freePorts = 0 } = box;
  const inRange = lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
  if (!inRange || typeof lat !== 'number' || typeof lng !== 'number') {
    assertLatLng(lat, lng, `box ${box.id}`);
  }
  if (draft !== undefined && typeof draft !== 'boolean') {
    throw new ViabilityInputError(`box ${box.id}: draft must be a boolean, got ${show(draft)}`);
  }
  const extras =
    box.blockedPorts !== undefined ||
    box.vacantPorts !== undefined ||
    box.blockedVacantPorts !== undefined;
  if (extras || typeof hasDropSplitter !== 'boolean' || !isPortCount(freePorts)) {
    checkAvailability(box, `box ${box.id}`);
  }
  return (draft ? DRAFT : 0) | (hasDropSplitter ? HAS_DROP : 0);
}

function isPortCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0x7fffffff;
}

export function checkLimit(value: number | undefined, name: string): number {
  if (value === undefined) return Infinity;
  if (value !== Infinity && (!Number.isInteger(value) || value < 0)) {
    throw new ViabilityInputError(`${name} must be an integer >= 0, got ${show(value)}`, name);
  }
  return value;
}

export function checkTags(tags: readonly string[] | undefined): readonly string[] {
  if (tags === undefined) return [];
  if (!isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    throw new ViabilityInputError(`tags must be an array of strings, got ${show(tags)}`, 'tags');
  }
  return tags;
}

// Array.isArray narrows to any[]; this keeps the declared element type.
export function isArray<T>(value: readonly T[] | undefined): value is readonly T[] {
  return Array.isArray(value);
}
