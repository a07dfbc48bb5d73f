/**
 * One benchmark cell: one model, one proof system, every cost a skeptic asks about, measured
 * through the same SDK a user calls (nothing here is estimated).
 */
import { spawn } from "node:child_process";
import { ownScript } from "../core/package_files.js";
import { floatRunner } from "../circuits/fidelity.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Interface } from "ethers";
import {
  compileModel,
  computeContext,
  connectInProcessChain,
  deployVerifier,
  InferenceProver,
  measureVerifierCallGas,
  inferenceCalldata,
  PROOF_WORDS,
  readInputFile,
  readVerifierArtifact,
  setupModel,
  submitInference,
  verifyProofFile,
} from "../src/index.js";
import { repeat, stat, type Stat } from "./stats.js";
import type { ProofSystem } from "../core/proof_system.js";

export interface ModelSpec {
  name: string;
  onnx: string;
  input: string;
  calibration?: string;
  /** private: weights as range-checked private inputs (`zkml compile --weights private`). */
  weights?: "constants" | "private";
  /** Systems to measure this model with (default groth16); a cell is one model and one system. */
  systems?: ProofSystem[];
}

export interface CellSpec extends ModelSpec {
  system: ProofSystem;
}

export interface CellResult {
  model: string;
  system: ProofSystem;
  weights: "constants" | "private";
  constraints: number;
  publicSignals: number;
  compileMs: number;
  setupMs: number;
  /** In-process, keys already in memory. */
  warm: { witnessMs: Stat; proveMs: Stat };
  /** `zkml prove` as a fresh process (wall clock), and the largest peak RSS among those runs. */
  cold: { wallMs: Stat; peakRssMb: number };
  verifyMs: Stat;
  /** The proof as the verifier takes it (field elements × 32 bytes), and as JSON off-chain. */
  proofBytes: number;
  proofJsonBytes: number;
  /** ABI-encoded verifyInference(proof, publicSignals, nonce) call. */
  calldataBytes: number;
  gas: { deploy: number; verifyProof: number; verifyInferenceFreshWord: number; verifyInferenceSameWord: number };
  bytecodeBytes: number;
  /** Float inference of the original ONNX with onnxruntime-node, one sample (absent without onnxruntime-node, an optional peer). */
  inferenceMs?: Stat;
  /** Median warm (witness + prove) / median float inference. */
  overhead?: number;
  /** The quantized model against onnxruntime on the calibration samples (every graph output), when calibrated. */
  fidelity?: { argmaxAgreement: number; maxAbsError: number; outputs?: { name: string; maxAbsError: number }[] };
}

export interface CellOptions {
  runs: number;
  coldRuns: number;
  workDir: string;
  progress(message: string): void;
}

/** One proof in a fresh process (cold: curve, key and wasm loaded from disk): its wall time and peak RSS. */
export async function coldProve(dir: string, input: string, out: string): Promise<{ wallMs: number; peakRssMb: number }> {
  const t0 = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...ownScript("cli/main").args, "prove", dir, "--input", input, "--out", out, "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let err = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`zkml prove failed (${code}): ${err}`))));
  });
  return { wallMs: performance.now() - t0, peakRssMb: JSON.parse(stdout).peakRssMb };
}

async function inferenceTime(onnx: string, values: number[], shape: number[], runs: number): Promise<Stat | undefined> {
  const session = await floatRunner(onnx, shape);
  if (!session) return undefined;
  for (let i = 0; i < 10; i++) await session.run(values); // warm-up
  const s = await repeat(runs, async () => {
    const t0 = performance.now();
    await session.run(values);
    return performance.now() - t0;
  });
  await session.release();
  return s;
}

/** Warm proofs (after one that pays for wasm and curve threads) and cold ones in fresh processes. */
async function proveTimes(prover: InferenceProver, values: number[], dir: string, spec: CellSpec, opts: CellOptions) {
  let last = (await prover.prove(values)).proof;
  const witness: number[] = [];
  const prove: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = await prover.prove(values);
    witness.push(r.timingsMs.witness);
    prove.push(r.timingsMs.prove);
    last = r.proof;
  }
  const cold: { wallMs: number; peakRssMb: number }[] = [];
  for (let i = 0; i < opts.coldRuns; i++) cold.push(await coldProve(dir, spec.input, path.join(dir, `cold-proof-${i}.json`)));
  return { last, witness, prove, cold };
}

/** Gas on an in-process Hardhat chain: deployment, the bare verifier, verifyInference on a fresh and on a used nonce word; the proof's sizes. */
async function measureGas(dir: string, prover: InferenceProver, values: number[]) {
  const chain = await connectInProcessChain();
  try {
    const artifact = await readVerifierArtifact(dir);
    const d = await deployVerifier(chain.signer, artifact);
    const sender = await chain.signer.getAddress();
    const submit = async (nonce: bigint) => {
      const context = computeContext({ chainId: chain.chainId, contract: d.address, sender, nonce });
      const { proof } = await prover.prove(values, { value: context });
      const r = await submitInference(chain.signer, d.address, artifact.abi, proof, nonce);
      if (!r.valid) throw new Error(`bench: proof rejected on-chain: ${r.reason}`);
      return { gas: Number(r.gasUsed), proof };
    };
    const fresh = await submit(0n);
    const same = await submit(1n);
    const calldata = new Interface(artifact.abi).encodeFunctionData("verifyInference", await inferenceCalldata(fresh.proof, 0n));
    const gas: CellResult["gas"] = {
      deploy: Number(d.gasUsed),
      verifyProof: Number(await measureVerifierCallGas(chain.signer, d.address, artifact.abi, fresh.proof)),
      verifyInferenceFreshWord: fresh.gas,
      verifyInferenceSameWord: same.gas,
    };
    return { gas, proofBytes: 32 * PROOF_WORDS[fresh.proof.system], calldataBytes: (calldata.length - 2) / 2 };
  } finally {
    await chain.close();
  }
}

/** One model × system × weights cell of the bench: compile, setup, cold and warm proofs, verification, gas. */
export async function measureCell(spec: CellSpec, opts: CellOptions): Promise<CellResult> {
  const weights = spec.weights ?? "constants";
  const system = spec.system;
  // The constants Groth16 cell keeps the model's plain name: throughput reuses its folder.
  const dir = path.join(
    opts.workDir,
    [spec.name, system === "groth16" ? "" : system, weights === "private" ? "private-weights" : ""].filter(Boolean).join("-"),
  );
  opts.progress(`${spec.name}: compile (weights ${weights})`);
  const c = await compileModel(spec.onnx, { outDir: dir, calibrationFile: spec.calibration, weights });
  opts.progress(`${spec.name}: setup (${system})`);
  const s = await setupModel(dir, { system });
  const setupMs = s.info.timingsMs.ptau + s.info.timingsMs.setup + s.info.timingsMs.solidity;
  const values = await readInputFile(spec.input);
  opts.progress(`${spec.name}: prove ×${opts.runs} warm, ×${opts.coldRuns} cold`);
  const prover = await InferenceProver.open(dir);
  const { last, witness, prove, cold } = await proveTimes(prover, values, dir, spec, opts);
  opts.progress(`${spec.name}: verify ×${opts.runs}`);
  const verifyMs = await repeat(opts.runs, async () => (await verifyProofFile(dir, last)).ms);
  opts.progress(`${spec.name}: gas on an in-process Hardhat chain`);
  const { gas, proofBytes, calldataBytes } = await measureGas(dir, prover, values);
  opts.progress(`${spec.name}: float inference (onnxruntime-node)`);
  const inferenceMs = await inferenceTime(spec.onnx, values, c.model.input.shape, Math.max(50, opts.runs * 20));
  if (!inferenceMs) opts.progress(`${spec.name}: float inference skipped: onnxruntime-node is not installed (npm install onnxruntime-node)`);
  const warmTotal = stat(witness.map((w, i) => w + prove[i]!));
  return {
    model: spec.name,
    system,
    weights,
    constraints: c.info.constraints,
    publicSignals: c.info.publicSignals.length,
    compileMs: c.info.timingsMs.compile,
    setupMs,
    warm: { witnessMs: stat(witness), proveMs: stat(prove) },
    cold: { wallMs: stat(cold.map((x) => x.wallMs)), peakRssMb: Math.max(...cold.map((x) => x.peakRssMb)) },
    verifyMs,
    proofBytes,
    proofJsonBytes: JSON.stringify(last.proof).length,
    calldataBytes,
    gas,
    bytecodeBytes: JSON.parse(await readFile(path.join(dir, "verifier.json"), "utf8")).deployedBytecodeSize,
    ...(inferenceMs && { inferenceMs, overhead: warmTotal.median / inferenceMs.median }),
    ...(c.fidelity && {
      fidelity: {
        argmaxAgreement: c.fidelity.argmaxAgreement,
        maxAbsError: c.fidelity.maxAbsError,
        ...(c.fidelity.outputs && { outputs: c.fidelity.outputs.map(({ name, maxAbsError }) => ({ name, maxAbsError })) }),
      },
    }),
  };
}
