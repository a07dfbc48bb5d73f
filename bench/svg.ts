/** A dependency-free SVG line chart: the bench draws its own figures. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines (e.g. the EIP-1108 pairing floor). */
  references?: { name: string; y: number; color: string }[];
}

function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(t);
  return ticks;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** A line chart as a standalone SVG document. */
export function lineChart(spec: ChartSpec, width = 640, height = 400): string {
  const m = { left: 80, right: 20, top: 40, bottom: 55 };
  const all = spec.series.flatMap((s) => s.points);
  const ys = [...all.map((p) => p.y), ...(spec.references ?? []).map((r) => r.y)];
  const [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  const [y0, y1] = [0, Math.max(...ys) * 1.08];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const sy = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const fmt = (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toLocaleString("en-US")}k` : v.toLocaleString("en-US"));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    out.push(`<text x="${sx(t)}" y="${height - m.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`);
  out.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  (spec.references ?? []).forEach((r, i) => {
    // Alternate labels above and below their lines: reference lines often sit close together.
    const dy = i % 2 === 0 ? -5 : 14;
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="${r.color}" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${width - m.right - 4}" y="${sy(r.y) + dy}" text-anchor="end" fill="${r.color}">${esc(r.name)}</text>`);
  });
  spec.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ")}"/>`,
    );
    for (const p of pts) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    out.push(`<text x="${m.left + 10}" y="${m.top + 16 + 16 * i}" fill="${s.color}">${esc(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  /** One group of bars per category (x axis). */
  categories: string[];
  /** One bar per series in each category; values[i] belongs to categories[i]. */
  series: { name: string; color: string; values: number[] }[];
  /** Written above each bar. */
  format(v: number): string;
  /** Log scale with the bars standing on 1: for ratios that span orders of magnitude. */
  logRatio?: boolean;
  references?: { name: string; y: number; color: string }[];
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

/** A grouped bar chart as a standalone SVG document. */
export function barChart(spec: BarChartSpec, width = 640, height = 400): string {
  const m = { left: 80, right: 20, top: 60, bottom: 55 };
  const values = [...spec.series.flatMap((s) => s.values), ...(spec.references ?? []).map((r) => r.y)];
  const plotH = height - m.top - m.bottom;
  const [y0, y1] = spec.logRatio ? [Math.min(0.8, ...values.map((v) => v / 1.3)), Math.max(...values) * 1.6] : [0, Math.max(...values) * 1.12];
  const sy = spec.logRatio
    ? (y: number) => height - m.bottom - (Math.log(y / y0) / Math.log(y1 / y0)) * plotH
    : (y: number) => height - m.bottom - (y / (y1 || 1)) * plotH;
  const base = spec.logRatio ? 1 : 0;
  const groupW = (width - m.left - m.right) / spec.categories.length;
  const barW = (groupW * 0.7) / spec.series.length;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  for (const t of spec.logRatio ? logTicks(y0, y1) : niceTicks(0, y1)) {
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="${t === base ? "#999" : "#e5e5e5"}"/>`);
    out.push(`<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t.toLocaleString("en-US")}${spec.logRatio ? "×" : ""}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`);
  out.push(`<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  spec.categories.forEach((cat, ci) => {
    const gx = m.left + ci * groupW + groupW * 0.15;
    out.push(`<text x="${(gx + groupW * 0.35).toFixed(1)}" y="${height - m.bottom + 16}" text-anchor="middle">${esc(cat)}</text>`);
    spec.series.forEach((s, si) => {
      const v = s.values[ci]!;
      const x = gx + si * barW;
      const [top, bottom] = [Math.min(sy(v), sy(base)), Math.max(sy(v), sy(base))];
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(1, bottom - top).toFixed(1)}" fill="${s.color}"/>`,
      );
      out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="11">${esc(spec.format(v))}</text>`);
    });
  });
  (spec.references ?? []).forEach((r) => {
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="${r.color}" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${width - m.right - 4}" y="${sy(r.y) + 14}" text-anchor="end" fill="${r.color}">${esc(r.name)}</text>`);
  });
  // The legend is one row under the title, clear of the bars.
  spec.series.forEach((s, i) => out.push(`<text x="${m.left + 10 + 140 * i}" y="44" fill="${s.color}">■ ${esc(s.name)}</text>`));
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
