import { describe, expect, it } from 'vitest';
import { chaseNotice, supervisionNotice } from '../domain/documents';
import { draftBulletin, judge, unitFigures } from '../domain/bulletin';
import { renderOfficialDocument } from './official';
import { readDocx } from './readBack';

const names: Record<string, string> = {
  county: '睢县县委督查室',
  'unit-002': '县人大常委会办公室',
  'unit-001': '县委办公室',
};
const nameOf = (id: string) => names[id] ?? id;
const cst = (s: string) => new Date(`${s}+08:00`);
const item = {
  itemId: '01a21969-9769-7019-bd16-894046c030b2',
  title: '整改信访积案',
  description: '对张某反映的宅基地纠纷信访积案，依法依规予以化解。',
  kind: 'petition',
  noticeNo: '督〔2026〕7号',
  priority: 'urgent',
  leader: '张副县长',
  responsiblePerson: null,
  assigner: 'county',
  assignee: 'unit-002',
  coUnits: ['unit-001'],
  assignedAt: cst('2026-03-02T09:00:00'),
  ackDeadline: cst('2026-03-03T17:30:00'),
  deadline: cst('2026-03-04T09:00:00'),
  chaseNo: 1,
  chasedAt: cst('2026-03-05T09:00:00'),
};

describe('GB/T 9704 documents', () => {
  it('prints the supervision notice with the red mark, number, red line, title, addressee and date', async () => {
    const doc = await readDocx(await renderOfficialDocument(supervisionNotice(item, nameOf, '睢')));
    const p = (text: string) => doc.paragraphs.find((x) => x.text === text);
    expect(doc.page).toEqual({
      width: 11906,
      height: 16838,
      top: 2098,
      bottom: 1984,
      left: 1587,
      right: 1474,
    });
    expect(doc.paragraphs[0]!.runs[0]).toMatchObject({
      text: '睢县县委督查室文件',
      color: 'FF0000',
      eastAsiaFont: '方正小标宋简体',
    });
    expect(p('睢督〔2026〕7号')).toMatchObject({ align: 'center', borderBottomColor: 'FF0000' });
    expect(p('督促查办事项通知单')).toMatchObject({
      align: 'center',
      runs: [{ eastAsiaFont: '方正小标宋简体', size: 22 }],
    });
    expect(p('县人大常委会办公室：')?.firstLineIndent).toBeNull(); // flush left
    expect(p('一、督办事项')?.runs[0]?.eastAsiaFont).toBe('黑体');
    expect(p(item.description)).toMatchObject({
      firstLineIndent: 640,
      runs: [{ eastAsiaFont: '仿宋_GB2312', size: 16, color: null }],
    });
    expect(doc.paragraphs.some((x) => x.text.includes('协办单位：县委办公室'))).toBe(true);
    expect(doc.paragraphs.at(-2)).toMatchObject({ text: '睢县县委督查室', align: 'right' });
    expect(doc.paragraphs.at(-1)).toMatchObject({ text: '2026年3月2日', align: 'right' });
    expect(doc.footerText).toContain('—');
    // Only the mark is red text; the separator is a red border, not text.
    expect(
      doc.paragraphs
        .flatMap((x) => x.runs)
        .filter((r) => r.color === 'FF0000')
        .map((r) => r.text),
    ).toEqual(['睢县县委督查室文件']);
  });

  it('prints the chase notice from the latest overdue chase', async () => {
    const doc = await readDocx(await renderOfficialDocument(chaseNotice(item, nameOf, '睢')));
    const texts = doc.paragraphs.map((x) => x.text);
    expect(texts).toContain('催办通知书');
    expect(texts).toContain('睢督催〔2026〕7-1号');
    expect(texts.join('')).toContain('截至2026年3月5日 09:00，你单位仍未报送办结报告');
    expect(texts.at(-1)).toBe('2026年3月5日');
  });

  it('drafts a bulletin: figures per unit against the thresholds', () => {
    const now = cst('2026-03-31T18:00:00');
    const lines = unitFigures(
      [
        {
          assignee: 'unit-001',
          deadline: cst('2026-03-10T17:30:00'),
          reportedAt: cst('2026-03-09T10:00:00'),
          closedAt: null,
        },
        { assignee: 'unit-002', deadline: cst('2026-03-10T17:30:00'), reportedAt: null, closedAt: null },
        {
          assignee: 'unit-002',
          deadline: cst('2026-03-11T17:30:00'),
          reportedAt: cst('2026-03-12T09:00:00'),
          closedAt: null,
        },
        { assignee: 'unit-002', deadline: cst('2026-04-11T17:30:00'), reportedAt: null, closedAt: null }, // not due yet
      ],
      now,
    );
    expect(lines).toEqual([
      { unit: 'unit-001', due: 1, closedOnTime: 1, overdue: 0, onTimeRate: 1 },
      { unit: 'unit-002', due: 2, closedOnTime: 0, overdue: 2, onTimeRate: 0 },
    ]);
    const thresholds = {
      criticiseBelowRate: 0.8,
      criticiseOverdueAtLeast: 2,
      commendAtRate: 1,
      commendMinDue: 1,
    };
    const { commended, criticised } = judge(lines, thresholds);
    expect(commended.map((l) => l.unit)).toEqual(['unit-001']);
    expect(criticised.map((l) => l.unit)).toEqual(['unit-002']);
    const draft = draftBulletin({
      issuer: '睢县县委督查室',
      periodLabel: '2026年3月',
      lines,
      commended,
      criticised,
      decisions: [],
      thresholds,
      nameOf,
    });
    expect(draft.title).toBe('关于2026年3月督办事项办理情况的通报');
    expect(draft.paragraphs).toContain(
      '本期共有2个单位的3项督办事项到期，按时办结1项，按时办结率33.3%；逾期未办结2项。',
    );
    expect(draft.paragraphs.join('')).toContain(
      '予以通报表扬：县委办公室（到期1项，按时办结1项，按时办结率100%）',
    );
  });
});
