/**
 * `zkml bench`: the matrix of models × proof systems, written as JSON (with the machine) and as
 * a Markdown table under bench/results/.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { PACKAGE_ROOT } from "../core/package_files.js";
import os from "node:os";
import path from "node:path";
import { releaseCurves } from "../src/index.js";
import type { ProofSystem } from "../core/proof_system.js";
import { measureCell, type CellResult, type ModelSpec } from "./cell.js";
import { machineInfo, machineLabel } from "./machine.js";
import { gasVsPublicSignals } from "./public_signals.js";
import { sizeSweep } from "./sweep.js";
import { measureThroughput } from "./throughput.js";
import { comparePrivateWeights, gasChart, markdownReport, naiveChart, sweepChart, type BenchResult } from "./report.js";

const ROOT = PACKAGE_ROOT;

export const BUNDLED_MODELS: ModelSpec[] = [
  {
    name: "tiny-mlp",
    onnx: path.join(ROOT, "examples/tiny-mlp/tiny-mlp.onnx"),
    input: path.join(ROOT, "examples/tiny-mlp/input.json"),
    calibration: path.join(ROOT, "examples/tiny-mlp/calibration.json"),
    systems: ["groth16", "plonk", "fflonk"],
  },
  {
    name: "mnist-mlp",
    onnx: path.join(ROOT, "examples/mnist/mnist-mlp.onnx"),
    input: path.join(ROOT, "examples/mnist/digits/digit-7.json"),
    calibration: path.join(ROOT, "examples/mnist/calibration.json"),
    // PLONK/FFLONK: the MLP's free linear layers become 130,460 PLONK gates (2^17 domain; FFLONK
    // would need a 2^20 ptau). Measured once by hand, see docs/BENCHMARKS.md, not per bench run.
    systems: ["groth16"],
  },
];

export interface BenchOptions {
  models: ModelSpec[];
  /** Systems of the gas curve (default: Groth16 only). */
  curveSystems?: ProofSystem[];
  /** Public-signal counts for the gas curve (empty: skip it). */
  signalCounts: number[];
  /** Layer widths of the size sweep's dense networks (empty: skip it). */
  sweepSizes: number[][];
  /** Only these systems (default: every system each model lists). */
  systems?: ProofSystem[];
  /** Models (by name) measured a second time with weights as private inputs, side by side. */
  privateWeights: string[];
  /** Worker-pool sizes for the throughput measurement on the last model (empty: skip it). */
  throughputWorkers: number[];
  runs: number;
  coldRuns: number;
  /** Where results go (default bench/results). */
  resultsDir?: string;
  progress(message: string): void;
}

export type { BenchResult, PrivateVsConstants } from "./report.js";
export { comparePrivateWeights, markdownReport } from "./report.js";

/** Every system a model lists, then (Groth16) its private-weights twin beside the constants cell. */
function cellSpecs(opts: BenchOptions) {
  return opts.models.flatMap((m) =>
    (m.systems ?? ["groth16"])
      .filter((x) => !opts.systems || opts.systems.includes(x))
      .flatMap((system) => {
        const cell = { ...m, system };
        return system === "groth16" && opts.privateWeights.includes(m.name) ? [cell, { ...cell, weights: "private" as const }] : [cell];
      }),
  );
}

type Extras = Pick<BenchResult, "throughput" | "gasVsPublicSignals" | "sizeSweep" | "errors">;

/**
 * Throughput, the gas curve and the size sweep. A failure in one of these is recorded in
 * `errors` and must not throw away the cells measured before it.
 */
async function measureExtras(opts: BenchOptions, workDir: string, t0: number): Promise<Extras> {
  const out: Extras = { throughput: null, gasVsPublicSignals: null, sizeSweep: null, errors: [] };
  const say = (m: string) => opts.progress(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}`);
  const attempt = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      out.errors.push(`${what}: ${(e as Error).message.split("\n")[0]!.slice(0, 300)}`);
      opts.progress(`${what} FAILED: ${out.errors.at(-1)}`);
    }
  };
  const lastModel = opts.models.at(-1);
  if (opts.throughputWorkers.length && lastModel) {
    await attempt("throughput", async () => {
      const points = await measureThroughput(path.join(workDir, lastModel.name), lastModel.input, opts.throughputWorkers, opts.runs, (m) =>
        say(`${lastModel.name} ${m}`),
      );
      out.throughput = { model: lastModel.name, points };
    });
  }
  if (opts.signalCounts.length) {
    await attempt("gas vs public signals", async () => {
      out.gasVsPublicSignals = await gasVsPublicSignals(opts.signalCounts, workDir, say, opts.curveSystems);
    });
  }
  if (opts.sweepSizes.length) {
    await attempt("size sweep", async () => {
      out.sizeSweep = await sizeSweep(opts.sweepSizes, opts.runs, workDir, say);
    });
  }
  return out;
}

/** Writes the result's JSON, its charts and the Markdown report that links them. */
async function writeBenchReports(result: BenchResult, opts: BenchOptions) {
  const dir = opts.resultsDir ?? path.resolve("bench", "results");
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${result.date.slice(0, 10)}-${machineLabel(result.machine)}`);
  await writeFile(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  const { gasVsPublicSignals: curve, sizeSweep: sweep } = result;
  const svgFile = curve ? `${base}-gas-vs-public-signals.svg` : null;
  if (curve && svgFile) await writeFile(svgFile, gasChart(curve));
  const sweepSvg = sweep ? `${base}-prove-vs-constraints.svg` : null;
  if (sweep && sweepSvg) await writeFile(sweepSvg, sweepChart(sweep));
  const naiveSvg = result.privateVsConstants.length ? `${base}-zkml-vs-naive.svg` : null;
  if (naiveSvg) await writeFile(naiveSvg, naiveChart(result.privateVsConstants));
  const charts = { gas: svgFile && path.basename(svgFile), sweep: sweepSvg && path.basename(sweepSvg), naive: naiveSvg && path.basename(naiveSvg) };
  await writeFile(`${base}.md`, markdownReport(result, charts));
  return { jsonFile: `${base}.json`, markdownFile: `${base}.md`, svgFile, sweepSvg, naiveSvg };
}

/** Measures every requested model, system and curve, then writes the JSON, Markdown and SVG reports. */
export async function runBench(
  opts: BenchOptions,
): Promise<{ result: BenchResult; jsonFile: string; markdownFile: string; svgFile: string | null; sweepSvg: string | null; naiveSvg: string | null }> {
  const t0 = performance.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-"));
  const cells: CellResult[] = [];
  let extras: Extras;
  try {
    const specs = cellSpecs(opts);
    for (const [i, spec] of specs.entries()) {
      const started = performance.now();
      const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
      const progress = (m: string) => opts.progress(`[${i + 1}/${specs.length} ${spec.system}, ${elapsed()}] ${m}`);
      const cell = await measureCell(spec, { runs: opts.runs, coldRuns: opts.coldRuns, workDir, progress });
      cells.push(cell);
      const took = ((performance.now() - started) / 1000).toFixed(0);
      opts.progress(`[${i + 1}/${specs.length}] ${spec.name} (${spec.system}, weights ${cell.weights}) done in ${took} s`);
    }
    extras = await measureExtras(opts, workDir, t0);
  } finally {
    await releaseCurves();
    await rm(workDir, { recursive: true, force: true });
  }
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { runs: opts.runs, coldRuns: opts.coldRuns },
    cells,
    privateVsConstants: comparePrivateWeights(cells),
    gasVsPublicSignals: extras.gasVsPublicSignals,
    sizeSweep: extras.sizeSweep,
    throughput: extras.throughput,
    errors: extras.errors,
    totalMs: performance.now() - t0,
  };
  return { result, ...(await writeBenchReports(result, opts)) };
}
