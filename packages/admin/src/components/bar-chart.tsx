export interface Bar {
  label: string;
  /** null: nothing to draw (an endpoint that never answered has no latency), `text` says why. */
  value: number | null;
  /** What is written beside the bar, formatted by the caller (`0 %`, `1.234`, `nunca respondeu`). */
  text: string;
  /** A second series drawn under the first (e.g. upgrades under registrations). */
  value2?: number | null;
  text2?: string;
}

interface BarChartProps {
  title: string;
  bars: Bar[];
  legend?: [string, string];
  /** Shown instead of the chart when there is nothing to draw. */
  empty: string;
  /** Largest value of the scale (100 for percentages); the largest bar otherwise. */
  max?: number;
}

/** A bar as a thin SVG (attributes, not inline styles: the panel's CSP allows no style attribute). */
function Track({ value, max, series }: { value: number | null; max: number; series: 1 | 2 }) {
  const width = value === null ? 0 : Math.max(0, Math.min(100, (value / max) * 100));
  return (
    <svg class="track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="track-bg" x="0" y="0" width="100" height="10" />
      {value !== null && (
        // A visible sliver for 0, so "0 %" is seen as a measured zero, not a missing bar.
        <rect
          class={`bar${series}`}
          x="0"
          y="0"
          width={Math.max(width, value === 0 ? 0.8 : 1.5)}
          height="10"
        />
      )}
    </svg>
  );
}

/**
 * A horizontal bar chart as a real table: readable at 390 px (text is HTML, not scaled SVG), read by
 * screen readers row by row, and an empty state instead of blank axes.
 */
export function BarChart({ title, bars, legend, empty, max }: BarChartProps) {
  const scale =
    max ??
    Math.max(1, ...bars.flatMap((b) => [b.value ?? 0, b.value2 ?? 0]).filter((v) => Number.isFinite(v)));
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p class="chart-empty">{empty}</p>
      ) : (
        <>
          <table class="bars">
            {legend && (
              <thead class="visually-hidden">
                <tr>
                  <th scope="col">{title}</th>
                  <th scope="col">{legend[0]}</th>
                  <th scope="col">{legend[1]}</th>
                </tr>
              </thead>
            )}
            <tbody>
              {bars.map((b) => (
                <tr key={b.label}>
                  <th scope="row">{b.label}</th>
                  <td>
                    <div class="bar-line">
                      <Track value={b.value} max={scale} series={1} />
                      <span class="bar-text">{b.text}</span>
                    </div>
                  </td>
                  {legend && (
                    <td>
                      <div class="bar-line">
                        <Track value={b.value2 ?? null} max={scale} series={2} />
                        <span class="bar-text">{b.text2 ?? ''}</span>
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {legend && (
            <p class="legend">
              <span class="swatch bar1" /> {legend[0]} <span class="swatch bar2" /> {legend[1]}
            </p>
          )}
        </>
      )}
    </figure>
  );
}
