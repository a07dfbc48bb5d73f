/**
 * `zkml bench`: the matrix of models × proof systems, written as JSON (with the machine) and as
 * a Markdown table under bench/results/.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { releaseCurves } from "../src/index.js";
import { measureCell, type CellResult, type ModelSpec } from "./cell.js";
import { machineInfo, machineLabel, type MachineInfo } from "./machine.js";
import { gasVsPublicSignals, type PublicSignalsCurve } from "./public_signals.js";
import { fmtStat } from "./stats.js";
import { sizeSweep, type Sweep } from "./sweep.js";
import { measureThroughput, type ThroughputPoint } from "./throughput.js";
import { lineChart } from "./svg.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const BUNDLED_MODELS: ModelSpec[] = [
  {
    name: "tiny-mlp",
    onnx: path.join(ROOT, "examples/tiny-mlp/tiny-mlp.onnx"),
    input: path.join(ROOT, "examples/tiny-mlp/input.json"),
    calibration: path.join(ROOT, "examples/tiny-mlp/calibration.json"),
  },
  {
    name: "mnist-mlp",
    onnx: path.join(ROOT, "examples/mnist/mnist-mlp.onnx"),
    input: path.join(ROOT, "examples/mnist/digits/digit-7.json"),
    calibration: path.join(ROOT, "examples/mnist/calibration.json"),
  },
];

export interface BenchOptions {
  models: ModelSpec[];
  /** Public-signal counts for the gas curve (empty: skip it). */
  signalCounts: number[];
  /** Layer widths of the size sweep's dense networks (empty: skip it). */
  sweepSizes: number[][];
  /** Worker-pool sizes for the throughput measurement on the last model (empty: skip it). */
  throughputWorkers: number[];
  runs: number;
  coldRuns: number;
  /** Where results go (default bench/results). */
  resultsDir?: string;
  progress(message: string): void;
}

export interface BenchResult {
  date: string;
  machine: MachineInfo;
  settings: { runs: number; coldRuns: number };
  cells: CellResult[];
  gasVsPublicSignals: PublicSignalsCurve | null;
  sizeSweep: Sweep | null;
  throughput: { model: string; points: ThroughputPoint[] } | null;
  totalMs: number;
}

export function gasChart(curve: PublicSignalsCurve): string {
  return lineChart({
    title: "Groth16 verifier gas vs public signals (snarkjs, tx gasUsed)",
    xLabel: "public signals",
    yLabel: "gas",
    series: [{ name: "verifyProof transaction", color: "#1f5fbf", points: curve.points.map((p) => ({ x: p.publicSignals, y: p.gas })) }],
    references: [
      { name: "EIP-1108 pairing floor + tx base (202k)", y: curve.txFloor, color: "#c0392b" },
      { name: "EIP-1108 pairing floor (181k)", y: curve.pairingFloor, color: "#e67e22" },
    ],
  });
}

export async function runBench(opts: BenchOptions): Promise<{ result: BenchResult; jsonFile: string; markdownFile: string; svgFile: string | null; sweepSvg: string | null }> {
  const t0 = performance.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-"));
  const cells: CellResult[] = [];
  let curve: PublicSignalsCurve | null = null;
  let sweep: Sweep | null = null;
  let throughput: BenchResult["throughput"] = null;
  try {
    for (const [i, spec] of opts.models.entries()) {
      const started = performance.now();
      const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
      const cell = await measureCell(spec, {
        runs: opts.runs,
        coldRuns: opts.coldRuns,
        workDir,
        progress: (m) => opts.progress(`[${i + 1}/${opts.models.length} groth16, ${elapsed()}] ${m}`),
      });
      cells.push(cell);
      opts.progress(`[${i + 1}/${opts.models.length}] ${spec.name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    const lastModel = opts.models.at(-1);
    if (opts.throughputWorkers.length && lastModel) {
      throughput = {
        model: lastModel.name,
        points: await measureThroughput(path.join(workDir, lastModel.name), lastModel.input, opts.throughputWorkers, opts.runs, (m) => opts.progress(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${lastModel.name} ${m}`)),
      };
    }
    if (opts.signalCounts.length) {
      curve = await gasVsPublicSignals(opts.signalCounts, workDir, (m) => opts.progress(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}`));
    }
    if (opts.sweepSizes.length) {
      sweep = await sizeSweep(opts.sweepSizes, opts.runs, workDir, (m) => opts.progress(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}`));
    }
  } finally {
    await releaseCurves();
    await rm(workDir, { recursive: true, force: true });
  }
  const machine = machineInfo();
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine,
    settings: { runs: opts.runs, coldRuns: opts.coldRuns },
    cells,
    gasVsPublicSignals: curve,
    sizeSweep: sweep,
    throughput,
    totalMs: performance.now() - t0,
  };
  const dir = opts.resultsDir ?? path.join(ROOT, "bench/results");
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${result.date.slice(0, 10)}-${machineLabel(machine)}`);
  await writeFile(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  const svgFile = curve ? `${base}-gas-vs-public-signals.svg` : null;
  if (curve && svgFile) await writeFile(svgFile, gasChart(curve));
  const sweepSvg = sweep ? `${base}-prove-vs-constraints.svg` : null;
  if (sweep && sweepSvg) await writeFile(sweepSvg, sweepChart(sweep));
  await writeFile(`${base}.md`, markdownReport(result, svgFile ? path.basename(svgFile) : null, sweepSvg ? path.basename(sweepSvg) : null));
  return { result, jsonFile: `${base}.json`, markdownFile: `${base}.md`, svgFile, sweepSvg };
}

export function sweepChart(sweep: Sweep): string {
  return lineChart({
    title: "Groth16 prove time vs constraints (warm, median)",
    xLabel: "constraints",
    yLabel: "prove time (ms)",
    series: [{ name: "prove (warm)", color: "#1f5fbf", points: sweep.points.map((p) => ({ x: p.constraints, y: p.proveMs.median })) }],
  });
}

export function markdownReport(r: BenchResult, svgName: string | null = null, sweepSvgName: string | null = null): string {
  const m = r.machine;
  const rows: [string, (c: CellResult) => string][] = [
    ["constraints", (c) => c.constraints.toLocaleString("en-US")],
    ["public signals", (c) => String(c.publicSignals)],
    ["compile", (c) => `${(c.compileMs / 1000).toFixed(1)} s`],
    ["setup (incl. ptau lookup/generation)", (c) => `${(c.setupMs / 1000).toFixed(1)} s`],
    ["witness (warm)", (c) => fmtStat(c.warm.witnessMs)],
    ["prove (warm)", (c) => fmtStat(c.warm.proveMs)],
    ["`zkml prove` cold process, wall", (c) => fmtStat(c.cold.wallMs)],
    ["peak RSS of `zkml prove`", (c) => `${c.cold.peakRssMb} MB`],
    ["verify off-chain", (c) => fmtStat(c.verifyMs, "ms", 1)],
    ["proof size (on-chain / JSON)", (c) => `${c.proofBytes} B / ${c.proofJsonBytes} B`],
    ["calldata of verifyInference", (c) => `${c.calldataBytes} B`],
    ["gas: bare verifyProof tx", (c) => c.gas.verifyProof.toLocaleString("en-US")],
    ["gas: verifyInference tx, fresh nonce word", (c) => c.gas.verifyInferenceFreshWord.toLocaleString("en-US")],
    ["gas: verifyInference tx, nonce word in use", (c) => c.gas.verifyInferenceSameWord.toLocaleString("en-US")],
    ["gas: deployment", (c) => c.gas.deploy.toLocaleString("en-US")],
    ["verifier bytecode (EIP-170: 24,576)", (c) => `${c.bytecodeBytes.toLocaleString("en-US")} B`],
    ["float inference (onnxruntime-node)", (c) => fmtStat(c.inferenceMs, "ms", 3)],
    ["overhead: warm witness+prove / inference", (c) => `${Math.round(c.overhead).toLocaleString("en-US")}×`],
  ];
  const header = `| | ${r.cells.map((c) => `${c.model} (${c.system})`).join(" | ")} |`;
  const sep = `|---|${r.cells.map(() => "---").join("|")}|`;
  return `# zkml bench, ${r.date.slice(0, 10)}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node};
${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(", ")}.
Timings: median (min–max, n runs); warm = keys in memory, ${r.settings.runs} runs after one warm-up; cold = a fresh
\`zkml prove\` process, ${r.settings.coldRuns} run(s). Gas: transaction gasUsed on an in-process Hardhat chain.
Total bench time ${(r.totalMs / 1000).toFixed(0)} s.

${header}
${sep}
${rows.map(([label, f]) => `| ${label} | ${r.cells.map(f).join(" | ")} |`).join("\n")}
${r.throughput ? throughputSection(r.throughput) : ""}${r.gasVsPublicSignals ? curveSection(r.gasVsPublicSignals, svgName) : ""}${r.sizeSweep ? sweepSection(r.sizeSweep, sweepSvgName) : ""}`;
}

function throughputSection(t: NonNullable<BenchResult["throughput"]>): string {
  return `
## Throughput: ${t.model}, a pool of proving processes (keys in memory, released together)

| workers | proofs | wall | proofs per minute |
|---|---|---|---|
${t.points.map((p) => `| ${p.workers} | ${p.proofs} | ${(p.wallMs / 1000).toFixed(1)} s | ${p.proofsPerMinute.toFixed(1)} |`).join("\n")}
`;
}

function sweepSection(s: Sweep, svgName: string | null): string {
  return `
## How cost grows: dense ReLU networks of increasing width (random weights, synthetic calibration)

| widths | parameters | constraints | compile | setup | prove (warm) | peak RSS of \`zkml prove\` |
|---|---|---|---|---|---|---|
${s.points.map((p) => `| ${p.widths.join("-")} | ${p.parameters.toLocaleString("en-US")} | ${p.constraints.toLocaleString("en-US")} | ${(p.compileMs / 1000).toFixed(1)} s | ${(p.setupMs / 1000).toFixed(1)} s | ${fmtStat(p.proveMs)} | ${p.peakRssMb} MB |`).join("\n")}

Fitted: prove ≈ ${Math.round(s.proveFit.intercept)} ms + ${(s.proveFit.slope * 1000).toFixed(1)} ms per 1,000 constraints;
peak RSS ≈ ${Math.round(s.memoryFit.intercept)} MB + ${(s.memoryFit.slope * 1000).toFixed(1)} MB per 1,000 constraints (over this range).
${svgName ? `\n![prove time vs constraints](${svgName})\n` : ""}`;
}

function curveSection(c: PublicSignalsCurve, svgName: string | null): string {
  return `
## Gas vs public signals (bare snarkjs Groth16 verifier, verifyProof transaction)

| public signals | ${c.points.map((p) => p.publicSignals).join(" | ")} |
|---|${c.points.map(() => "---").join("|")}|
| gas | ${c.points.map((p) => p.gas.toLocaleString("en-US")).join(" | ")} |

Least-squares fit: gas ≈ ${Math.round(c.fit.intercept).toLocaleString("en-US")} + ${Math.round(c.fit.slope).toLocaleString("en-US")} × public signals.
Floors: EIP-1108 pairing check ${c.pairingFloor.toLocaleString("en-US")}; with the 21,000 transaction base ${c.txFloor.toLocaleString("en-US")}.
zkml's statement keeps 2 public signals whatever the model's input and output sizes.
${svgName ? `\n![gas vs public signals](${svgName})\n` : ""}`;
}
