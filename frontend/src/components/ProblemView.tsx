import type { Problem } from '../api/types';
import { problemWords, toProblem } from '../api/problem';

/** An error in words, with the stable code and the server's details one click away. */
export function ProblemView({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const p: Problem = toProblem(error);
  const items = [...(p.violations ?? []).map((v) => v.message), ...(p.errors ?? []).map((e) => `${e.field ? e.field + ': ' : ''}${e.message}`)];
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-900" data-code={p.code}>
      <p className="font-semibold">{title ?? problemWords(p)}</p>
      {title && items.length === 0 && <p>{problemWords(p)}</p>}
      {items.length > 0 && (
        <ul className="ml-5 list-disc">
          {items.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      <details className="mt-1 text-sm">
        <summary className="cursor-pointer">Details</summary>
        <p>
          Code: <code className="font-mono">{p.code}</code>
          {p.status ? ` · HTTP ${p.status}` : ''}
        </p>
        {p.instance && <p>Instance: {p.instance}</p>}
      </details>
    </div>
  );
}
