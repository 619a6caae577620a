import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
} from 'docx';
import type { OfficialDocument } from '../domain/documents';

export type { OfficialDocument } from '../domain/documents';

/**
 * 党政机关公文格式 (GB/T 9704-2012), as county offices print it: A4; margins top 37 mm, bottom
 * 35 mm, left 28 mm, right 26 mm; 22 lines of 28 characters (三号 16 pt, exact 28 pt line pitch);
 * the issuing body's mark in red 小标宋 centred; the document number centred above a red line the
 * width of the type area; the title in 二号 小标宋; addressee flush left; body in 仿宋 with a
 * two-character first-line indent, level-1 headings (一、…) in 黑体; the issuing body and the date
 * (成文日期, 2026年3月2日) at the bottom right, four characters in from the margin; page numbers
 * "— 1 —" in 四号 宋体.
 *
 * Font names are the ones the office's machines have (方正小标宋简体, 仿宋_GB2312, 黑体); Word and
 * LibreOffice substitute what is installed elsewhere.
 */
export const FONTS = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  heading1: '黑体',
  heading2: '楷体_GB2312',
  pageNumber: '宋体',
} as const;
export const RED = 'FF0000';
export const MARGINS_MM = { top: 37, bottom: 35, left: 28, right: 26 } as const;
const PT = 2; // docx sizes are half-points
const SIZE = { mark: 36 * PT, title: 22 * PT, body: 16 * PT, pageNumber: 14 * PT } as const;
const LINE = 28 * 20; // exact 28 pt, in twips
const CHAR = 16 * 20; // one 三号 character, in twips

/** Millimetres to twips, rounded (docx's own helper truncates: A4 would come out 11905 wide). */
const mm = (v: number) => Math.round((v * 1440) / 25.4);

const font = (name: string) => ({
  ascii: 'Times New Roman',
  hAnsi: 'Times New Roman',
  eastAsia: name,
  cs: name,
});
const run = (text: string, f: string, size: number, extra: { color?: string; bold?: boolean } = {}) =>
  new TextRun({ text, font: font(f), size, ...extra });
const exact = { line: LINE, lineRule: LineRuleType.EXACT };

function bodyParagraph(text: string): Paragraph {
  const level1 = /^[一二三四五六七八九十]+、/.test(text);
  const level2 = /^（[一二三四五六七八九十]+）/.test(text);
  return new Paragraph({
    spacing: exact,
    indent: { firstLine: 2 * CHAR },
    alignment: AlignmentType.JUSTIFIED,
    children: [run(text, level1 ? FONTS.heading1 : level2 ? FONTS.heading2 : FONTS.body, SIZE.body)],
  });
}

const blank = () => new Paragraph({ spacing: exact, children: [run('', FONTS.body, SIZE.body)] });

export async function renderOfficialDocument(doc: OfficialDocument): Promise<Buffer> {
  const children: Paragraph[] = [
    // 版头: the issuing body's mark, red, centred, 35 mm below the top edge of the type area's start.
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 0, after: 0, line: 40 * 20, lineRule: LineRuleType.AT_LEAST },
      children: [run(doc.mark, FONTS.title, SIZE.mark, { color: RED })],
    }),
    blank(),
    // 发文字号, with the red separator line 4 mm below it (a bottom border the width of the type area).
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: exact,
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: RED, space: 11 } },
      children: [run(doc.docNo, FONTS.body, SIZE.body)],
    }),
    blank(),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { line: 35 * 20, lineRule: LineRuleType.EXACT },
      children: [run(doc.title, FONTS.title, SIZE.title)],
    }),
    blank(),
    new Paragraph({ spacing: exact, children: [run(`${doc.addressee}：`, FONTS.body, SIZE.body)] }),
    ...doc.paragraphs.map(bodyParagraph),
    blank(),
    blank(),
    // 署名 and 成文日期: right-aligned, four characters in from the right margin.
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: exact,
      indent: { right: 4 * CHAR },
      children: [run(doc.issuer, FONTS.body, SIZE.body)],
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: exact,
      indent: { right: 4 * CHAR },
      children: [run(doc.date, FONTS.body, SIZE.body)],
    }),
  ];
  if (doc.note) {
    children.push(
      new Paragraph({
        spacing: exact,
        indent: { firstLine: 2 * CHAR },
        children: [run(doc.note, FONTS.body, SIZE.body)],
      }),
    );
  }
  const document = new Document({
    creator: doc.issuer,
    title: doc.title,
    styles: { default: { document: { run: { font: font(FONTS.body), size: SIZE.body } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297) },
            margin: {
              top: mm(MARGINS_MM.top),
              bottom: mm(MARGINS_MM.bottom),
              left: mm(MARGINS_MM.left),
              right: mm(MARGINS_MM.right),
              footer: mm(28),
            },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({
                    children: ['— ', PageNumber.CURRENT, ' —'],
                    font: font(FONTS.pageNumber),
                    size: SIZE.pageNumber,
                  }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}
