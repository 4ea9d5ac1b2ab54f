import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { PetitionText } from '@gozcu/shared';

/** Noto Sans (OFL-1.1), shipped by an npm package so the font travels with the code; embedded (subset) in every PDF. */
const FONT_DIR = dirname(require.resolve('@expo-google-fonts/noto-sans/package.json'));
const FONTS = {
  regular: join(FONT_DIR, '400Regular', 'NotoSans_400Regular.ttf'),
  bold: join(FONT_DIR, '700Bold', 'NotoSans_700Bold.ttf'),
};

const fmt = (n: number | null) => (n === null ? '—' : n.toLocaleString('tr-TR'));
const signed = (n: number | null) => (n === null ? '—' : n > 0 ? `+${fmt(n)}` : fmt(n));

/** Renders a petition as an A4 PDF with an embedded font (Turkish letters as text, not shapes). */
export function renderPetitionPdf(text: PetitionText, meta: { title: string; deadline: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 56, left: 64, right: 64 },
      info: { Title: meta.title, Creator: 'Gözcü', Producer: 'Gözcü' },
      lang: 'tr-TR',
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('regular', FONTS.regular);
    doc.registerFont('bold', FONTS.bold);
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const left = doc.page.margins.left;

    doc.font('bold').fontSize(12).text(text.addressee, { align: 'center', width });
    doc.moveDown(1.5);
    doc.font('bold').fontSize(10.5).text('Konu: ', { continued: true }).font('regular').text(text.subject);
    doc.moveDown();
    doc.font('regular').fontSize(10.5).text(text.body, { align: 'justify', width });
    doc.moveDown();

    if (text.figures.length) {
      const cols = [width * 0.46, width * 0.18, width * 0.18, width * 0.18];
      const row = (cells: string[], font: 'regular' | 'bold') => {
        if (doc.y > doc.page.height - doc.page.margins.bottom - 30) doc.addPage();
        const y = doc.y;
        let x = left;
        doc.font(font).fontSize(9.5);
        const heights = cells.map((c, i) => doc.heightOfString(c, { width: cols[i] - 6 }));
        cells.forEach((c, i) => {
          doc.text(c, x + 3, y + 2, { width: cols[i] - 6, align: i === 0 ? 'left' : 'right' });
          x += cols[i];
        });
        const h = Math.max(...heights) + 4;
        doc
          .moveTo(left, y + h)
          .lineTo(left + width, y + h)
          .lineWidth(0.5)
          .strokeColor('#999999')
          .stroke();
        doc.x = left;
        doc.y = y + h + 1;
      };
      row(['Kalem', 'YSK', 'İmzalı tutanak', 'Fark (YSK − tutanak)'], 'bold');
      for (const r of text.figures) row([r.label, fmt(r.ysk), fmt(r.sheet), signed(r.difference)], 'regular');
      doc.moveDown();
    }

    if (text.evidence.length) {
      doc.font('bold').fontSize(10.5).text('Ekler ve deliller:', left, doc.y, { width });
      doc.font('regular').fontSize(9.5);
      text.evidence.forEach((e, i) => doc.text(`${i + 1}. ${e}`, { width }));
      doc.moveDown();
    }

    doc.font('regular').fontSize(10.5).text(text.requests, left, doc.y, { align: 'justify', width });
    doc.moveDown(2);
    doc.text(text.place, { align: 'right', width });
    doc.moveDown(2);
    doc.font('bold').text(text.signatureName, { align: 'right', width });
    doc.font('regular').text(text.signatureTitle, { align: 'right', width });
    doc.text('İmza', { align: 'right', width });
    doc.moveDown(2);
    doc.fontSize(8).fillColor('#555555').text(`Son itiraz zamanı: ${meta.deadline}`, left, doc.y, { width });
    doc.end();
  });
}
