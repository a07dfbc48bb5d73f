/** Repeated measurements summarised honestly: the median and the whole spread. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min, max and count of the samples. */
export function stat(samples: number[]): Stat {
  if (samples.length === 0) throw new Error("no samples");
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)!, runs: s.length };
}

/** Runs f `runs` times in sequence and summarises the milliseconds it returns. */
export async function repeat(runs: number, f: () => Promise<number>): Promise<Stat> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await f());
  return stat(samples);
}

/** "812 ms (790–845, n=5)". */
export function fmtStat(s: Stat, unit = "ms", digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  return s.runs === 1 ? `${f(s.median)} ${unit}` : `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)}, n=${s.runs})`;
}
