/**
 * Fuzzing with a fixed seed: 1,000+ mutated ONNX models (bit flips, truncations, field edits of
 * dims, attributes, initializers, names, opsets, element types), mutated input and proof JSON,
 * and 6 mutated models through the CLI. Required: no crash (an error that is not a
 * ZkmlError), no hang (a case over its time limit), no stack trace or multi-line message, no
 * partial output folder. docs/BENCHMARKS.md ("Hostile input") has the figures.
 */
import { fork, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { assertProofFile } from "../src/verify.js";
import {
  inputShapes,
  InferenceProver,
  isZkmlError,
  openReady,
  quantizeInput,
  readInputFile,
  releaseCurves,
  verifyProofFile,
  type ProofFile,
} from "../src/index.js";
import { inputValues } from "../core/input.js";
import { mulberry32 } from "../core/random.js";
import { mutateJson, mutateModel } from "./fuzz/mutate.js";
import type { CaseOutcome } from "./fuzz/model_worker.js";
import { qlinearCnnModel, rawModel } from "./helpers/models.js";

/** Small bases for the ops the bundled models lack: a residual DAG, and average pooling with pads. */
function dagModel(): Uint8Array {
  const rand = mulberry32(7);
  const u = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
  return rawModel({
    inputShape: [1, 4],
    outputShape: [1, 3],
    nodes: [
      { op: "Gemm", inputs: ["input", "w1", "b1"], outputs: ["t"], attrs: { transB: 1 } },
      { op: "Relu", inputs: ["t"], outputs: ["r"] },
      { op: "Add", inputs: ["r", "input"], outputs: ["s"] },
      { op: "Mul", inputs: ["s", "s"], outputs: ["m"] },
      { op: "Gemm", inputs: ["m", "w2", "b2"], outputs: ["y"], attrs: { transB: 1 } },
    ],
    initializers: [
      { name: "w1", dims: [4, 4], values: u(16) },
      { name: "b1", dims: [4], values: u(4) },
      { name: "w2", dims: [3, 4], values: u(12) },
      { name: "b2", dims: [3], values: u(3) },
    ],
  });
}
function poolModel(): Uint8Array {
  const rand = mulberry32(8);
  const u = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
  return rawModel({
    inputShape: [1, 1, 6, 6],
    outputShape: [1, 3],
    nodes: [
      { op: "Conv", inputs: ["input", "cw", "cb"], outputs: ["c"], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
      { op: "AveragePool", inputs: ["c"], outputs: ["p"], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
      { op: "Flatten", inputs: ["p"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "w", "b"], outputs: ["y"], attrs: { transB: 1 } },
    ],
    initializers: [
      { name: "cw", dims: [2, 1, 3, 3], values: u(18) },
      { name: "cb", dims: [2], values: u(2) },
      { name: "w", dims: [3, 32], values: u(96) },
      { name: "b", dims: [3], values: u(3) },
    ],
  });
}

const SEED = 20261130;
const MODEL_CASES = 1200;
const CASE_LIMIT_MS = 10_000;
const WORKER = path.resolve("test/fuzz/model_worker.ts");

/** One line, no control characters, no stack frame. */
function cleanMessage(m: string): boolean {
  return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(m) && !/\n|\s+at\s+\S+\s+\(|\.ts:\d+:\d+/.test(m);
}

afterAll(releaseCurves);

describe("fuzz: mutated ONNX models", () => {
  it(`${MODEL_CASES} seeded mutations: 0 crashes, 0 hangs, 0 stack traces, 0 multi-line errors`, async () => {
    const bases = [
      await readFile("examples/tiny-mlp/tiny-mlp.onnx"),
      await readFile("examples/mnist-cnn/mnist-cnn.onnx"),
      await readFile("examples/appraisal/appraisal.onnx"),
      qlinearCnnModel(),
      dagModel(),
      poolModel(),
    ].map((b) => new Uint8Array(b));
    const rand = mulberry32(SEED);
    const cases = Array.from({ length: MODEL_CASES }, (_, i) => ({ i, base: i % bases.length, ...mutateModel(bases[i % bases.length]!, rand) }));

    const outcomes: (CaseOutcome & { ms: number })[] = [];
    const hangs: number[] = [];
    let next = 0;
    const t0 = performance.now();
    while (next < cases.length) {
      const child = fork(WORKER, [], {
        execArgv: ["--import", "tsx", "--max-old-space-size=1536"],
        serialization: "advanced",
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        let started = 0;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        };
        const send = () => {
          if (next >= cases.length) return finish();
          const c = cases[next]!;
          started = performance.now();
          timer = setTimeout(() => {
            hangs.push(c.i);
            next++;
            finish();
          }, CASE_LIMIT_MS);
          child.send({ i: c.i, bytes: c.bytes });
        };
        child.on("message", (r: CaseOutcome) => {
          clearTimeout(timer);
          outcomes.push({ ...r, ms: performance.now() - started });
          next++;
          send();
        });
        child.on("exit", (code, signal) => {
          if (done) return;
          // Out of memory or an uncaught throw: the case crashed the process.
          outcomes.push({
            i: cases[next]!.i,
            outcome: "crash",
            message: `process died (${code ?? signal}): ${stderr.slice(-300)}`,
            ms: performance.now() - started,
          });
          next++;
          finish();
        });
        send();
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    const crashes = outcomes.filter((o) => o.outcome === "crash");
    const unclean = outcomes.filter((o) => o.outcome === "refused" && !cleanMessage(o.message));
    const count = (k: string) => outcomes.filter((o) => o.outcome === k).length;
    const byKind = (kind: string) => cases.filter((c) => c.kind === kind).length;
    console.log(
      `fuzz models: ${cases.length} cases (${byKind("bitflip")} bit flips, ${byKind("truncate")} truncations, ${byKind("fields")} field edits) in ${seconds.toFixed(1)} s: ` +
        `${count("accepted")} accepted, ${count("refused")} refused with a one-line error, ${crashes.length} crashes, ${hangs.length} hangs, ` +
        `${unclean.length} unclean messages; slowest case ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms`,
    );
    expect(crashes.map((c) => `#${c.i}: ${c.message.split("\n").slice(0, 3).join(" | ")}`)).toEqual([]);
    expect(hangs).toEqual([]);
    expect(unclean.map((c) => `#${c.i}: ${c.message}`)).toEqual([]);
    expect(count("refused")).toBeGreaterThan(MODEL_CASES / 4);
  }, 600_000);
});

describe("fuzz: mutated input and proof JSON", () => {
  let dir: string;
  let proof: ProofFile;
  let prover: InferenceProver;
  beforeAll(async () => {
    dir = inject("mnistDir");
    prover = await InferenceProver.open(dir);
    proof = (await prover.prove(await readInputFile("examples/mnist/digits/digit-1.json"), { value: 5n })).proof;
  });

  it("300 mutated input files: accepted or refused with a one-line error, never a crash", async () => {
    const model = (await openReady(dir)).model;
    const base = JSON.parse(await readFile("examples/mnist/digits/digit-1.json", "utf8"));
    const rand = mulberry32(SEED + 1);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const doc = mutateJson(base, rand);
      try {
        quantizeInput(model, inputValues(doc, `input-${i}.json`, inputShapes(model)));
      } catch (e) {
        expect(isZkmlError(e), `input #${i}: ${(e as Error).stack}`).toBe(true);
        expect(cleanMessage((e as Error).message)).toBe(true);
        refused++;
      }
    }
    console.log(`fuzz inputs: 300 cases, ${refused} refused with a one-line error, 0 crashes`);
    expect(refused).toBeGreaterThan(100);
  });

  it("300 mutated proof files: never valid unless unchanged, never a crash", async () => {
    const rand = mulberry32(SEED + 2);
    let invalid = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const doc = mutateJson(proof, rand);
      try {
        const v = await verifyProofFile(dir, assertProofFile(doc, `proof-${i}.json`));
        if (v.valid) expect(JSON.stringify(doc)).toBe(JSON.stringify(proof));
        else invalid++;
        for (const p of v.problems) expect(cleanMessage(p), p).toBe(true);
      } catch (e) {
        expect(isZkmlError(e), `proof #${i}: ${(e as Error).stack}`).toBe(true);
        expect(cleanMessage((e as Error).message)).toBe(true);
        refused++;
      }
    }
    console.log(`fuzz proofs: 300 cases, ${invalid} reported invalid, ${refused} refused as not a proof file, 0 crashes`);
    expect(invalid + refused).toBeGreaterThan(250);
  }, 300_000);

  it("300 proofs re-encoded (a word + k·q, leading zeros, z, extra fields): zkml verify valid ⇒ the EVM's verifyProof valid", async () => {
    const { connectInProcessChain, deployVerifier, readVerifierArtifact } = await import("../src/index.js");
    const { Contract } = await import("ethers");
    const { backend } = await import("../core/systems/index.js");
    const snarkjs = await import("snarkjs");
    const ready = await openReady(dir);
    const chain = await connectInProcessChain();
    try {
      const artifact = await readVerifierArtifact(dir, "snark");
      const verifier = new Contract((await deployVerifier(chain.signer, artifact)).address, artifact.abi, chain.provider);
      const g16 = backend("groth16");
      const onchain = async (p: ProofFile) => {
        try {
          return (await verifier.getFunction("verifyProof").staticCall(...g16.verifyProofArgs(g16.words(p.proof), p.publicSignals.map(BigInt)))) === true;
        } catch {
          return false;
        }
      };
      const { FIELD_Q: Q } = await import("../core/field.js");
      const rand = mulberry32(SEED + 3);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const pi = (p: ProofFile) => p.proof as unknown as { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
      const coordinate = (p: ProofFile): [string[], number] => {
        const point = pick([pi(p).pi_a, pi(p).pi_c, pi(p).pi_b[0]!, pi(p).pi_b[1]!]);
        return [point, Math.floor(rand() * 2)];
      };
      const edits: [string, (p: ProofFile) => void][] = [
        [
          "a coordinate + k·q",
          (p) => {
            const [pt, i] = coordinate(p);
            pt[i] = String(BigInt(pt[i]!) + BigInt(1 + Math.floor(rand() * 3)) * Q);
          },
        ],
        [
          "leading zeros",
          (p) => {
            const [pt, i] = coordinate(p);
            pt[i] = "0".repeat(1 + Math.floor(rand() * 3)) + pt[i];
          },
        ],
        ["z scaled", (p) => (pi(p).pi_a[2] = pick(["0", "2", Q.toString(), "1" + "0".repeat(3)]))],
        [
          "G2 z changed",
          (p) =>
            (pi(p).pi_b[2] = pick([
              ["0", "1"],
              ["1", "1"],
              ["0", "0"],
            ])),
        ],
        ["an extra field", (p) => ((p.proof as Record<string, unknown>)[pick(["pi_d", "evaluations", "z"])] = "1")],
        [
          "protocol or curve",
          (p) => {
            if (rand() < 0.5) p.proof.protocol = pick(["plonk", "Groth16", ""]);
            else p.proof.curve = pick(["bn254", "bls12381"]);
          },
        ],
        [
          "y negated",
          (p) => {
            const pt = pick([pi(p).pi_a, pi(p).pi_c]);
            pt[1] = String(Q - BigInt(pt[1]!));
          },
        ],
        ["unchanged", () => {}],
      ];
      const tally = { snarkjsValid: 0, evmRefusedThose: 0, zkmlValid: 0, cases: 0 };
      for (let i = 0; i < 300; i++) {
        const p = structuredClone(proof);
        const [, edit] = pick(edits);
        edit(p);
        tally.cases++;
        const zkml = (await verifyProofFile(ready, p)).valid;
        const bare = await snarkjs.groth16.verify(ready.verificationKey, p.publicSignals, p.proof as never).catch(() => false);
        let evm: boolean | undefined;
        if (bare) {
          tally.snarkjsValid++;
          evm = await onchain(p);
          if (!evm) tally.evmRefusedThose++;
        }
        if (zkml) {
          tally.zkmlValid++;
          expect(evm ?? (await onchain(p)), `case ${i}: zkml verify says valid, the EVM refuses`).toBe(true);
        }
      }
      console.log(
        `fuzz encodings: ${tally.cases} re-encoded proofs; snarkjs alone accepts ${tally.snarkjsValid}, of which the EVM refuses ${tally.evmRefusedThose}; zkml verify accepts ${tally.zkmlValid}, the EVM all of them`,
      );
      // The mutations do reach the gap the check closes.
      expect(tally.evmRefusedThose).toBeGreaterThan(10);
      expect(tally.zkmlValid).toBeGreaterThan(10);
    } finally {
      await chain.close();
    }
  }, 300_000);
});

describe("fuzz: mutated models through the CLI", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "zkml-fuzz-cli-"));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it("6 mutated models: exit 0 or 1 with one stderr line, and no partial build folder left", async () => {
    const base = new Uint8Array(await readFile("examples/tiny-mlp/tiny-mlp.onnx"));
    const rand = mulberry32(SEED + 3);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const file = path.join(work, `m${i}.onnx`);
      await writeFile(file, mutateModel(base, rand).bytes);
      const r = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "compile", file, "--out", path.join(work, `b${i}`)], {
        encoding: "utf8",
        timeout: 120_000,
      });
      codes.push(r.status ?? -1);
      expect([0, 1], r.stderr).toContain(r.status);
      if (r.status === 1) {
        const lines = r.stderr
          .trim()
          .split("\n")
          .filter((l) => !l.startsWith("  … "));
        expect(lines, r.stderr).toHaveLength(1);
        expect(cleanMessage(lines[0]!)).toBe(true);
      }
    }
    expect((await readdir(work)).filter((f) => f.includes(".partial-"))).toEqual([]);
    console.log(`fuzz CLI: 6 mutated models, exit codes ${codes.join(" ")}`);
  }, 600_000);
});
