/** A small accessible SVG bar chart: the figure is described by a title and the values are in a table too. */
export function BarChart({ title, data, format, max }: { title: string; data: { label: string; value: number | null }[]; format: (v: number | null) => string; max?: number }) {
  const top = max ?? Math.max(0.0001, ...data.map((d) => d.value ?? 0));
  const W = 600;
  const H = 160;
  const bw = data.length ? W / data.length : W;
  const id = title.replace(/\W+/g, '-').toLowerCase();
  return (
    <figure className="card">
      <figcaption id={`${id}-cap`} className="mb-2 font-semibold">
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-labelledby={`${id}-cap`} className="h-auto w-full">
        <line x1={0} y1={H} x2={W} y2={H} stroke="#475569" />
        {data.map((d, i) => {
          const h = ((d.value ?? 0) / top) * (H - 10);
          return (
            <g key={d.label}>
              <rect x={i * bw + 1} y={H - h} width={Math.max(1, bw - 2)} height={h} fill="#1e40af">
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {data.length <= 16 && (
                <text x={i * bw + bw / 2} y={H + 14} fontSize="10" textAnchor="middle" fill="#334155">
                  {d.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details className="mt-1 text-sm">
        <summary className="cursor-pointer">Values</summary>
        <table className="mt-1">
          <tbody>
            {data.map((d) => (
              <tr key={d.label}>
                <th scope="row" className="pr-3 text-left font-normal">
                  {d.label}
                </th>
                <td className="font-mono">{format(d.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
