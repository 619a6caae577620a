import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '@duban/testing';
import { readDocx } from '../../services/notifications/src/documents/readBack';
import { TestNetwork, describeNetwork, deepCounty } from './harness';
import type { Transport } from './harness';

type Item = { id: string; deadline: string; deadlineProvisional: boolean; calendarVersion: string };
type TimelineEntry = { type: string; data: Record<string, unknown> };
type Timer = { itemId: string; kind: string; status: string; dueAt: string };

const cst = (s: string) => new Date(`${s}+08:00`).toISOString();
// A made-up 2027 notice: Spring Festival Sat Feb 6 – Fri Feb 12 (the statutory rules gave Fri Feb 5 –
// Mon Feb 8 plus 补假 Tue 9, Wed 10), a make-up Saturday Feb 20, National Day Oct 1–7.
const ICS = readFileSync(
  new URL('../../packages/calendar/fixtures/made-up-2027.ics', import.meta.url),
  'utf8',
);

/**
 * Issue 13 across real node processes: on 6 December 2026 (chinese-days has no 2027) the county
 * assigns working-day deadlines into 2027; they are accepted and marked provisional on both copies,
 * in the notice and the .docx. Then the county imports the official 2027 calendar: exactly the
 * deadline that depends on the changed days moves, on the unit's copy too, with its timers; the
 * others stand and lose the mark; a deadline that never depended on 2027 gets no event.
 */
export function describeCalendarYearEnd(
  transport: Transport | { unavailable: string },
  required: boolean,
): void {
  describeNetwork('the calendar across the year end', transport, required, (transport) => {
    const net = new TestNetwork(
      transport,
      `calendar_${transport.kind}`,
      cst('2026-12-06T10:00:00'),
      deepCounty([]),
    );
    const ids: Record<'d40' | 'd45' | 'd60' | 'd10', string> = { d40: '', d45: '', d60: '', d10: '' };
    const item = async (node: string, id: string) =>
      (await net.call<{ item: Item; timeline: TimelineEntry[] }>(node, 'GET', `/tasks/items/${id}`)).body;
    const timers = async (id: string) =>
      (await net.call<{ timers: Timer[] }>('county', 'GET', `/reminders/timers?itemId=${id}&status=pending`))
        .body.timers;

    beforeAll(async () => {
      for (const id of ['county', 'unit-001']) await net.start(id);
      for (const days of [40, 45, 60, 10] as const) {
        const r = await net.call<{ item: Item }>('county', 'POST', '/tasks/items', {
          title: `${days}个工作日内完成`,
          kind: 'annual-target',
          assignee: 'unit-001',
          deadlineRule: { kind: 'working-days', days },
        });
        expect(r.status).toBe(201);
        ids[`d${days}`] = r.body.item.id;
      }
      await eventually(
        'unit-001 has its items',
        async () =>
          (await net.call<{ items: unknown[] }>('unit-001', 'GET', '/tasks/items')).body.items.length === 4,
      );
      await eventually('the timers are planned', async () => (await timers(ids.d45)).length > 0);
    });
    afterAll(() => net.close());

    it('accepts deadlines into 2027 and marks those that depend on it provisional', async () => {
      const expected = {
        d40: [cst('2027-02-01T17:30:00'), true],
        d45: [cst('2027-02-12T17:30:00'), true],
        d60: [cst('2027-03-05T17:30:00'), true],
        d10: [cst('2026-12-18T17:30:00'), false],
      } as const;
      for (const node of ['county', 'unit-001']) {
        for (const [key, [deadline, provisional]] of Object.entries(expected)) {
          const { item: copy } = await item(node, ids[key as keyof typeof ids]);
          expect({ node, key, deadline: copy.deadline, provisional: copy.deadlineProvisional }).toEqual({
            node,
            key,
            deadline,
            provisional,
          });
        }
      }
      const ledger = await net.call<{ items: Item[] }>('unit-001', 'GET', '/tasks/items');
      expect(ledger.body.items.filter((i) => i.deadlineProvisional).length).toBe(3);
      const notices = (
        await net.call<{ messages: Array<{ subject: string; body: string }> }>(
          'unit-001',
          'GET',
          '/notifications/inbox',
        )
      ).body.messages;
      const notice = (id: string) => notices.find((m) => m.subject === id)?.body ?? '';
      expect(notice(ids.d45)).toContain('截止日期为暂定（按法定节假日推算，待国务院公布安排后确认）');
      expect(notice(ids.d10)).not.toContain('暂定');
      const docx = await net.fetch('county', 'GET', `/notifications/documents/notice/${ids.d45}.docx`);
      expect(docx.status).toBe(200);
      const texts = (await readDocx(new Uint8Array(await docx.arrayBuffer()))).paragraphs.map((p) => p.text);
      expect(texts.some((t) => t.includes('2027年2月12日 17:30前办结') && t.includes('截止日期为暂定'))).toBe(
        true,
      );
      // The overdue chase is planned on the provisional calendar: Mon Feb 15, 09:00.
      expect((await timers(ids.d45)).find((t) => t.kind === 'overdue')?.dueAt).toBe(
        cst('2027-02-15T09:00:00'),
      );
    });

    it('refuses a bad .ics naming the line', async () => {
      const r = await net.call<{ error: { code: string; message: string } }>(
        'county',
        'POST',
        '/reminders/calendar/import',
        { ics: 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20271301\nEND:VEVENT\nEND:VCALENDAR\n' },
      );
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('calendar.bad_ics');
      expect(r.body.error.message).toContain('line 3');
    });

    it('re-plans exactly the deadlines the official 2027 calendar changes', async () => {
      const imported = await net.call<{ coveredYears: number[]; provisionalYears: number[] }>(
        'county',
        'POST',
        '/reminders/calendar/import',
        { ics: ICS },
      );
      expect(imported.status).toBe(201);
      expect(imported.body.coveredYears.at(-1)).toBe(2027);
      expect(imported.body.provisionalYears).toEqual([2028, 2029, 2030]);
      // 45 working days: Feb 5 is a working day now and Feb 11–12 are off → Mon Feb 15.
      const moved = cst('2027-02-15T17:30:00');
      for (const node of ['county', 'unit-001']) {
        await eventually(`${node} has the re-planned deadline`, async () => {
          const { item: copy } = await item(node, ids.d45);
          return copy.deadline === moved && !copy.deadlineProvisional;
        });
      }
      const replanned = async (node: string, id: string) =>
        (await item(node, id)).timeline.filter((e) => e.type === 'tasks.deadline.replanned');
      await eventually('every provisional item is settled', async () => {
        for (const key of ['d40', 'd60'] as const)
          if ((await item('unit-001', ids[key])).item.deadlineProvisional) return false;
        return true;
      });
      const [event] = await replanned('unit-001', ids.d45);
      expect(event?.data).toMatchObject({
        moved: true,
        provisional: false,
        oldDeadline: cst('2027-02-12T17:30:00'),
        newDeadline: moved,
        reason: '国务院公布2027年节假日安排，截止日期由2027年2月12日调整为2027年2月15日',
      });
      for (const node of ['county', 'unit-001']) {
        expect((await replanned(node, ids.d45)).length).toBe(1);
        // 40 days ends before the changed days; 60 crosses them but the make-up Saturday evens the
        // count: neither moves, each says so once and loses the mark.
        for (const [key, deadline] of [
          ['d40', cst('2027-02-01T17:30:00')],
          ['d60', cst('2027-03-05T17:30:00')],
        ] as const) {
          const { item: copy } = await item(node, ids[key]);
          expect({ key, deadline: copy.deadline, provisional: copy.deadlineProvisional }).toEqual({
            key,
            deadline,
            provisional: false,
          });
          const events = await replanned(node, ids[key]);
          expect(events.map((e) => e.data.moved)).toEqual([false]);
        }
        expect(await replanned(node, ids.d10)).toEqual([]); // never depended on 2027
      }
      // The reminders re-plan the moved item's timers on the new deadline: Tue Feb 16, 09:00.
      await eventually('the overdue chase follows the new deadline', async () =>
        (await timers(ids.d45)).some((t) => t.kind === 'overdue' && t.dueAt === cst('2027-02-16T09:00:00')),
      );
      expect((await timers(ids.d45)).filter((t) => t.kind === 'overdue').length).toBe(1);
      const notices = (
        await net.call<{ messages: Array<{ subject: string; title: string }> }>(
          'unit-001',
          'GET',
          '/notifications/inbox',
        )
      ).body.messages;
      expect(notices.filter((m) => m.subject === ids.d45 && m.title === '截止日期调整').length).toBe(1);
    });
  });
}
