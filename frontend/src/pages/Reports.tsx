import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Api } from '../api/endpoints';
import { keys, useClinic } from '../api/hooks';
import { BarChart } from '../components/BarChart';
import { Progress } from '../components/Progress';
import { ProblemView } from '../components/ProblemView';
import { download } from '../lib/csv';
import { pct, reportCsv } from '../lib/format';
import { addDays, today } from '../lib/time';

export function Reports() {
  const { clinic, clinicId, error: clinicError } = useClinic();
  const tz = clinic?.time_zone ?? 'UTC';
  const t = today(tz);
  const [from, setFrom] = useState(() => addDays(t, -14));
  const [to, setTo] = useState(() => addDays(t, 14));
  const [applied, setApplied] = useState<{ from: string; to: string } | null>(null);
  const [pdfProgress, setPdfProgress] = useState<number | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const range = applied ?? { from, to };
  const report = useQuery({
    queryKey: [...keys.report(clinicId ?? ''), range.from, range.to],
    queryFn: () => Api.report(clinicId!, range.from, range.to),
    enabled: !!clinicId,
  });
  const r = report.data;
  const rangeError = from && to && to <= from ? 'The end date must be after the start date' : '';

  const exportPdf = async () => {
    if (!r) return;
    setExportError(null);
    setPdfProgress(0);
    try {
      // pdf-lib is loaded on first export only: it is most of the bundle.
      const { reportToPdf } = await import('../lib/reportPdf');
      const bytes = await reportToPdf(r, setPdfProgress);
      download(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), `clinic-report-${r.from}-${r.to}.pdf`);
    } catch (e) {
      setExportError(e);
    } finally {
      setPdfProgress(null);
    }
  };

  return (
    <section aria-labelledby="rep-h">
      <h1 id="rep-h" className="h1">
        Reports
      </h1>
      <form
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!rangeError) setApplied({ from, to });
        }}
      >
        <div>
          <label htmlFor="rep-from" className="label">
            From
          </label>
          <input id="rep-from" type="date" className="input" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor="rep-to" className="label">
            To (exclusive)
          </label>
          <input
            id="rep-to"
            type="date"
            className="input"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            aria-invalid={!!rangeError}
            aria-describedby={rangeError ? 'rep-range-err' : undefined}
          />
        </div>
        <button type="submit" className="btn" disabled={!!rangeError}>
          Show
        </button>
        <button type="button" className="btn-secondary" disabled={!r || pdfProgress !== null} onClick={exportPdf}>
          Export PDF
        </button>
        <button
          type="button"
          className="btn-secondary"
          disabled={!r}
          onClick={async () => {
            if (!r || !clinicId) return;
            // The server's CSV (the core's tidy table); offline, the same figures written here.
            const text = await Api.reportCsv(clinicId, r.from, r.to).catch(() => reportCsv(r));
            download(new Blob([text], { type: 'text/csv' }), `clinic-report-${r.from}-${r.to}.csv`);
          }}
        >
          Export CSV
        </button>
      </form>
      {rangeError && (
        <p id="rep-range-err" className="field-error" role="alert">
          {rangeError}
        </p>
      )}
      {pdfProgress !== null && <Progress label="Building the PDF…" value={pdfProgress} />}
      <ProblemView error={clinicError ?? report.error ?? exportError} />
      {report.isLoading && <p>Loading…</p>}
      {r && (
        <>
          <dl className="mb-4 grid gap-3 sm:grid-cols-4" data-testid="report-totals">
            {[
              ['Appointments', String(r.totals.appointments)],
              ['Utilization', pct(r.totals.utilization)],
              ['No-show rate', pct(r.totals.no_show_rate)],
              ['Cancellation rate', pct(r.totals.cancellation_rate)],
            ].map(([k, v]) => (
              <div key={k} className="card">
                <dt className="text-sm">{k}</dt>
                <dd className="text-2xl font-bold">{v}</dd>
              </div>
            ))}
          </dl>
          <div className="grid gap-4 lg:grid-cols-3">
            <BarChart title="Utilization per day" data={r.days.map((d) => ({ label: d.date, value: d.figures.utilization }))} format={pct} max={1} />
            <BarChart title="No-show rate per week" data={r.weeks.map((w) => ({ label: w.week, value: w.figures.no_show_rate }))} format={pct} max={1} />
            <BarChart title="Cancellations per day" data={r.days.map((d) => ({ label: d.date, value: d.figures.by_status.cancelled }))} format={(v) => String(v ?? 0)} />
          </div>
        </>
      )}
    </section>
  );
}
