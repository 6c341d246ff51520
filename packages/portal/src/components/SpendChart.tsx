import { formatMoney } from "../format.ts";

export interface DaySpend {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Micro-units. */
  cost: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };

/** A "nice" top for the axis: 1, 2 or 5 times a power of ten, at least the largest value. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Spend per day as bars, drawn as plain SVG (no chart library, no inline styles: colours come from
 * the stylesheet). A table with the same figures follows for screen readers.
 */
export function SpendChart({ days, currency }: { days: DaySpend[]; currency: string }) {
  const max = niceCeiling(Math.max(0, ...days.map((d) => d.cost)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const labelEvery = days.length > 16 ? 5 : 1;
  const total = days.reduce((sum, d) => sum + d.cost, 0);

  return (
    <figure className="chart-figure">
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="spend-chart-title"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="spend-chart-title">
          {`Spend per day this month: ${formatMoney(total, currency)} in total`}
        </title>
        {ticks.map((tick) => {
          const y = PAD.top + plotHeight - (tick / max) * plotHeight;
          return (
            <g key={tick}>
              <line className="gridline" x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} />
              <text x={PAD.left - 6} y={y + 4} textAnchor="end">
                {(tick / 1_000_000).toFixed(2)}
              </text>
            </g>
          );
        })}
        <line
          className="axis"
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={PAD.top + plotHeight}
          y2={PAD.top + plotHeight}
        />
        {days.map((d, index) => {
          const height = (d.cost / max) * plotHeight;
          const x = PAD.left + index * slot + (slot - barWidth) / 2;
          const dayOfMonth = Number(d.day.slice(8, 10));
          return (
            <g key={d.day}>
              <rect
                className="bar"
                x={x}
                y={PAD.top + plotHeight - height}
                width={barWidth}
                height={Math.max(height, d.cost > 0 ? 1 : 0)}
              >
                <title>{`${d.day}: ${formatMoney(d.cost, currency)}`}</title>
              </rect>
              {index % labelEvery === 0 || index === days.length - 1 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 10} textAnchor="middle">
                  {dayOfMonth}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="hint">Spend per day ({currency}), days of this month in UTC.</figcaption>
      <table className="visually-hidden">
        <caption>Spend per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Spend</th>
          </tr>
        </thead>
        <tbody>
          {days
            .filter((d) => d.cost > 0)
            .map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{formatMoney(d.cost, currency)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </figure>
  );
}
