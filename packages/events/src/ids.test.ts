import { describe, expect, it } from 'vitest';
import { uuidv7 } from './ids';

describe('uuidv7', () => {
  it('is a version-7, variant-1 UUID carrying its millisecond', () => {
    const id = uuidv7(Date.parse('2026-03-02T01:00:00Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-03-02T01:00:00Z'));
  });

  it('sorts in creation order, even within one millisecond or on a clock that stands still', () => {
    const at = Date.parse('2026-03-02T01:00:00Z') + 1000;
    const ids = Array.from({ length: 5000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const later = uuidv7(at + 1);
    expect(later > ids.at(-1)!).toBe(true);
  });
});
