/** Progress of long work (imports, PDF export); indeterminate when `value` is undefined. */
export function Progress({ label, value }: { label: string; value?: number }) {
  return (
    <div className="my-2" role="status" aria-live="polite">
      <label className="block text-sm">
        {label}
        <progress className="mt-1 block h-2 w-full" max={1} value={value} aria-label={label} />
      </label>
    </div>
  );
}
