import { PROVISIONAL_NOTE, formatChinaTime } from './templates';

/** A document in the GB/T 9704 layout, as plain data; documents/official.ts prints it. */
export interface OfficialDocument {
  /** 发文机关标志, e.g. 睢县县委督查室文件. */
  mark: string;
  /** 发文字号, e.g. 睢督〔2026〕3号. */
  docNo: string;
  title: string;
  /** 主送机关, e.g. 各乡镇党委、政府，县直各单位 (the colon is added). */
  addressee: string;
  /** Body paragraphs; one starting 一、 (…十、) is a level-1 heading, （一）a level-2 one. */
  paragraphs: readonly string[];
  /** 发文机关署名. */
  issuer: string;
  /** 成文日期, written out (see writtenDate). */
  date: string;
  note?: string;
}

/** 成文日期 as GB/T 9704-2012 writes it: 2026年3月2日 (no leading zeros), Beijing time. */
export function writtenDate(at: Date): string {
  const d = new Date(at.getTime() + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** The county's one-character abbreviation that heads its document numbers (睢县 → 睢). */
export function countyAbbreviation(countyOfficeName: string): string {
  return countyOfficeName.slice(0, 1);
}

const KIND_NAMES: Record<string, string> = {
  'annual-target': '年度目标任务',
  project: '经济和项目工作',
  'major-event': '重大活动',
  petition: '信访稳定',
  conduct: '干部作风',
  'leader-instruction': '领导批示件',
  hotline: '民意快线',
};
const PRIORITY_NAMES: Record<string, string> = { normal: '一般', high: '紧急', urgent: '特急' };

export interface NoticeFacts {
  itemId: string;
  title: string;
  description: string;
  kind: string;
  noticeNo: string;
  priority: string;
  leader: string | null;
  responsiblePerson: string | null;
  assigner: string;
  assignee: string;
  coUnits: readonly string[];
  assignedAt: Date;
  ackDeadline: Date | null;
  deadline: Date;
  /** ADR 0026: the deadline was computed on the provisional calendar. */
  deadlineProvisional?: boolean;
  chaseNo: number;
  chasedAt: Date | null;
}

type NameOf = (id: string) => string;

/** 督促查办事项通知单: what the assigner prints and sends with an assignment. */
export function supervisionNotice(item: NoticeFacts, nameOf: NameOf, abbreviation: string): OfficialDocument {
  const issuer = nameOf(item.assigner);
  const paragraphs = [
    `现将“${item.title}”列为督办事项（${KIND_NAMES[item.kind] ?? item.kind}，${PRIORITY_NAMES[item.priority] ?? item.priority}），交由你单位牵头办理。有关事项通知如下：`,
    '一、督办事项',
    item.description.trim() || item.title,
    '二、办理要求',
    `（一）请于${item.ackDeadline ? formatChinaTime(item.ackDeadline.toISOString()) : '收到通知后1个工作日内'}前签收，明确责任领导和具体责任人。`,
    `（二）请于${formatChinaTime(item.deadline.toISOString())}前办结，并将办理结果经单位主要负责人签字后书面报送${issuer}。${item.deadlineProvisional ? PROVISIONAL_NOTE : ''}`,
    ...(item.coUnits.length > 0
      ? [`（三）协办单位：${item.coUnits.map(nameOf).join('、')}，请密切配合，共同推进。`]
      : []),
    '三、有关事项',
    [
      item.leader ? `分包县领导：${item.leader}。` : '',
      item.responsiblePerson ? `责任人：${item.responsiblePerson}。` : '',
      `逾期未办结的，将按规定予以催办、督办升级直至通报。`,
    ].join(''),
  ];
  return {
    mark: `${issuer}文件`,
    docNo: `${abbreviation}${item.noticeNo}`,
    title: '督促查办事项通知单',
    addressee: nameOf(item.assignee),
    paragraphs,
    issuer,
    date: writtenDate(item.assignedAt),
  };
}

/** 催办通知书: for an item past its deadline, printed from its latest overdue chase. */
export function chaseNotice(item: NoticeFacts, nameOf: NameOf, abbreviation: string): OfficialDocument {
  const issuer = nameOf(item.assigner);
  const chasedAt = item.chasedAt ?? item.deadline;
  return {
    mark: `${issuer}文件`,
    docNo: `${abbreviation}${item.noticeNo.replace('〔', '催〔').replace(/号$/, `-${item.chaseNo}号`)}`,
    title: '催办通知书',
    addressee: nameOf(item.assignee),
    paragraphs: [
      `${writtenDate(item.assignedAt)}交由你单位办理的督办事项“${item.title}”（${abbreviation}${item.noticeNo}），办理时限为${formatChinaTime(item.deadline.toISOString())}。截至${formatChinaTime(chasedAt.toISOString())}，你单位仍未报送办结报告，已超过办理期限。`,
      `现予第${item.chaseNo}次催办。请你单位接此通知后，立即组织力量抓紧办理，并于2个工作日内将办理结果及逾期原因书面报送${issuer}。`,
      '逾期仍未办结的，将按规定提请上级督办，并视情予以通报批评。本通知书抄送你单位主要负责人。',
    ],
    issuer,
    date: writtenDate(chasedAt),
  };
}
