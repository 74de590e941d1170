import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Api } from '../../api/endpoints';
import { keys } from '../../api/hooks';
import type { ImportMode, ImportReport, Rejection } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { Progress } from '../../components/Progress';
import { ProblemView } from '../../components/ProblemView';
import { download, toCsv } from '../../lib/csv';
import type { Engine, LocalImportCheck } from '../../engine';

const cols: ColumnDef<Rejection>[] = [
  { accessorKey: 'row', header: 'Row' },
  { accessorKey: 'column', header: 'Column' },
  { accessorKey: 'code', header: 'Code', cell: (c) => <code>{String(c.getValue())}</code> },
  { accessorKey: 'message', header: 'Problem' },
  { accessorKey: 'value', header: 'Value in file' },
];

export function rejectionsCsv(r: ImportReport): string {
  return toCsv(['row', 'column', 'code', 'message', 'value'], r.rejections.map((x) => [x.row, x.column, x.code, x.message, x.value]));
}

/** Upload CSV/XLS/XLSX, then the report: counts and every rejected row, downloadable as CSV. */
export function ImportPanel({ clinicId, engine }: { clinicId: string; engine: Engine }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('partial');
  const [progress, setProgress] = useState<number | undefined>(undefined);
  const run = useMutation({
    mutationFn: () => {
      setProgress(0);
      return Api.importPatients(clinicId, file!, mode, (f) => setProgress(f < 1 ? f : undefined));
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.patients(clinicId) }),
    onSettled: () => setProgress(undefined),
  });
  const report = run.data;
  const [local, setLocal] = useState<LocalImportCheck | { error: unknown } | null>(null);
  const pick = async (f: File | null) => {
    setFile(f);
    setLocal(null);
    run.reset();
    if (!f) return;
    // The same reader as the server's import, in the browser: problems show before the upload.
    try {
      const checked = engine.checkPatientFile(new Uint8Array(await f.arrayBuffer()));
      if (checked) setLocal(checked);
    } catch (e) {
      setLocal({ error: e });
    }
  };
  return (
    <section aria-labelledby="import-h" className="card mt-6">
      <h2 id="import-h" className="mb-2 text-lg font-semibold">
        Import patients
      </h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (file) run.mutate();
        }}
      >
        <div>
          <label htmlFor="imp-file" className="label">
            File (CSV, XLS or XLSX)
          </label>
          <input id="imp-file" type="file" accept=".csv,.xls,.xlsx,text/csv" className="text-sm" onChange={(e) => void pick(e.target.files?.[0] ?? null)} />
        </div>
        <div>
          <label htmlFor="imp-mode" className="label">
            Mode
          </label>
          <select id="imp-mode" className="input" value={mode} onChange={(e) => setMode(e.target.value as ImportMode)}>
            <option value="dry_run">Dry run (check only)</option>
            <option value="partial">Partial (store valid rows)</option>
            <option value="atomic">Atomic (all or nothing)</option>
          </select>
        </div>
        <button type="submit" className="btn" disabled={!file || run.isPending}>
          Import
        </button>
      </form>
      {local && !report && (
        <div className="mt-2 text-sm" aria-live="polite" data-testid="import-local-check">
          {'error' in local ? (
            <ProblemView error={local.error} title="This file cannot be imported" />
          ) : (
            <p>
              Checked in the browser: {local.accepted} rows valid, {local.rejected} rows with problems. Import to see the server&apos;s report.
            </p>
          )}
        </div>
      )}
      {run.isPending && <Progress label={progress === undefined ? 'Validating on the server…' : 'Uploading…'} value={progress} />}
      <ProblemView error={run.error} title="The file could not be imported" />
      {report && (
        <div className="mt-3" data-testid="import-report">
          <p aria-live="polite">
            {report.rows} rows read: <strong data-testid="import-stored">{report.stored}</strong> stored, {report.valid} valid,{' '}
            <strong data-testid="import-rejected">{report.rejected_rows}</strong> rejected{report.committed ? '' : ' (nothing written)'}.
          </p>
          {report.rejections.length > 0 && (
            <>
              <button
                type="button"
                className="btn-secondary my-2"
                onClick={async () => {
                  // The server's report when it kept one; the same columns written here otherwise.
                  const blob = report.import_id
                    ? await Api.rejectionsCsv(report.import_id).catch(() => new Blob([rejectionsCsv(report)], { type: 'text/csv' }))
                    : new Blob([rejectionsCsv(report)], { type: 'text/csv' });
                  download(blob, 'import-rejections.csv');
                }}
              >
                Download rejection report (CSV)
              </button>
              <DataTable data={report.rejections} columns={cols} caption="Rejected rows" />
            </>
          )}
        </div>
      )}
    </section>
  );
}
