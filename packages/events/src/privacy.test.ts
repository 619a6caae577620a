import { describe, expect, it } from 'vitest';
import { PRIVACY, SCRUBBED, UnclassifiedField, cataloguePaths, redactPayload, scrubText } from './privacy';

describe('the privacy classification', () => {
  const paths = cataloguePaths();

  it('classifies every path of every (type, version) in the catalogue', () => {
    const missing = [...paths].flatMap(([key, list]) =>
      list.filter((p) => PRIVACY[key]?.[p] === undefined).map((p) => `${key} ${p}`),
    );
    expect(missing).toEqual([]);
  });

  it('names no (type, version) or path that no longer exists', () => {
    const stale = Object.entries(PRIVACY).flatMap(([key, classes]) =>
      Object.keys(classes)
        .filter((p) => !paths.get(key)?.includes(p))
        .map((p) => `${key} ${p}`),
    );
    expect(stale).toEqual([]);
  });

  it('pseudonymises people, drops descriptions and comments, scrubs titles', () => {
    const out = redactPayload(
      'tasks.item.reviewed',
      1,
      {
        itemId: 'i',
        assigner: 'county',
        assignee: 'unit-a',
        by: '张三',
        outcome: 'returned',
        points: { policyAndLaw: { ok: false, comment: '找李四 13800138000' } },
        reasons: ['facts-or-procedure'],
        comment: '请补充',
        reviewedAt: '2026-01-01T00:00:00.000Z',
      },
      (v) => `p:${v.length}`,
    );
    expect(out).toEqual({
      itemId: 'i',
      assigner: 'county',
      assignee: 'unit-a',
      by: 'p:2',
      outcome: 'returned',
      points: { policyAndLaw: { ok: false } },
      reasons: ['facts-or-procedure'],
      reviewedAt: '2026-01-01T00:00:00.000Z',
    });
    const bulletin = redactPayload(
      'notifications.bulletin.published',
      1,
      { title: '通报 电话0370-8123456', paragraphs: ['王五'], by: 'x' },
      () => 'p',
    );
    expect(bulletin).toEqual({ title: `通报 电话${SCRUBBED}`, by: 'p' });
  });

  it('refuses an unclassified type or field', () => {
    expect(() => redactPayload('tasks.item.teleported', 1, {}, (v) => v)).toThrow(UnclassifiedField);
    expect(() => redactPayload('tasks.item.closed', 1, { itemId: 'i', secret: 'x' }, (v) => v)).toThrow(
      /tasks.item.closed@1: the field secret/,
    );
  });

  it('keeps an absent nested object as null, and still refuses an unknown null field', () => {
    const out = redactPayload(
      'tasks.item.assigned',
      3,
      { itemId: 'i', deadlineRule: null, leader: null, deadlineProvisional: false },
      (v) => `psn:${v}`,
    );
    expect(out).toEqual({ itemId: 'i', deadlineRule: null, leader: null, deadlineProvisional: false });
    expect(() => redactPayload('tasks.item.assigned', 3, { secret: null }, (v) => v)).toThrow(
      UnclassifiedField,
    );
  });

  it('scrubs phone numbers, e-mail addresses and ID numbers from text', () => {
    const text =
      '张先生 13912345678 或 +86 139-1234-5678，座机 0371-65432109，邮箱 zhang.san@example.com.cn，身份证 41142219800101123X，户号 12345678';
    const scrubbed = scrubText(text);
    for (const s of ['13912345678', '1234-5678', '65432109', 'zhang.san', '41142219800101123X', '12345678'])
      expect(scrubbed).not.toContain(s);
    expect(scrubbed).toContain('张先生');
    expect(scrubText('第3件，共12件')).toBe('第3件，共12件');
  });
});
