import { describe, expect, it } from 'vitest';
import { secretTokenMatches } from './webhook-router.js';

describe('secretTokenMatches', () => {
  it('accepts only the exact secret', () => {
    expect(secretTokenMatches('abc_DEF-1', 'abc_DEF-1')).toBe(true);
    expect(secretTokenMatches('abc_DEF-1', 'abc_DEF-2')).toBe(false);
    expect(secretTokenMatches('abc_DEF-1', 'abc_DEF-1x')).toBe(false);
    expect(secretTokenMatches('abc_DEF-1', '')).toBe(false);
    expect(secretTokenMatches('abc_DEF-1', undefined)).toBe(false);
  });
});
