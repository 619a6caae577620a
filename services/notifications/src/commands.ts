import { appendToOutbox } from '@duban/bus';
import { createEvent, uuidv7 } from '@duban/events';
import type { BulletinUnitLine } from '@duban/events';
import { AppError } from '@duban/kit';
import type { Actor } from '@duban/kit';
import type { NotificationsDeps } from './deps';
import { draftBulletin, judge, unitFigures } from './domain/bulletin';
import type { Thresholds } from './domain/bulletin';
import { countyAbbreviation } from './domain/documents';
import { bulletinRepository } from './repositories/bulletins';
import { itemRepository } from './repositories/items';

const CST = 8 * 3600_000;
/** Beijing midnight starting a YYYY-MM-DD date. */
const dayStart = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - CST);
const label = (from: string, to: string) => {
  const f = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
  return `${f(from)}至${f(to)}`;
};

/** The county office above a node (its document numbers carry the county's abbreviation). */
export function countyOfficeName(deps: NotificationsDeps, nodeId: string): string {
  const node = deps.org.get(nodeId);
  return ([node, ...deps.org.ancestors(nodeId)].find((n) => n.kind === 'county-office') ?? node).name;
}

export interface DraftInput {
  periodFrom: string;
  periodTo: string;
  thresholds: Thresholds;
  addressee?: string | undefined;
}

/** Drafts a bulletin from what this node has seen: its assignments' deadlines and its decisions. */
export async function draftBulletinCommand(
  deps: NotificationsDeps,
  nodeId: string,
  actor: Actor,
  input: DraftInput,
) {
  if (input.periodTo < input.periodFrom)
    throw new AppError('validation', 'bulletin.bad_period', 'periodTo is before periodFrom', {
      issues: [{ path: 'periodTo', message: 'on or after periodFrom' }],
    });
  const now = deps.clock.now();
  const from = dayStart(input.periodFrom);
  const to = new Date(dayStart(input.periodTo).getTime() + 24 * 3600_000);
  const nameOf = (id: string) => deps.org.find(id)?.name ?? id;
  const items = await itemRepository.assignedDueBetween(deps.prisma, nodeId, from, to);
  const decisions = await itemRepository.decisionsBetween(deps.prisma, nodeId, from, to);
  const lines = unitFigures(items, now);
  const { commended, criticised } = judge(lines, input.thresholds);
  const issuer = nameOf(nodeId);
  const draft = draftBulletin({
    issuer,
    periodLabel: label(input.periodFrom, input.periodTo),
    lines,
    commended,
    criticised,
    decisions,
    thresholds: input.thresholds,
    nameOf,
  });
  // Units named only by a decision are named in the event too.
  const decided = (kind: string, already: BulletinUnitLine[]) =>
    decisions
      .filter((d) => d.kind === kind && !already.some((l) => l.unit === d.unit))
      .map(
        (d) =>
          lines.find((l) => l.unit === d.unit) ?? {
            unit: d.unit,
            due: 0,
            closedOnTime: 0,
            overdue: 0,
            onTimeRate: null,
          },
      );
  const dedupe = (ls: BulletinUnitLine[]) =>
    ls.filter((l, i) => ls.findIndex((m) => m.unit === l.unit) === i);
  return bulletinRepository.create(deps.prisma, {
    id: uuidv7(now.getTime()),
    nodeId,
    status: 'draft',
    title: draft.title,
    addressee:
      input.addressee ??
      (deps.org.get(nodeId).kind === 'county-office' ? '各乡镇党委、政府，县直各单位' : '各有关单位'),
    paragraphs: draft.paragraphs,
    periodFrom: input.periodFrom,
    periodTo: input.periodTo,
    thresholds: input.thresholds,
    stats: lines,
    commended: dedupe([...commended, ...decided('commendation', commended)]),
    criticised: dedupe([...criticised, ...decided('criticism', criticised)]),
    createdBy: actor.person,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Publishes a draft: numbers it (睢督通〔2026〕N号), freezes it and emits
 * notifications.bulletin.published to every unit it names, in one transaction.
 */
export async function publishBulletin(deps: NotificationsDeps, nodeId: string, id: string, actor: Actor) {
  return deps.prisma.$transaction(async (tx) => {
    const [locked] = await bulletinRepository.lock(tx, nodeId, id);
    if (!locked)
      throw new AppError('not_found', 'notifications.bulletin_not_found', 'no such bulletin at this node');
    if (locked.status !== 'draft')
      throw new AppError('conflict', 'bulletin.already_published', 'this bulletin is already published');
    const bulletin = (await bulletinRepository.find(tx, nodeId, id))!;
    const now = deps.clock.now();
    const year = new Date(now.getTime() + CST).getUTCFullYear();
    const n = await bulletinRepository.nextNumber(tx, nodeId, 'bulletin', year);
    const docNo = `${countyAbbreviation(countyOfficeName(deps, nodeId))}督通〔${year}〕${n}号`;
    const commended = bulletin.commended as BulletinUnitLine[];
    const criticised = bulletin.criticised as BulletinUnitLine[];
    const event = createEvent({
      type: 'notifications.bulletin.published',
      source: nodeId,
      to: [...new Set([...commended, ...criticised].map((l) => l.unit))].filter((u) => deps.org.has(u)),
      subject: `bulletin:${bulletin.id}`,
      time: now,
      data: {
        bulletinId: bulletin.id,
        docNo,
        title: bulletin.title,
        periodFrom: bulletin.periodFrom,
        periodTo: bulletin.periodTo,
        commended,
        criticised,
        paragraphs: bulletin.paragraphs as string[],
        by: actor.person,
        publishedAt: now.toISOString(),
      },
    });
    const updated = await bulletinRepository.update(tx, id, {
      status: 'published',
      docNo,
      publishedAt: now,
      publishedBy: actor.person,
      updatedAt: now,
    });
    await appendToOutbox(tx, [event]);
    return { bulletin: updated, event };
  });
}
