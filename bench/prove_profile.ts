/**
 * Where a warm Groth16 prove spends its time: snarkjs's own steps (read the witness and the
 * key's sections, build A/B/C, the six FFTs, the five MSMs), timed from its debug log over
 * warm runs of one built model; then zkml's warm Groth16 prover (core/systems/groth16_prover.ts)
 * against snarkjs's, interleaved in the same run, every proof verified. A command:
 *   npm run bench:prove-profile -- [build-dir] [runs] [out.json]
 * (default build/mnist-mlp, 7 runs after one warm-up).
 */
import { readFile, writeFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { releaseCurves } from "../core/curve.js";
import { groth16Prover } from "../core/systems/groth16_prover.js";
import { circuitInput } from "../core/circuit_input.js";
import { sizeOf } from "../core/ir.js";
import { quantizeInput } from "../core/qmodel.js";
import { openReady } from "../src/index.js";
import { WitnessGenerator } from "../prover/witness.js";
import { machineInfo } from "./machine.js";
import { stat } from "./stats.js";

const median = (xs: number[]) => stat(xs).median;

/** snarkjs's debug messages that open a step, and the step's name in the report. */
const STEPS: [RegExp, string][] = [
  [/^Reading Wtns/, "read witness + key header"],
  [/^Reading Coeffs/, "read coefficients"],
  [/^Building ABC/, "A/B/C evaluation (main thread)"],
  [/^IFFT_A|^FFT_A|^IFFT_B|^FFT_B|^IFFT_C|^FFT_C/, "FFTs (6) + shift"],
  [/^Join ABC/, "join A·B − C"],
  [/^Reading A Points/, "MSM A (G1)"],
  [/^Reading B1 Points/, "MSM B1 (G1)"],
  [/^Reading B2 Points/, "MSM B2 (G2)"],
  [/^Reading C Points/, "MSM C (G1)"],
  [/^Reading H Points/, "MSM H (G1)"],
];

/** One prove, its time split by step (the last step runs to the end of the prove). */
async function profiledProve(zkey: Uint8Array, wtns: Uint8Array): Promise<Record<string, number>> {
  const marks: [string, number][] = [];
  const t0 = performance.now();
  const logger = {
    debug(msg: string) {
      const step = STEPS.find(([re]) => re.test(msg))?.[1];
      if (step && marks.at(-1)?.[0] !== step) marks.push([step, performance.now()]);
    },
    info() {},
    warn() {},
    error() {},
  };
  await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns }, logger);
  const end = performance.now();
  const out: Record<string, number> = { total: end - t0 };
  marks.forEach(([step, at], i) => {
    out[step] = (out[step] ?? 0) + ((marks[i + 1]?.[1] ?? end) - at);
  });
  out["before the first step"] = (marks[0]?.[1] ?? end) - t0;
  return out;
}

async function main() {
  const [dir = "build/mnist-mlp", runsArg = "7", outFile] = process.argv.slice(2);
  const runs = Number(runsArg);
  const ready = await openReady(dir);
  const zkey = await readFile(ready.file("zkey"));
  const witness = await WitnessGenerator.load(ready.file("wasm"));
  const m = ready.model;
  const values = Array.from({ length: sizeOf(m.input.shape) }, (_, i) => ((i % 17) - 8) / 8);
  const input = circuitInput(m, quantizeInput(m, values), 1n, 7n);
  const wtnsMs: number[] = [];
  const profiles: Record<string, number>[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const wtns = await witness.compute(input);
    const w = performance.now() - t;
    const p = await profiledProve(zkey, wtns);
    if (i === 0) continue; // the warm-up builds the curve and its workers
    wtnsMs.push(w);
    profiles.push(p);
  }
  // zkml's warm prover against snarkjs's, interleaved so drift on a shared machine hits both.
  const vk = JSON.parse(await readFile(ready.file("vkey"), "utf8"));
  const parseStart = performance.now();
  const warm = await groth16Prover(zkey);
  const parseMs = performance.now() - parseStart;
  const wtns = await witness.compute(input);
  const zkmlMs: number[] = [];
  const snarkjsMs: number[] = [];
  let allVerified = true;
  for (let i = 0; i <= runs; i++) {
    let t = performance.now();
    const a = await warm(wtns);
    const ta = performance.now() - t;
    t = performance.now();
    const b = await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
    const tb = performance.now() - t;
    allVerified &&= (await snarkjs.groth16.verify(vk, a.publicSignals, a.proof)) && (await snarkjs.groth16.verify(vk, b.publicSignals, b.proof));
    if (i === 0) continue;
    zkmlMs.push(ta);
    snarkjsMs.push(tb);
  }
  await releaseCurves();
  const steps = [...new Set(profiles.flatMap((p) => Object.keys(p)))];
  const report = {
    model: m.name,
    dir,
    machine: machineInfo(),
    runs,
    witnessMs: median(wtnsMs),
    steps: Object.fromEntries(steps.map((s) => [s, median(profiles.map((p) => p[s] ?? 0))])),
    comparison: { zkmlWarmMs: stat(zkmlMs), snarkjsMs: stat(snarkjsMs), ratio: median(zkmlMs) / median(snarkjsMs), keyParseMs: parseMs, allVerified },
  };
  const total = report.steps.total!;
  for (const [s, ms] of Object.entries(report.steps))
    console.log(`${s.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)} %`);
  console.log(`witness (wasm)                     ${report.witnessMs.toFixed(1).padStart(8)} ms`);
  const c = report.comparison;
  console.log(
    `warm prove, same run: zkml ${c.zkmlWarmMs.median.toFixed(0)} ms (${c.zkmlWarmMs.min.toFixed(0)}–${c.zkmlWarmMs.max.toFixed(0)}), snarkjs ${c.snarkjsMs.median.toFixed(0)} ms (${c.snarkjsMs.min.toFixed(0)}–${c.snarkjsMs.max.toFixed(0)}): ${c.ratio.toFixed(2)}×; key parsed once in ${c.keyParseMs.toFixed(0)} ms; every proof verified: ${c.allVerified}`,
  );
  if (outFile) await writeFile(outFile, JSON.stringify(report, null, 2) + "\n");
}

await main();
