import type { OrgTree } from '@duban/org';
import type { ItemState, ItemStatus } from '../domain/item';
import { parseCaseText } from './caseText';
import { HOTLINE_SERVICES } from './catalogue';
import type { OfferedService } from './catalogue';
import { w3 } from './wire';
import type { WireRecord } from './wire';

/** caseRef of an item filed over Open311: `open311:<service_code>` (see docs/open311.md). */
export const CASE_REF_PREFIX = 'open311:';

export function caseRefOf(serviceCode: string): string {
  return `${CASE_REF_PREFIX}${serviceCode}`;
}

/** Our detailed status, in Chinese and English, for Open311 status_notes. */
export const STATUS_NOTES: Record<ItemStatus, string> = {
  assigned: '已交办，待签收 assigned to the responsible unit, awaiting acknowledgement',
  acknowledged: '已签收，正在办理 acknowledged, being handled',
  reported: '已报结，待审核 reported, under review by the supervision office',
  rechecking: '复核中 being re-checked',
  returned: '退回重办 returned to the unit to be handled again',
  closed: '已办结 closed',
  reopened: '复查复议，重新办理 reopened for re-examination',
};

/** Open311 status: closed only when the item is 办结; everything else is still open. */
export function open311Status(status: ItemStatus): 'open' | 'closed' {
  return status === 'closed' ? 'closed' : 'open';
}

export function statusNotes(state: ItemState, now: Date): string {
  const notes = [STATUS_NOTES[state.status]];
  if (state.status !== 'closed' && state.progress !== null)
    notes.push(`进度 ${state.progress}% progress ${state.progress}%`);
  if (state.returnCount > 0) notes.push(`退回重办 ${state.returnCount} 次 returned ${state.returnCount}×`);
  if (state.recheckCount > 0) notes.push(`复核 ${state.recheckCount} 次 re-checked ${state.recheckCount}×`);
  if (state.reopenCount > 0) notes.push(`复查复议 ${state.reopenCount} 次 reopened ${state.reopenCount}×`);
  if (state.extensionCount > 0)
    notes.push(`已延期 ${state.extensionCount} 次 deadline extended ${state.extensionCount}×`);
  if (state.pendingExtension) notes.push('延期申请待批 extension requested');
  if (state.status !== 'closed' && now.getTime() > new Date(state.deadline).getTime())
    notes.push('已逾期 overdue');
  if (state.feedback.citizen) notes.push(`答复 reply: ${state.feedback.citizen}`);
  return notes.join('；');
}

function nameOf(org: OrgTree, id: string): string {
  return org.find(id)?.name ?? id;
}

/** 办理告知: who handles the request, under which notice, by when. */
export function serviceNotice(org: OrgTree, state: ItemState): string {
  const unit = nameOf(org, state.assignee);
  const by = w3(state.deadline).slice(0, 10);
  return (
    `${nameOf(org, state.assigner)}已将您的诉求交${unit}办理（${state.noticeNo}），应于${by}前办结。` +
    `Forwarded to ${unit} under notice ${state.noticeNo}; to be completed by ${by}.`
  );
}

/** The category of an item: from its Open311 caseRef, else by the unit it went to. */
export function serviceOf(
  state: ItemState,
  offered: readonly OfferedService[],
): { code: string; name: string } {
  const code = state.caseRef?.startsWith(CASE_REF_PREFIX)
    ? state.caseRef.slice(CASE_REF_PREFIX.length)
    : null;
  const known =
    (code && HOTLINE_SERVICES.find((s) => s.code === code)) ||
    offered.find((s) => s.unitId === state.assignee);
  return known ? { code: known.code, name: known.name } : { code: 'hotline', name: '民意快线' };
}

export interface RequestRow {
  state: ItemState;
  /** When this node's copy last changed. */
  updatedAt: Date;
}

/**
 * One item as an Open311 service request. The citizen's contact lines (name, phone, email,
 * account, device) stay in the ledger: a GET is public, so it never returns them.
 */
export function toServiceRequest(
  row: RequestRow,
  ctx: { org: OrgTree; offered: readonly OfferedService[]; now: Date },
): WireRecord {
  const { state } = row;
  const details = parseCaseText(state.description);
  const service = serviceOf(state, ctx.offered);
  return {
    service_request_id: state.id,
    status: open311Status(state.status),
    status_notes: statusNotes(state, ctx.now),
    service_name: service.name,
    service_code: service.code,
    description: details.text,
    agency_responsible: nameOf(ctx.org, state.assignee),
    service_notice: serviceNotice(ctx.org, state),
    requested_datetime: w3(state.assignedAt),
    updated_datetime: w3(state.status === 'closed' && state.closedAt ? state.closedAt : row.updatedAt),
    expected_datetime: w3(state.deadline),
    address: details.address,
    address_id: details.addressId,
    zipcode: null,
    lat: details.lat,
    long: details.long,
    media_url: details.mediaUrl,
  };
}
