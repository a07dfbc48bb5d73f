/**
 * Gas of batch verification: verifyInferences with k = 1, 2, 4, … Groth16 proofs against k
 * verifyInference calls, through the model's wrapper and through the registry, in one run on an
 * in-process Hardhat chain (gas is deterministic: the machine only sets how long it takes).
 * A command of its own (a few minutes: it proves a few hundred tiny-MLP inferences):
 *   npm run bench:batch -- [--max K] [--results DIR]
 * Writes <DIR>/batch-<date>-<host>.json, .md and .svg (default bench/results).
 */
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  compileModel,
  computeContext,
  connectInProcessChain,
  deployAndRegister,
  deployRegistry,
  deployVerifier,
  InferenceProver,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  setupModel,
  submitBatchToRegistry,
  submitInference,
  submitInferenceBatch,
  submitToRegistry,
  writeFileAtomic,
  type ProofFile,
} from "../src/index.js";
import { machineInfo, machineLabel } from "./machine.js";
import { linearFit } from "./public_signals.js";
import { lineChart } from "./svg.js";

/** Ethereum's limits a batch transaction must fit: a block and (EIP-7825, Fusaka) one transaction. */
const BLOCK_GAS_LIMIT = 45_000_000;
const TX_GAS_CAP = 16_777_216;

interface Row {
  k: number;
  wrapperGas: number;
  registryGas: number;
  singleGasSum: number;
  calldataBytes: number;
}

/** The least-squares line through (x, y) as intercept a and slope b (the result's JSON names). */
function fitLine(points: { x: number; y: number }[]): { a: number; b: number } {
  const f = linearFit(
    points.map((p) => p.x),
    points.map((p) => p.y),
  );
  return { a: f.intercept, b: f.slope };
}

/** The chain, contracts and prover every row of the bench uses; `prove` counts the proofs it makes and their time. */
async function batchEnv(dir: string) {
  await compileModel("examples/tiny-mlp/tiny-mlp.onnx", { outDir: dir, calibrationFile: "examples/tiny-mlp/calibration.json", fidelity: false });
  await setupModel(dir);
  const prover = await InferenceProver.open(dir);
  const input = await readInputFile("examples/tiny-mlp/input.json");
  const chain = await connectInProcessChain();
  const sender = await chain.signer.getAddress();
  const artifact = await readVerifierArtifact(dir);
  const wrapperDeployment = await deployVerifier(chain.signer, artifact);
  const registry = (await deployRegistry(chain.signer)).address;
  const { modelId, gas: registration } = await deployAndRegister(chain.signer, registry, dir);
  const stats = { proveMs: 0, proofs: 0 };
  const prove = async (contract: string, nonce: bigint): Promise<ProofFile> => {
    const t = performance.now();
    const value = computeContext({ chainId: chain.chainId, contract, sender, nonce });
    const p = (await prover.prove(input, { value, chainId: chain.chainId, contract, sender, nonce })).proof;
    stats.proveMs += performance.now() - t;
    stats.proofs++;
    return p;
  };
  return { chain, artifact, wrapper: wrapperDeployment.address, wrapperDeployment, registry, modelId, registration, prove, stats };
}

type BatchEnv = Awaited<ReturnType<typeof batchEnv>>;

/**
 * Batches of k through the wrapper and the registry, and k single verifications. Nonces start
 * at `base` on fresh words (the wrapper's 256-nonce words, the registry's 8-nonce slots), so every
 * row pays the same first-write storage cost.
 */
async function measureRow(env: BatchEnv, k: number, base: bigint): Promise<Row> {
  const { chain, artifact, wrapper, registry, modelId, prove } = env;
  const ns = Array.from({ length: k }, (_, i) => base + BigInt(i));
  const wrapped: ProofFile[] = [];
  const viaRegistry: ProofFile[] = [];
  for (const n of ns) {
    wrapped.push(await prove(wrapper, n));
    viaRegistry.push(await prove(registry, n));
  }
  const entries = (ps: ProofFile[]) => ps.map((proof, i) => ({ proof, nonce: ns[i]! }));
  const w = await submitInferenceBatch(chain.signer, wrapper, artifact.abi, entries(wrapped));
  const r = await submitBatchToRegistry(chain.signer, registry, modelId, entries(viaRegistry));
  if (!w.valid || !r.valid) throw new Error(`batch of ${k} rejected: ${w.reason ?? r.reason}`);
  // k single verifications of the same number of fresh proofs, nonces laid out the same way.
  const singleBase = base + (1n << 12n);
  let singleGasSum = 0;
  for (let i = 0; i < k; i++) {
    const n = singleBase + BigInt(i);
    const s = await submitInference(chain.signer, wrapper, artifact.abi, await prove(wrapper, n), n);
    if (!s.valid) throw new Error(`single proof rejected: ${s.reason}`);
    singleGasSum += Number(s.gasUsed);
  }
  const calldataBytes = 4 + 32 * 3 + 32 * 3 + k * (256 + 64 + 32);
  process.stderr.write(`k=${k}: wrapper ${w.gasUsed} (${Math.round(Number(w.gasUsed) / k)}/proof), registry ${r.gasUsed}, ${k} singles ${singleGasSum}\n`);
  return { k, wrapperGas: Number(w.gasUsed), registryGas: Number(r.gasUsed), singleGasSum, calldataBytes };
}

type BatchResult = Awaited<ReturnType<typeof measure>>;

/** Every row, the registry's single-proof baseline, the fits and the largest k under the gas limits. */
async function measure(dir: string, ks: number[]) {
  const t0 = performance.now();
  const env = await batchEnv(dir);
  const rows: Row[] = [];
  let next = 1n << 20n;
  for (const k of ks) {
    rows.push(await measureRow(env, k, next));
    next += 1n << 13n;
  }
  const regSingle = await submitToRegistry(env.chain.signer, env.registry, env.modelId, await env.prove(env.registry, next), next);
  await env.chain.close();
  await releaseCurves();
  const fit = fitLine(rows.filter((r) => r.k >= 4).map((r) => ({ x: r.k, y: r.wrapperGas })));
  const fitRegistry = fitLine(rows.filter((r) => r.k >= 4).map((r) => ({ x: r.k, y: r.registryGas })));
  const largest = (limit: number, f: { a: number; b: number }) => Math.floor((limit - f.a) / f.b);
  return {
    at: new Date().toISOString(),
    machine: machineInfo(),
    model: "examples/tiny-mlp (gas does not depend on the circuit: 2 public signals, 8-word proof)",
    rows,
    registrySingleGas: Number(regSingle.gasUsed),
    fit: { wrapper: fit, registry: fitRegistry },
    largestK: {
      wrapperUnderTxCap: largest(TX_GAS_CAP, fit),
      wrapperUnderBlock: largest(BLOCK_GAS_LIMIT, fit),
      registryUnderTxCap: largest(TX_GAS_CAP, fitRegistry),
      registryUnderBlock: largest(BLOCK_GAS_LIMIT, fitRegistry),
    },
    verifierBytecode: { wrapper: env.artifact.deployedBytecodeSize, batchVerifier: (await readVerifierArtifact(dir, "snark")).deployedBytecodeSize },
    deploymentGas: { wrapper: Number(env.wrapperDeployment.gasUsed), batchVerifier: Number(env.registration.deployVerifier) },
    provedProofs: env.stats.proofs,
    proveMsAvg: env.stats.proveMs / env.stats.proofs,
    totalMs: performance.now() - t0,
  };
}

const n = (v: number) => Math.round(v).toLocaleString("en-US");

/** The result as Markdown, with the machine. */
function batchMarkdown(result: BatchResult): string[] {
  const { rows, fit, largestK } = result;
  return [
    `# Batch verification gas (Groth16), ${result.at.slice(0, 10)}`,
    "",
    `Machine: ${machineLabel(result.machine)}. In-process Hardhat (EDR, cancun). ${result.provedProofs} tiny-MLP proofs (${result.proveMsAvg.toFixed(0)} ms each), ${(result.totalMs / 1000).toFixed(0)} s in all.`,
    "",
    "| k | wrapper verifyInferences | a proof | registry verifyInferences | a proof | k × verifyInference | batch / singles | calldata bytes |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.k} | ${n(r.wrapperGas)} | ${n(r.wrapperGas / r.k)} | ${n(r.registryGas)} | ${n(r.registryGas / r.k)} | ${n(r.singleGasSum)} | ${(r.wrapperGas / r.singleGasSum).toFixed(2)} | ${n(r.calldataBytes)} |`,
    ),
    "",
    `Fit (k ≥ 4): wrapper ${n(fit.wrapper.a)} + ${n(fit.wrapper.b)}·k gas; registry ${n(fit.registry.a)} + ${n(fit.registry.b)}·k.`,
    `Largest k: ${largestK.wrapperUnderTxCap} (wrapper) / ${largestK.registryUnderTxCap} (registry) under EIP-7825's per-transaction cap of ${n(TX_GAS_CAP)} gas; ${largestK.wrapperUnderBlock} / ${largestK.registryUnderBlock} under a ${n(BLOCK_GAS_LIMIT)}-gas block. A registry single verifyInference here: ${n(result.registrySingleGas)}.`,
    `Runtime bytecode (EIP-170 limit 24,576): wrapper ${n(result.verifierBytecode.wrapper)} bytes, bare batch verifier ${n(result.verifierBytecode.batchVerifier)}; neither depends on k. Deployment: wrapper ${n(result.deploymentGas.wrapper)} gas, bare batch verifier ${n(result.deploymentGas.batchVerifier)}.`,
  ];
}

/** Gas per proof against k, singles and batches (SVG). */
function batchChart(rows: Row[]): string {
  return lineChart({
    title: "Groth16 verification gas per proof vs batch size",
    xLabel: "proofs in the transaction (k)",
    yLabel: "gas per proof",
    series: [
      { name: "k × verifyInference (wrapper)", color: "#888", points: rows.map((r) => ({ x: r.k, y: r.singleGasSum / r.k })) },
      { name: "verifyInferences (wrapper)", color: "#1f77b4", points: rows.map((r) => ({ x: r.k, y: r.wrapperGas / r.k })) },
      { name: "verifyInferences (registry)", color: "#d62728", points: rows.map((r) => ({ x: r.k, y: r.registryGas / r.k })) },
    ],
    references: [{ name: "pairing share at k → ∞: 34,000 (EIP-1108)", y: 34_000, color: "#2ca02c" }],
  });
}

async function main() {
  const { values } = parseArgs({ options: { max: { type: "string" }, results: { type: "string" } } });
  const max = Number(values.max ?? 64);
  const resultsDir = path.resolve(values.results ?? "bench/results");
  const ks = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((k) => k <= max);
  const result = await measure(path.resolve("build/bench-batch-tiny"), ks);
  const md = batchMarkdown(result);
  await mkdir(resultsDir, { recursive: true });
  const stem = path.join(resultsDir, `batch-${result.at.slice(0, 10)}-${os.hostname().replace(/[^A-Za-z0-9_-]/g, "")}`);
  await writeFileAtomic(`${stem}.json`, JSON.stringify(result, null, 2) + "\n");
  await writeFileAtomic(`${stem}.md`, md.join("\n") + "\n");
  await writeFileAtomic(`${stem}.svg`, batchChart(result.rows));
  process.stdout.write(md.join("\n") + `\n\nwritten: ${stem}.{json,md,svg}\n`);
}

await main();
