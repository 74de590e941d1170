import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Figures, Report } from '../api/types';

import { pct } from './format';

/** WinAnsi (the standard fonts' encoding) cannot show every character; others print as '?', never throw. */
function safe(s: string): string {
  return s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

/**
 * The report as a printable A4 PDF with real (extractable) text: title, totals, a utilization bar chart per
 * day, and a table per practitioner. `onProgress` gets a fraction as pages are laid out.
 */
export async function reportToPdf(r: Report, onProgress: (f: number) => void = () => {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Clinic report ${r.from} to ${r.to}`);
  doc.setProducer('clinic-scheduling frontend (pdf-lib)');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const W = 595.28;
  const H = 841.89;
  const M = 50;
  let page: PDFPage = doc.addPage([W, H]);
  let y = H - M;
  const text = (s: string, x: number, size = 10, f: PDFFont = font) => page.drawText(safe(s), { x, y, size, font: f, color: rgb(0.1, 0.1, 0.1) });
  const line = (dy = 14) => {
    y -= dy;
    if (y < M) {
      page = doc.addPage([W, H]);
      y = H - M;
    }
  };

  text(`${r.clinic_name}: appointments report`, M, 16, bold);
  line(20);
  text(`From ${r.from} to ${r.to} (exclusive), dates in ${r.time_zone}`, M);
  line(24);
  const totals = (f: Figures) => [
    ['Appointments', String(f.appointments)],
    ['Utilization', pct(f.utilization)],
    ['No-show rate', pct(f.no_show_rate)],
    ['Cancellation rate', pct(f.cancellation_rate)],
    ['Late cancellations', String(f.late_cancellations)],
    ['Booked / available minutes', `${f.booked_minutes} / ${f.available_minutes}`],
  ];
  text('Totals', M, 12, bold);
  line();
  for (const [k, v] of totals(r.totals)) {
    text(k!, M);
    text(v!, M + 200);
    line();
  }
  onProgress(0.3);

  // Utilization per day as bars.
  line(10);
  text('Utilization per day', M, 12, bold);
  line(16);
  const chartH = 120;
  if (y - chartH < M) {
    page = doc.addPage([W, H]);
    y = H - M;
  }
  const days = r.days.slice(0, 62);
  const bw = Math.max(2, Math.min(20, (W - 2 * M) / Math.max(1, days.length) - 2));
  page.drawLine({ start: { x: M, y: y - chartH }, end: { x: W - M, y: y - chartH }, thickness: 0.5 });
  days.forEach((d, i) => {
    const u = Math.max(0, Math.min(1, d.figures.utilization ?? 0));
    page.drawRectangle({ x: M + i * (bw + 2), y: y - chartH, width: bw, height: u * chartH, color: rgb(0.12, 0.25, 0.6) });
  });
  page.drawText('100%', { x: W - M + 4, y: y - 4, size: 7, font });
  page.drawText('0%', { x: W - M + 4, y: y - chartH, size: 7, font });
  y -= chartH + 10;
  line();
  onProgress(0.6);

  text('Per practitioner', M, 12, bold);
  line();
  const cols = [M, M + 150, M + 230, M + 300, M + 380, M + 450];
  ['Practitioner', 'Appts', 'Util.', 'No-show', 'Cancelled', 'Late canc.'].forEach((h, i) => text(h, cols[i]!, 9, bold));
  line();
  for (const p of r.practitioners) {
    const f = p.totals;
    [p.name.slice(0, 28), String(f.appointments), pct(f.utilization), pct(f.no_show_rate), pct(f.cancellation_rate), String(f.late_cancellations)].forEach((v, i) =>
      text(v, cols[i]!, 9),
    );
    line(12);
  }
  onProgress(0.9);
  const bytes = await doc.save();
  onProgress(1);
  return bytes;
}

