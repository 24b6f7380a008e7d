/**
 * Small SVG charts for the dashboard, built as strings (no chart library, no
 * network): horizontal bars for mastery and usage, columns for activity.
 * Colours come from VS Code's theme variables; every label is escaped.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

export interface Bar {
  label: string;
  value: number;
  /** Text shown at the end of the bar. */
  note?: string;
}

/** Horizontal bars; `max` fixes the scale (100 for percentages). */
/** Labels longer than this are shortened (the full text stays in the row's tooltip). */
const MAX_LABEL = 44;

export function barChart(bars: Bar[], options: { max?: number; title: string; emptyText: string }): string {
  if (bars.length === 0) {
    return `<p class="empty">${escapeHtml(options.emptyText)}</p>`;
  }
  const rowHeight = 26;
  // Room for the longest label (module names run to 30+ characters), about 7 px a character.
  const longest = Math.max(...bars.map((b) => Math.min(b.label.length, MAX_LABEL)));
  const labelWidth = Math.max(120, Math.min(MAX_LABEL * 7 + 12, longest * 7 + 12));
  const barWidth = 280;
  const width = labelWidth + barWidth + 90;
  const max = options.max ?? Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight + 8;
  const rows = bars
    .map((bar, i) => {
      const y = i * rowHeight + 4;
      const w = Math.max(0, Math.min(1, bar.value / max)) * barWidth;
      const label = bar.label.length > MAX_LABEL ? `${bar.label.slice(0, MAX_LABEL - 1)}…` : bar.label;
      return (
        `<g class="row"><title>${escapeHtml(`${bar.label}: ${bar.note ?? bar.value}`)}</title>` +
        `<text x="0" y="${y + 17}" class="label">${escapeHtml(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="16" class="track" rx="3"/>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="16" class="bar" rx="3"/>` +
        `<text x="${labelWidth + barWidth + 8}" y="${y + 17}" class="value">${escapeHtml(bar.note ?? String(bar.value))}</text></g>`
      );
    })
    .join("");
  return `<svg class="chart bars" role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${rows}</svg>`;
}

export interface Column {
  label: string;
  value: number;
  secondary?: number;
}

/** Columns over time (attempts, with solved drawn inside). */
export function columnChart(columns: Column[], options: { title: string; emptyText: string }): string {
  if (columns.length === 0 || columns.every((c) => c.value === 0)) {
    return `<p class="empty">${escapeHtml(options.emptyText)}</p>`;
  }
  const width = 560;
  const height = 160;
  const bottom = height - 22;
  const max = Math.max(1, ...columns.map((c) => c.value));
  const step = width / columns.length;
  const colWidth = Math.max(2, step * 0.7);
  const parts = columns.map((c, i) => {
    const x = i * step + (step - colWidth) / 2;
    const h = (c.value / max) * (bottom - 10);
    const h2 = ((c.secondary ?? 0) / max) * (bottom - 10);
    const tick = i === 0 || i === columns.length - 1 || i % Math.ceil(columns.length / 6) === 0
      ? `<text x="${(x + colWidth / 2).toFixed(1)}" y="${height - 6}" class="tick" text-anchor="middle">${escapeHtml(c.label.slice(5))}</text>`
      : "";
    return (
      `<g><title>${escapeHtml(`${c.label}: ${c.value} attempts, ${c.secondary ?? 0} solved`)}</title>` +
      `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${colWidth.toFixed(1)}" height="${h.toFixed(1)}" class="bar"/>` +
      `<rect x="${x.toFixed(1)}" y="${(bottom - h2).toFixed(1)}" width="${colWidth.toFixed(1)}" height="${h2.toFixed(1)}" class="bar2"/></g>${tick}`
    );
  });
  return `<svg class="chart columns" role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet"><line x1="0" y1="${bottom}" x2="${width}" y2="${bottom}" class="axis"/>${parts.join("")}</svg>`;
}
