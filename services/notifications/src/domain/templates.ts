import type { DubanEvent } from '@duban/events';
import { assertNever } from '@duban/kit/errors';

export interface Rendered {
  title: string;
  body: string;
}

/** Formats an instant as Beijing time, the way the office writes it: 2026年12月31日 17:00. */
export function formatChinaTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Said wherever a provisional deadline is shown (ADR 0026). */
export const PROVISIONAL_NOTE = '截止日期为暂定（按法定节假日推算，待国务院公布安排后确认）。';

/** The inbox text of each event a node receives (zh-CN). `nameOf` turns node ids into names. */
const deadline = formatChinaTime;

export function render(event: DubanEvent, nameOf: (id: string) => string): Rendered {
  switch (event.type) {
    case 'tasks.item.assigned':
      return {
        title: `督办通知：${event.data.title}`,
        body: `${nameOf(event.data.assigner)}交办事项（${event.data.noticeNo}），请于${formatChinaTime(event.data.deadline)}前办结并报送办理结果。${event.version === 3 && event.data.deadlineProvisional ? PROVISIONAL_NOTE : ''}`,
      };
    case 'tasks.deadline.replanned':
      return event.data.moved
        ? {
            title: '截止日期调整',
            body: `${event.data.reason}。请于${formatChinaTime(event.data.newDeadline)}前办结并报送办理结果。`,
          }
        : { title: '截止日期确认', body: `${event.data.reason}。` };
    case 'tasks.item.acknowledged':
      return { title: '事项已签收', body: `${nameOf(event.data.assignee)}已签收督办事项。` };
    case 'tasks.item.progressed':
      return {
        title: '办理进展',
        body: `${nameOf(event.data.assignee)}报送办理进展${event.data.percent === null ? '' : `（${event.data.percent}%）`}：${event.data.note}`,
      };
    case 'tasks.report.drafted':
      return { title: '办结报告待签发', body: '办结报告已起草，待单位主要负责人签字后报送。' };
    case 'tasks.item.reported':
      return { title: '收到办结报告', body: `${nameOf(event.data.assignee)}报送了办结报告，请逐项审核。` };
    case 'tasks.item.reviewed': {
      const outcome = { accepted: '审核通过', returned: '退回重办', recheck: '转入复核' }[event.data.outcome];
      return {
        title: `审核结果：${outcome}`,
        body: `${nameOf(event.data.assigner)}审核意见：${outcome}。${event.data.comment}`,
      };
    }
    case 'tasks.item.closed':
      return { title: '事项已办结', body: `${nameOf(event.data.assigner)}审核通过，事项办结。` };
    case 'tasks.item.reopened':
      return { title: '事项复查复议', body: `已办结事项重新启动办理：${event.data.reason}` };
    case 'tasks.extension.requested':
      return { title: '延期申请', body: `${nameOf(event.data.assignee)}申请延期：${event.data.reason}` };
    case 'tasks.extension.approved':
      return {
        title: '延期已批准',
        body: `办理时限延至${formatChinaTime(event.data.newDeadline)}。${event.data.comment}`,
      };
    case 'tasks.extension.refused':
      return { title: '延期未批准', body: `延期申请未获批准，请按原时限办结。${event.data.comment}` };
    case 'tasks.feedback.recorded':
      return {
        title: event.data.audience === 'city' ? '已向市委反馈' : '已向群众反馈',
        body: event.data.content,
      };
    case 'tasks.meeting.held':
      return {
        title: '联席会议',
        body: `${nameOf(event.data.assigner)}召开联席会议，议定事项${event.data.decisionItemIds.length}项。`,
      };
    case 'reminders.item.chased': {
      const deadline = formatChinaTime(event.data.deadline);
      if (event.version === 1) {
        return {
          title: '催办通知',
          body: `督办事项已超过办理期限（${deadline}），请抓紧办理并立即报送办理结果。`,
        };
      }
      switch (event.data.kind) {
        case 'progress':
          return { title: '定期催办', body: `请报送督办事项的最新办理进展（办结时限：${deadline}）。` };
        case 'warning':
          return { title: '到期提醒', body: `督办事项将于${deadline}到期，请按时办结并报送办结报告。` };
        case 'acknowledgement':
          return { title: '签收催办', body: '督办通知已超过签收时限，请立即签收。' };
        case 'overdue':
          return {
            title: '逾期催办通知',
            body: `督办事项已超过办理期限（${deadline}），请抓紧办理并立即报送办理结果。本通知抄送单位主要负责人。`,
          };
        default:
          return assertNever(event.data.kind, 'chase kind');
      }
    }
    case 'reminders.item.escalated': {
      if (event.version === 1) {
        return {
          title: '督办升级',
          body: `${nameOf(event.data.assignee)}承办的督办事项逾期未办结，现提请${nameOf(event.data.escalatedTo)}督办。`,
        };
      }
      const to = {
        'unit-head': '单位主要负责人',
        supervisor: '上级督查部门',
        leader: '分包县领导',
        committee: '督查工作委员会',
      }[event.data.step];
      return {
        title: `督办升级（第${event.data.level}级：${to}）`,
        body: `${nameOf(event.data.assignee)}承办的督办事项逾期未办结（时限${deadline(event.data.deadline)}）。${event.data.reason}${event.data.leader ? `（分包领导：${event.data.leader}）` : ''}。`,
      };
    }
    case 'reminders.calendar.amended':
      return { title: '工作日历更新', body: `${event.data.name}（版本 ${event.data.version}）` };
    case 'scoring.decision.recorded': {
      const what = event.data.kind === 'commendation' ? '通报表扬' : '通报批评';
      const by = event.data.body === 'committee' ? '督查工作委员会' : '督查工作委员会办公室';
      const sign = event.data.points > 0 ? `+${event.data.points}` : String(event.data.points);
      return {
        title: `${what}（${sign}分）`,
        body: `${by}对${nameOf(event.data.unit)}${what}：${event.data.reason}`,
      };
    }
    case 'scoring.appeal.filed':
      return {
        title: '收到申诉',
        body: `${nameOf(event.data.unit)}对通报决定提出申诉：${event.data.reason}`,
      };
    case 'scoring.appeal.decided':
      return {
        title: event.data.upheld ? '申诉未予支持' : '申诉成立',
        body: event.data.upheld ? `维持原决定。${event.data.comment}` : `撤销原决定。${event.data.comment}`,
      };
    case 'scoring.decision.reversed':
      return {
        title: '通报决定已撤销',
        body: `经申诉复核，撤销对${nameOf(event.data.unit)}的通报决定：${event.data.reason}`,
      };
    case 'scoring.sanction.lifted':
      return {
        title: event.data.kind === 'admonishment' ? '诫勉谈话已撤销' : '评先资格已恢复',
        body: event.data.reason,
      };
    case 'scoring.proposal.decided':
      return {
        title: event.data.accepted ? '通报批评建议已采纳' : '通报批评建议未采纳',
        body: `${nameOf(event.data.unit)}：${event.data.comment}`,
      };
    case 'scoring.referral.recorded':
      return {
        title: event.data.to === 'discipline-commission' ? '移交纪委监委追责' : '移交组织部处理',
        body: `${nameOf(event.data.unit)}：${event.data.reason}`,
      };
    case 'scoring.sanction.imposed':
      return {
        title: event.data.kind === 'admonishment' ? '诫勉谈话' : '取消评先资格',
        body: event.data.reason,
      };
    case 'notifications.bulletin.published': {
      const named = [
        ...event.data.commended.map((l) => `${nameOf(l.unit)}（表扬）`),
        ...event.data.criticised.map((l) => `${nameOf(l.unit)}（批评）`),
      ];
      return {
        title: `督查通报：${event.data.title}`,
        body: `${nameOf(event.source)}印发${event.data.docNo}，通报${named.join('、') || '有关单位'}。`,
      };
    }
    case 'tasks.item.transferred':
      return {
        title: `督办事项转交：${event.data.item.title}`,
        body: `${event.data.note}：${event.data.fromName}承办的事项（${event.data.item.noticeNo}）由${event.data.toName}接办，时限${formatChinaTime(event.data.item.deadline)}。`,
      };
    case 'org.unit.added':
    case 'org.unit.renamed':
    case 'org.unit.moved':
    case 'org.unit.merged':
    case 'org.unit.abolished':
      // Not read by the notifications consumer (duban.org); named so a new type still fails here.
      return {
        title: '机构调整',
        body: `${nameOf(event.source)}调整机构：${event.type}（${event.data.unitId}）`,
      };
    case 'security.key.rotated':
      // Never reaches an inbox (the notifications consumer does not read duban.security); named here
      // so a new event type still fails this switch until someone decides how it reads.
      return { title: '节点密钥已轮换', body: `${nameOf(event.source)}启用新签名密钥 ${event.data.keyId}` };
    default:
      return assertNever(event, 'event');
  }
}
