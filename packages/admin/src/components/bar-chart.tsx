interface Bar {
  label: string;
  value: number;
  /** A second series drawn beside the first (e.g. upgrades beside registrations). */
  value2?: number;
}

interface BarChartProps {
  title: string;
  bars: Bar[];
  legend?: [string, string];
  unit?: string;
}

/** A small accessible SVG bar chart: the numbers are also in a table for screen readers. */
export function BarChart({ title, bars, legend, unit = '' }: BarChartProps) {
  const max = Math.max(1, ...bars.flatMap((b) => [b.value, b.value2 ?? 0]));
  const width = 600;
  const height = 160;
  const slot = width / Math.max(1, bars.length);
  const barWidth = Math.min(48, legend ? slot * 0.38 : slot * 0.7);
  const groupWidth = legend ? barWidth * 2 : barWidth;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 -14 ${width} ${height + 34}`} role="img" aria-label={title} preserveAspectRatio="none">
        {bars.map((b, i) => {
          const h1 = (b.value / max) * height;
          const h2 = ((b.value2 ?? 0) / max) * height;
          const x = i * slot + (slot - groupWidth) / 2;
          return (
            <g key={b.label}>
              <rect class="bar1" x={x} y={height - h1} width={barWidth} height={h1}>
                <title>{`${b.label}: ${b.value}${unit}`}</title>
              </rect>
              {b.value > 0 && (
                <text x={x + barWidth / 2} y={height - h1 - 3} text-anchor="middle" class="value">
                  {b.value}
                </text>
              )}
              {legend && (
                <rect class="bar2" x={x + barWidth} y={height - h2} width={barWidth} height={h2}>
                  <title>{`${b.label}: ${b.value2 ?? 0}${unit}`}</title>
                </rect>
              )}
              <text x={x + groupWidth / 2} y={height + 14} text-anchor="middle" class="axis">
                {bars.length > 8 ? b.label.slice(-2) : b.label}
              </text>
            </g>
          );
        })}
      </svg>
      {legend && (
        <p class="legend">
          <span class="swatch bar1" /> {legend[0]} <span class="swatch bar2" /> {legend[1]}
        </p>
      )}
      <table class="visually-hidden">
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td>{b.value}</td>
              {legend && <td>{b.value2 ?? 0}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
