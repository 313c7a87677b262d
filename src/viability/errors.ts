import { ValidationError } from '../errors.js';

/**
 * Bad input at the core's boundary (coordinates, radius, limits, box or region data). The message
 * always names the bad value. It is a {@link ValidationError}, so HTTP answers 400 with it.
 */
export class ViabilityInputError extends ValidationError {}

/** Formats a value for an error message without throwing on odd inputs. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
