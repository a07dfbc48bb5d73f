/**
 * The native curve backend against WebAssembly, in one run on this machine, interleaved so
 * drift hits both: zkml's warm Groth16 prove of a built model (every proof verified, public
 * signals compared), the multi-exponentiations alone (G1 and G2, full-width and small scalars),
 * and direct development keys. A command:
 *   npm run bench:native -- [build-dir] [runs] [out.json] [more build dirs…]
 * (default build/mnist-mlp, 5 runs after one warm-up). Each further build folder (a larger
 * model) gets its direct keys and one warm prove timed on each backend, with the peak RSS.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { getCurveFromName } from "ffjavascript";
import * as snarkjs from "snarkjs";
import type { BnCurve } from "../core/bn254.js";
import { circuitInput } from "../core/circuit_input.js";
import { releaseCurves } from "../core/curve.js";
import { sizeOf } from "../core/ir.js";
import { loadNativeAddon, setCurveBackend } from "../core/native.js";
import { quantizeInput } from "../core/qmodel.js";
import { groth16Prover } from "../core/systems/groth16_prover.js";
import { backend } from "../core/systems/index.js";
import { groth16DirectSetup } from "../prover/groth16_direct.js";
import { WitnessGenerator } from "../prover/witness.js";
import { openReady } from "../src/index.js";
import { machineInfo } from "./machine.js";
import { stat, type Stat } from "./stats.js";

const ms = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
};

/**
 * Interleaved timings of two variants of one job, after a warm-up of each. `check` sees each
 * result outside the timed span, so checking a proof does not count as proving it.
 */
async function interleaved<T>(
  runs: number,
  native: () => Promise<T>,
  wasm: () => Promise<T>,
  check: (result: T, backend: "native" | "wasm") => Promise<void> = async () => {},
): Promise<{ native: Stat; wasm: Stat; ratio: number }> {
  const n: number[] = [];
  const w: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const [rn, tn] = await ms(native);
    await check(rn, "native");
    const [rw, tw] = await ms(wasm);
    await check(rw, "wasm");
    if (i === 0) continue;
    n.push(tn);
    w.push(tw);
  }
  const [sn, sw] = [stat(n), stat(w)];
  return { native: sn, wasm: sw, ratio: sw.median / sn.median };
}

function randomScalars(curve: BnCurve, n: number, small: boolean): Uint8Array {
  const out = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const v = small ? curve.Fr.e(BigInt((i * 7919) % 255) - 127n) : curve.Fr.random();
    out.set(curve.Fr.fromMontgomery(v), i * 32);
  }
  return out;
}

async function msmRows(runs: number, n: number) {
  const accel = loadNativeAddon().accel!;
  const curve = await getCurveFromName("bn128");
  const rows: Record<string, unknown>[] = [];
  for (const [label, G, group] of [
    ["G1", curve.G1, 1],
    ["G2", curve.G2, 2],
  ] as const) {
    const size = G.F.n8 * 2;
    const bases = new Uint8Array(n * size);
    // Distinct points: multiples of the generator by a walk (the MSM's cost does not depend on which).
    let p = G.g;
    const step = G.timesScalar(G.g, 977);
    for (let i = 0; i < n; i++) {
      G.toRprLEM(bases, i * size, p);
      p = G.add(p, step);
    }
    for (const small of [false, true]) {
      const scalars = randomScalars(curve, n, small);
      const r = await interleaved(
        runs,
        async () => accel.msm(group, bases, scalars),
        () => G.multiExpAffine(bases, scalars),
      );
      rows.push({ msm: `${label}, ${n} points, ${small ? "int8 scalars" : "full-width scalars"}`, ...r });
      console.log(
        `MSM ${label} n=${n} ${small ? "small" : "full"}: native ${r.native.median.toFixed(1)} ms, wasm ${r.wasm.median.toFixed(1)} ms, ${r.ratio.toFixed(2)}×`,
      );
    }
  }
  return rows;
}

/** Direct development keys of an r1cs on each backend into `tmp` (native.zkey, wasm.zkey): total and key-point times. */
async function directKeysBoth(r1cs: string, tmp: string): Promise<Record<string, number>> {
  const keys: Record<string, number> = {};
  for (const backend of ["native", "wasm"] as const) {
    setCurveBackend(backend);
    const [k, t] = await ms(() => groth16DirectSetup(r1cs, path.join(tmp, `${backend}.zkey`)));
    keys[backend] = t;
    keys[`${backend}Points`] = k.timingsMs.points ?? 0;
  }
  setCurveBackend("auto");
  return keys;
}

/** Direct keys on each backend, then one warm prove each (after a warm-up), for a larger model. */
async function largerModel(dir: string) {
  const ready = await openReady(dir);
  const tmp = await mkdtemp(path.join(tmpdir(), "zkml-bench-native-"));
  const row: Record<string, unknown> = { model: ready.model.name, dir };
  try {
    const keys = await directKeysBoth(ready.file("r1cs"), tmp);
    const zkey = await readFile(path.join(tmp, "native.zkey"));
    const witness = await WitnessGenerator.load(ready.file("wasm"));
    const m = ready.model;
    const wtns = await witness.compute(circuitInput(m, quantizeInput(m, Array(sizeOf(m.input.shape)).fill(0.25)), 1n, 7n));
    const prove: Record<string, number> = {};
    for (const [backend, accel] of [
      ["native", loadNativeAddon().accel],
      ["wasm", undefined],
    ] as const) {
      const p = await groth16Prover(zkey, accel);
      await p(wtns);
      prove[backend] = (await ms(() => p(wtns)))[1];
    }
    Object.assign(row, { directKeysMs: keys, keysRatio: keys.wasm! / keys.native!, proveMs: prove, proveRatio: prove.wasm! / prove.native! });
    console.log(
      `${m.name}: direct keys native ${(keys.native! / 1000).toFixed(1)} s, wasm ${(keys.wasm! / 1000).toFixed(1)} s (${(keys.wasm! / keys.native!).toFixed(2)}×); warm prove native ${(prove.native! / 1000).toFixed(2)} s, wasm ${(prove.wasm! / 1000).toFixed(2)} s (${(prove.wasm! / prove.native!).toFixed(2)}×)`,
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return row;
}

async function main() {
  const [dir = "build/mnist-mlp", runsArg = "5", outFile, ...more] = process.argv.slice(2);
  const runs = Number(runsArg);
  const { accel, why } = loadNativeAddon();
  if (!accel) throw new Error(`bench:native needs the addon: ${why}`);
  const ready = await openReady(dir);
  const zkey = await readFile(ready.file("zkey"));
  const vk = JSON.parse(await readFile(ready.file("vkey"), "utf8"));
  const witness = await WitnessGenerator.load(ready.file("wasm"));
  const m = ready.model;
  const values = Array.from({ length: sizeOf(m.input.shape) }, (_, i) => ((i % 17) - 8) / 8);
  const wtns = await witness.compute(circuitInput(m, quantizeInput(m, values), 1n, 7n));
  const [proveNative, parseNative] = await ms(() => groth16Prover(zkey, accel));
  const [proveWasm, parseWasm] = await ms(() => groth16Prover(zkey));
  let verified = true;
  let sameSignals = true;
  const check = async (p: { proof: unknown; publicSignals: string[] }, other?: string[]) => {
    verified &&= await snarkjs.groth16.verify(vk, p.publicSignals, p.proof);
    if (other) sameSignals &&= JSON.stringify(other) === JSON.stringify(p.publicSignals);
  };
  let lastWasm: string[] | undefined;
  const prove = await interleaved(
    runs,
    () => proveNative(wtns),
    () => proveWasm(wtns),
    async (p, backend) => {
      if (backend === "wasm") lastWasm = p.publicSignals;
      await check(p, backend === "native" ? lastWasm : undefined);
    },
  );
  console.log(
    `warm prove ${m.name}: native ${prove.native.median.toFixed(0)} ms, wasm ${prove.wasm.median.toFixed(0)} ms, ${prove.ratio.toFixed(2)}× (every proof verified: ${verified}, same public signals: ${sameSignals})`,
  );
  // Verification of one proof: the pairing check on the addon against snarkjs's on WebAssembly.
  const proof = await proveNative(wtns);
  let agree = true;
  const verify = await interleaved(
    runs * 4,
    async () => (agree &&= await backend("groth16").verify(vk, proof.publicSignals, proof.proof, accel)),
    async () => (agree &&= await snarkjs.groth16.verify(vk, proof.publicSignals, proof.proof)),
  );
  console.log(
    `verify ${m.name}: native ${verify.native.median.toFixed(2)} ms, wasm ${verify.wasm.median.toFixed(2)} ms, ${verify.ratio.toFixed(1)}× (both accept: ${agree})`,
  );
  const msm = await msmRows(runs, 1 << 14);
  const tmp = await mkdtemp(path.join(tmpdir(), "zkml-bench-native-"));
  let keys: Record<string, number>;
  try {
    keys = await directKeysBoth(ready.file("r1cs"), tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  console.log(
    `direct keys: native ${keys.native!.toFixed(0)} ms (points ${keys.nativePoints!.toFixed(0)}), wasm ${keys.wasm!.toFixed(0)} ms (points ${keys.wasmPoints!.toFixed(0)}), ${(keys.wasm! / keys.native!).toFixed(2)}×`,
  );
  const larger = [];
  for (const d of more) larger.push(await largerModel(d));
  await releaseCurves();
  const report = {
    model: m.name,
    dir,
    machine: machineInfo(),
    threads: accel.threads(),
    runs,
    keyParseMs: { native: parseNative, wasm: parseWasm },
    prove,
    verify: { ...verify, bothAccept: agree },
    verified,
    sameSignals,
    msm,
    directKeysMs: keys,
    larger,
  };
  if (outFile) await writeFile(outFile, JSON.stringify(report, null, 2) + "\n");
}

await main();
