import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from './catalogueDoc';
import { canonicalForm, createEvent, decodeMessage, encodeEvent } from './codec';
import { catalogueJsonSchema } from './jsonSchema';
import { CATALOGUE, CURRENT_VERSION } from './catalogue';

const sample = () =>
  createEvent({
    type: 'tasks.item.acknowledged',
    source: 'unit-001',
    to: ['county'],
    subject: '01a21969-9769-7019-bd16-894046c030b2',
    time: new Date('2026-03-02T01:00:00Z'),
    data: {
      itemId: '01a21969-9769-7019-bd16-894046c030b2',
      assigner: 'county',
      assignee: 'unit-001',
      acknowledgedAt: '2026-03-02T01:00:00.000Z',
      by: 'unit-001:handler',
    },
  });

describe('the event codec', () => {
  it('round-trips an event through its wire form', () => {
    const event = sample();
    const decoded = decodeMessage(encodeEvent(event));
    expect(decoded).toEqual({ ok: true, event });
  });

  it('names the field and the reason when a payload is wrong', () => {
    const bad = { ...sample(), data: { ...sample().data, assignee: 'Unit 1' } };
    const decoded = decodeMessage(JSON.stringify(bad));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(/^invalid tasks\.item\.acknowledged v\d: data\.assignee: /);
  });

  it('refuses unknown types and versions', () => {
    expect(decodeMessage(JSON.stringify({ ...sample(), version: 9 }))).toEqual({
      ok: false,
      reason: 'unknown event type tasks.item.acknowledged v9',
    });
  });

  it('refuses a payload that does not fit its type when creating it', () => {
    expect(() =>
      createEvent({
        type: 'tasks.item.acknowledged',
        source: 'unit-001',
        to: [],
        subject: 's',
        time: new Date(),
        data: { itemId: 'x' } as never,
      }),
    ).toThrow();
  });

  it('has a canonical form independent of key order and without the signature', () => {
    const event = sample();
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as typeof event;
    expect(canonicalForm(reordered)).toBe(canonicalForm({ ...event, signature: 'abc' }));
    expect(canonicalForm(event)).not.toContain('signature');
  });

  it('emits the newest version of every type', () => {
    const newest = new Map<string, number>();
    for (const d of CATALOGUE) newest.set(d.type, Math.max(newest.get(d.type) ?? 0, d.version));
    expect(Object.fromEntries(newest)).toEqual(CURRENT_VERSION);
  });

  it('gives every event type a <domain>.<entity>.<past-tense> name and one entry per version', () => {
    const keys = CATALOGUE.map((d) => `${d.type}@${d.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of CATALOGUE)
      expect(d.type).toMatch(
        /^(tasks|reminders|scoring|notifications|security|org)\.[a-z-]+\.([a-z]+ed|held|sent)$/,
      );
  });

  it('keeps the committed catalogue files current (run `pnpm events:export`)', () => {
    const root = new URL('../../../docs/', import.meta.url);
    expect(JSON.parse(readFileSync(new URL('catalogue/events.schema.json', root), 'utf8'))).toEqual(
      catalogueJsonSchema(),
    );
    expect(readFileSync(new URL('events.md', root), 'utf8')).toBe(catalogueMarkdown());
  });
});
