// A small bar chart of counts per time bucket, oldest on the left. One or two series; the
// second is drawn over the first, narrower, so signals and deliveries can share a chart.
export interface SparklineProps {
  values: readonly number[];
  /** Drawn over `values` (deliveries over signals). */
  overlay?: readonly number[];
  width: number;
  height: number;
  /** What the chart shows, for screen readers and as a tooltip. */
  label: string;
}

export function Sparkline({ values, overlay, width, height, label }: SparklineProps) {
  const max = Math.max(1, ...values, ...(overlay ?? []));
  const n = values.length || 1;
  const w = width / n;
  const bar = (v: number, i: number, cls: string, inset: number) =>
    v > 0 ? (
      <rect
        key={`${cls}${i}`}
        className={cls}
        x={i * w + inset}
        width={Math.max(1, w - 2 * inset)}
        // Square-root scale: one event still shows next to a burst of hundreds.
        y={height - Math.max(1, Math.sqrt(v / max) * height)}
        height={Math.max(1, Math.sqrt(v / max) * height)}
      />
    ) : null;
  return (
    <svg className="pv-spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="pv-spark-base" />
      {values.map((v, i) => bar(v, i, 'pv-spark-a', 0.5))}
      {overlay?.map((v, i) => bar(v, i, 'pv-spark-b', w * 0.25))}
    </svg>
  );
}
