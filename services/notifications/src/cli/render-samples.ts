/**
 * Writes a sample of each document the office prints to docs/documents/ (.docx), and, where
 * LibreOffice and poppler-utils are installed (Debian: libreoffice-writer, poppler-utils,
 * fonts-noto-cjk), renders page 1 of each to PNG so a reader sees what the office gets.
 *   npx tsx services/notifications/src/cli/render-samples.ts
 * The samples come from the same pure builders the service uses; the tests never need LibreOffice.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoCounty } from '@duban/org';
import { draftBulletin, judge, unitFigures } from '../domain/bulletin';
import { chaseNotice, supervisionNotice, writtenDate } from '../domain/documents';
import { renderOfficialDocument } from '../documents/official';

const out = fileURLToPath(new URL('../../../../docs/documents/', import.meta.url));
const org = demoCounty();
const nameOf = (id: string) => org.find(id)?.name ?? id;
const cst = (s: string) => new Date(`${s}+08:00`);
const item = {
  itemId: '01a21969-9769-7019-bd16-894046c030b2',
  title: '推进产业集聚区标准化厂房建设',
  description:
    '按照县委、县政府年度目标任务安排，加快产业集聚区标准化厂房建设，确保二期12栋厂房主体完工并通过验收，为招商引资项目落地提供承载空间。',
  kind: 'annual-target',
  noticeNo: '督〔2026〕15号',
  priority: 'high',
  leader: '张副县长',
  responsiblePerson: '王局长',
  assigner: 'county',
  assignee: 'unit-025',
  coUnits: ['unit-030', 'unit-041'],
  assignedAt: cst('2026-03-02T09:00:00'),
  ackDeadline: cst('2026-03-03T17:30:00'),
  deadline: cst('2026-03-31T17:30:00'),
  chaseNo: 1,
  chasedAt: cst('2026-04-01T09:00:00'),
};
const thresholds = {
  criticiseBelowRate: 0.8,
  criticiseOverdueAtLeast: 2,
  commendAtRate: 1,
  commendMinDue: 1,
};
const due = (unit: string, day: number, late: boolean | null) => ({
  assignee: unit,
  deadline: cst(`2026-03-${String(day).padStart(2, '0')}T17:30:00`),
  reportedAt: late === null ? null : cst(`2026-03-${String(day + (late ? 2 : 0)).padStart(2, '0')}T10:00:00`),
  closedAt: null,
});
const lines = unitFigures(
  [
    due('unit-025', 10, false),
    due('unit-025', 20, false),
    due('unit-030', 12, false),
    due('unit-041', 5, true),
    due('unit-041', 18, null),
    due('township-chengguan', 16, false),
    due('township-chengguan', 25, true),
  ],
  cst('2026-03-31T18:00:00'),
);
const { commended, criticised } = judge(lines, thresholds);
const bulletin = draftBulletin({
  issuer: nameOf('county'),
  periodLabel: '2026年3月',
  lines,
  commended,
  criticised,
  decisions: [],
  thresholds,
  nameOf,
});

const samples = {
  'supervision-notice': supervisionNotice(item, nameOf, '睢'),
  'chase-notice': chaseNotice(item, nameOf, '睢'),
  bulletin: {
    mark: '睢县县委督查室文件',
    docNo: '睢督通〔2026〕3号',
    title: bulletin.title,
    addressee: '各乡镇党委、政府，县直各单位',
    paragraphs: [...bulletin.paragraphs, '特此通报。'],
    issuer: nameOf('county'),
    date: writtenDate(cst('2026-04-02T10:00:00')),
  },
};

mkdirSync(out, { recursive: true });
for (const [name, doc] of Object.entries(samples)) {
  const file = join(out, `${name}.docx`);
  writeFileSync(file, await renderOfficialDocument(doc));
  console.log(`wrote ${file}`);
  try {
    execFileSync('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', out, file], {
      stdio: 'ignore',
    });
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(out, `${name}.pdf`),
      join(out, name),
    ]);
    rmSync(join(out, `${name}.pdf`));
    console.log(`wrote ${join(out, `${name}.png`)}`);
  } catch (error) {
    console.warn(`no PNG for ${name} (needs soffice and pdftoppm): ${(error as Error).message}`);
  }
}
