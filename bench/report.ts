/**
 * The bench's result as people read it: the result's shape, the Markdown report and its SVG
 * charts. Orchestration (what is measured, in which order) is bench/run.ts.
 */
import type { ProofSystem } from "../core/proof_system.js";
import { PROOF_SYSTEMS } from "../core/proof_system.js";
import type { CellResult } from "./cell.js";
import type { MachineInfo } from "./machine.js";
import type { PublicSignalsCurve, SystemGasCurve } from "./public_signals.js";
import { fmtStat } from "./stats.js";
import type { Sweep } from "./sweep.js";
import type { ThroughputPoint } from "./throughput.js";
import { barChart, lineChart } from "./svg.js";

export interface BenchResult {
  date: string;
  machine: MachineInfo;
  settings: { runs: number; coldRuns: number };
  cells: CellResult[];
  /** private-weights cell ÷ constants cell, per model measured both ways. */
  privateVsConstants: PrivateVsConstants[];
  gasVsPublicSignals: PublicSignalsCurve | null;
  sizeSweep: Sweep | null;
  throughput: { model: string; points: ThroughputPoint[] } | null;
  /** Parts of the run that failed (their sections are missing). */
  errors: string[];
  totalMs: number;
}

export interface PrivateVsConstants {
  model: string;
  constraints: [number, number];
  proveMs: [number, number];
  peakRssMb: [number, number];
  setupMs: [number, number];
  verifyInferenceGas: [number, number];
}

/** Pairs each private-weights cell with its model's constants cell: [constants, private]. */
export function comparePrivateWeights(cells: CellResult[]): PrivateVsConstants[] {
  const out: PrivateVsConstants[] = [];
  for (const p of cells.filter((c) => c.weights === "private")) {
    const k = cells.find((c) => c.weights === "constants" && c.model === p.model && c.system === p.system);
    if (!k) continue;
    out.push({
      model: p.model,
      constraints: [k.constraints, p.constraints],
      proveMs: [k.warm.proveMs.median, p.warm.proveMs.median],
      peakRssMb: [k.cold.peakRssMb, p.cold.peakRssMb],
      setupMs: [k.setupMs, p.setupMs],
      verifyInferenceGas: [k.gas.verifyInferenceSameWord, p.gas.verifyInferenceSameWord],
    });
  }
  return out;
}

const ratio = (pair: [number, number]) => pair[1] / pair[0];

/** The private-weights ÷ constants ratios as a bar chart (SVG). */
export function naiveChart(rows: PrivateVsConstants[]): string {
  const colors = ["#1f5fbf", "#c0392b", "#27ae60", "#8e44ad"];
  return barChart({
    title: "Weights as private signals (every multiply a constraint) ÷ zkml's constants",
    yLabel: "private ÷ constants (×, log scale)",
    logRatio: true,
    categories: ["constraints", "prove (warm)", "peak RSS", "setup", "verify gas"],
    series: rows.map((r, i) => ({
      name: r.model,
      color: colors[i % colors.length]!,
      values: [r.constraints, r.proveMs, r.peakRssMb, r.setupMs, r.verifyInferenceGas].map(ratio),
    })),
    format: (v) => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`,
  });
}

const PALETTE = ["#1f5fbf", "#27ae60", "#8e44ad", "#c0392b", "#e67e22"];
/** A colour per proof system, by its place in PROOF_SYSTEMS. */
const systemColor = (s: ProofSystem) => PALETTE[PROOF_SYSTEMS.indexOf(s) % PALETTE.length]!;

/** Verifier gas against public signals as a line chart (SVG), with the pairing floor. */
export function gasChart(curve: PublicSignalsCurve): string {
  return lineChart({
    title: "snarkjs verifier gas vs public signals (tx gasUsed)",
    xLabel: "public signals",
    yLabel: "gas",
    series: curve.systems.map((c) => ({
      name: `${c.system} verifyProof transaction`,
      color: systemColor(c.system),
      points: c.points.map((p) => ({ x: p.publicSignals, y: p.gas })),
    })),
    references: [
      { name: "EIP-1108 pairing floor + tx base (202k)", y: curve.txFloor, color: "#c0392b" },
      { name: "EIP-1108 pairing floor (181k)", y: curve.pairingFloor, color: "#e67e22" },
    ],
  });
}

/** Prove time and constraints against model size as a line chart (SVG). */
export function sweepChart(sweep: Sweep): string {
  return lineChart({
    title: "Groth16 prove time vs constraints (warm, median)",
    xLabel: "constraints",
    yLabel: "prove time (ms)",
    series: [{ name: "prove (warm)", color: "#1f5fbf", points: sweep.points.map((p) => ({ x: p.constraints, y: p.proveMs.median })) }],
  });
}

/** The bench's result as Markdown, every number with the machine it was measured on. */
export function markdownReport(
  r: BenchResult,
  charts: { gas: string | null; sweep: string | null; naive: string | null } = { gas: null, sweep: null, naive: null },
): string {
  const m = r.machine;
  const rows: [string, (c: CellResult) => string][] = [
    ["constraints", (c) => c.constraints.toLocaleString("en-US")],
    ["weights", (c) => c.weights],
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
    ["float inference (onnxruntime-node)", (c) => (c.inferenceMs ? fmtStat(c.inferenceMs, "ms", 3) : "— (onnxruntime-node not installed)")],
    ["overhead: warm witness+prove / inference", (c) => (c.overhead === undefined ? "—" : `${Math.round(c.overhead).toLocaleString("en-US")}×`)],
    [
      "fidelity vs onnxruntime (calibration set): argmax agreement, max |err| (each output)",
      (c) =>
        c.fidelity
          ? `${(100 * c.fidelity.argmaxAgreement).toFixed(1)}%, ${c.fidelity.outputs ? c.fidelity.outputs.map((o) => `${o.name} ${o.maxAbsError.toFixed(4)}`).join("; ") : c.fidelity.maxAbsError.toFixed(4)}`
          : "n/a (no calibration)",
    ],
  ];
  const header = `| | ${r.cells.map((c) => `${c.model} (${c.system}${c.weights === "private" ? ", private weights" : ""})`).join(" | ")} |`;
  const sep = `|---|${r.cells.map(() => "---").join("|")}|`;
  return `# zkml bench, ${r.date.slice(0, 10)}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node};
${Object.entries(m.packages)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ")}.
Timings: median (min–max, n runs); warm = keys in memory, ${r.settings.runs} runs after one warm-up; cold = a fresh
\`zkml prove\` process, ${r.settings.coldRuns} run(s). Gas: transaction gasUsed on an in-process Hardhat chain.
Total bench time ${(r.totalMs / 1000).toFixed(0)} s.${r.errors.length ? `\n\n**Failed parts of this run:** ${r.errors.join("; ")}` : ""}

${header}
${sep}
${rows.map(([label, f]) => `| ${label} | ${r.cells.map(f).join(" | ")} |`).join("\n")}
${r.privateVsConstants.length ? naiveSection(r.privateVsConstants, charts.naive) : ""}${r.throughput ? throughputSection(r.throughput) : ""}${r.gasVsPublicSignals ? curveSection(r.gasVsPublicSignals, charts.gas) : ""}${r.sizeSweep ? sweepSection(r.sizeSweep, charts.sweep) : ""}`;
}

function naiveSection(rows: PrivateVsConstants[], svgName: string | null): string {
  const pair = (p: [number, number], f: (v: number) => string) => `${f(p[0])} → ${f(p[1])} (${ratio(p).toFixed(1)}×)`;
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
  return `
## zkml vs naive: weights as circuit constants vs weights as private signals

The naive construction (as circomlib-ml / keras2circom build circuits) feeds the weights in as
signals, so every multiply is a constraint. \`zkml compile --weights private\` is that, made sound:
each weight is also range-checked to int8 (8 constraints) so that the salted Poseidon commitment
to the weights, the third public signal, binds them. Constants → private:

| model | constraints | prove (warm, median) | peak RSS of \`zkml prove\` | setup | verifyInference gas |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.model} | ${pair(r.constraints, n)} | ${pair(r.proveMs, (v) => `${n(v)} ms`)} | ${pair(r.peakRssMb, (v) => `${n(v)} MB`)} | ${pair(r.setupMs, s)} | ${pair(r.verifyInferenceGas, n)} |`).join("\n")}
${svgName ? `\n![zkml vs naive](${svgName})\n` : ""}`;
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

function gasCell(s: SystemGasCurve, n: number): string {
  const p = s.points.find((x) => x.publicSignals === n);
  if (p) return p.gas.toLocaleString("en-US");
  return s.undeployable.some((x) => x.publicSignals === n) ? "over EIP-170" : "–";
}

function bytesAt(s: SystemGasCurve, n: number): string {
  const b = s.points.find((x) => x.publicSignals === n)?.verifierBytes ?? s.undeployable.find((x) => x.publicSignals === n)?.verifierBytes;
  return b === undefined ? "–" : `${(b / 1000).toFixed(1)}k`;
}

function curveSection(c: PublicSignalsCurve, svgName: string | null): string {
  const counts = [...new Set(c.systems.flatMap((s) => [...s.points, ...s.undeployable].map((p) => p.publicSignals)))].sort((a, b) => a - b);
  return `
## Gas vs public signals (bare snarkjs verifiers, verifyProof transaction)

| public signals | ${counts.join(" | ")} |
|---|${counts.map(() => "---").join("|")}|
${c.systems.map((s) => `| ${s.system} | ${counts.map((n) => gasCell(s, n)).join(" | ")} |`).join("\n")}
| verifier bytecode | ${counts.map((n) => c.systems.map((s) => `${s.system[0]!.toUpperCase()} ${bytesAt(s, n)}`).join(", ")).join(" | ")} |

${c.systems.flatMap((s) => s.undeployable.map((u) => `Not deployable: the ${s.system} verifier for ${u.publicSignals} public signals is ${u.verifierBytes.toLocaleString("en-US")} bytes, over EIP-170's 24,576.\n`)).join("")}Least-squares fits: ${c.systems.map((s) => `${s.system} gas ≈ ${Math.round(s.fit.intercept).toLocaleString("en-US")} + ${Math.round(s.fit.slope).toLocaleString("en-US")} × n`).join("; ")}.
Floors: EIP-1108 pairing check ${c.pairingFloor.toLocaleString("en-US")}; with the 21,000 transaction base ${c.txFloor.toLocaleString("en-US")}.
zkml's statement keeps 2 public signals whatever the model's input and output sizes (3 with private weights).
${svgName ? `\n![gas vs public signals](${svgName})\n` : ""}`;
}
