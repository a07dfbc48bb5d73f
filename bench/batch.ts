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

function fitLine(points: { x: number; y: number }[]): { a: number; b: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const b = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return { a: my - b * mx, b };
}

async function main() {
  const { values } = parseArgs({ options: { max: { type: "string" }, results: { type: "string" } } });
  const max = Number(values.max ?? 64);
  const resultsDir = path.resolve(values.results ?? "bench/results");
  const ks = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((k) => k <= max);
  const dir = path.resolve("build/bench-batch-tiny");
  const t0 = performance.now();
  await compileModel("examples/tiny-mlp/tiny-mlp.onnx", { outDir: dir, calibrationFile: "examples/tiny-mlp/calibration.json", fidelity: false });
  await setupModel(dir);
  const prover = await InferenceProver.open(dir);
  const input = await readInputFile("examples/tiny-mlp/input.json");
  const chain = await connectInProcessChain();
  const sender = await chain.signer.getAddress();
  const artifact = await readVerifierArtifact(dir);
  const wrapperDeployment = await deployVerifier(chain.signer, artifact);
  const wrapper = wrapperDeployment.address;
  const registry = (await deployRegistry(chain.signer)).address;
  const { modelId, gas: registration } = await deployAndRegister(chain.signer, registry, dir);
  let proveMs = 0;
  let proofs = 0;
  const prove = async (contract: string, nonce: bigint): Promise<ProofFile> => {
    const t = performance.now();
    const value = computeContext({ chainId: chain.chainId, contract, sender, nonce });
    const p = (await prover.prove(input, { value, chainId: chain.chainId, contract, sender, nonce })).proof;
    proveMs += performance.now() - t;
    proofs++;
    return p;
  };
  // Each measurement starts its nonces on a fresh 256-nonce word (wrapper) and a fresh 8-nonce
  // slot (registry), so every row pays the same first-write storage cost.
  let next = 1n << 20n;
  const rows: Row[] = [];
  for (const k of ks) {
    const base = next;
    next += 1n << 12n;
    const ns = Array.from({ length: k }, (_, i) => base + BigInt(i));
    const wrapped: ProofFile[] = [];
    const viaRegistry: ProofFile[] = [];
    for (const n of ns) {
      wrapped.push(await prove(wrapper, n));
      viaRegistry.push(await prove(registry, n));
    }
    const w = await submitInferenceBatch(
      chain.signer,
      wrapper,
      artifact.abi,
      wrapped.map((proof, i) => ({ proof, nonce: ns[i]! })),
    );
    const r = await submitBatchToRegistry(
      chain.signer,
      registry,
      modelId,
      viaRegistry.map((proof, i) => ({ proof, nonce: ns[i]! })),
    );
    if (!w.valid || !r.valid) throw new Error(`batch of ${k} rejected: ${w.reason ?? r.reason}`);
    // k single verifications of the same number of fresh proofs, nonces laid out the same way.
    const singleBase = next;
    next += 1n << 12n;
    let singleGasSum = 0;
    for (let i = 0; i < k; i++) {
      const n = singleBase + BigInt(i);
      const s = await submitInference(chain.signer, wrapper, artifact.abi, await prove(wrapper, n), n);
      if (!s.valid) throw new Error(`single proof rejected: ${s.reason}`);
      singleGasSum += Number(s.gasUsed);
    }
    const calldataBytes = 4 + 32 * 3 + 32 * 3 + k * (256 + 64 + 32);
    rows.push({ k, wrapperGas: Number(w.gasUsed), registryGas: Number(r.gasUsed), singleGasSum, calldataBytes });
    process.stderr.write(`k=${k}: wrapper ${w.gasUsed} (${Math.round(Number(w.gasUsed) / k)}/proof), registry ${r.gasUsed}, ${k} singles ${singleGasSum}\n`);
  }
  // Registry singles for the single-item baseline of the registry path.
  const regSingle = await submitToRegistry(chain.signer, registry, modelId, await prove(registry, next), next);
  await chain.close();
  await releaseCurves();

  const fit = fitLine(rows.filter((r) => r.k >= 4).map((r) => ({ x: r.k, y: r.wrapperGas })));
  const fitRegistry = fitLine(rows.filter((r) => r.k >= 4).map((r) => ({ x: r.k, y: r.registryGas })));
  const largest = (limit: number, f: { a: number; b: number }) => Math.floor((limit - f.a) / f.b);
  const machine = machineInfo();
  const result = {
    at: new Date().toISOString(),
    machine,
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
    verifierBytecode: { wrapper: artifact.deployedBytecodeSize, batchVerifier: (await readVerifierArtifact(dir, "snark")).deployedBytecodeSize },
    deploymentGas: { wrapper: Number(wrapperDeployment.gasUsed), batchVerifier: Number(registration.deployVerifier) },
    provedProofs: proofs,
    proveMsAvg: proveMs / proofs,
    totalMs: performance.now() - t0,
  };
  const md: string[] = [];
  md.push(`# Batch verification gas (Groth16), ${result.at.slice(0, 10)}`, "");
  md.push(
    `Machine: ${machineLabel(machine)}. In-process Hardhat (EDR, cancun). ${proofs} tiny-MLP proofs (${(result.proveMsAvg).toFixed(0)} ms each), ${(result.totalMs / 1000).toFixed(0)} s in all.`,
    "",
  );
  md.push("| k | wrapper verifyInferences | a proof | registry verifyInferences | a proof | k × verifyInference | batch / singles | calldata bytes |");
  md.push("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    md.push(
      `| ${r.k} | ${r.wrapperGas.toLocaleString("en-US")} | ${Math.round(r.wrapperGas / r.k).toLocaleString("en-US")} | ${r.registryGas.toLocaleString("en-US")} | ${Math.round(r.registryGas / r.k).toLocaleString("en-US")} | ${r.singleGasSum.toLocaleString("en-US")} | ${(r.wrapperGas / r.singleGasSum).toFixed(2)} | ${r.calldataBytes.toLocaleString("en-US")} |`,
    );
  }
  md.push("");
  md.push(
    `Fit (k ≥ 4): wrapper ${Math.round(fit.a).toLocaleString("en-US")} + ${Math.round(fit.b).toLocaleString("en-US")}·k gas; registry ${Math.round(fitRegistry.a).toLocaleString("en-US")} + ${Math.round(fitRegistry.b).toLocaleString("en-US")}·k.`,
  );
  md.push(
    `Largest k: ${result.largestK.wrapperUnderTxCap} (wrapper) / ${result.largestK.registryUnderTxCap} (registry) under EIP-7825's per-transaction cap of ${TX_GAS_CAP.toLocaleString("en-US")} gas; ${result.largestK.wrapperUnderBlock} / ${result.largestK.registryUnderBlock} under a ${BLOCK_GAS_LIMIT.toLocaleString("en-US")}-gas block. A registry single verifyInference here: ${result.registrySingleGas.toLocaleString("en-US")}.`,
  );
  md.push(
    `Runtime bytecode (EIP-170 limit 24,576): wrapper ${result.verifierBytecode.wrapper.toLocaleString("en-US")} bytes, bare batch verifier ${result.verifierBytecode.batchVerifier.toLocaleString("en-US")}; neither depends on k. Deployment: wrapper ${result.deploymentGas.wrapper.toLocaleString("en-US")} gas, bare batch verifier ${result.deploymentGas.batchVerifier.toLocaleString("en-US")}.`,
  );
  const svg = lineChart({
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
  await mkdir(resultsDir, { recursive: true });
  const stem = path.join(resultsDir, `batch-${result.at.slice(0, 10)}-${os.hostname().replace(/[^A-Za-z0-9_-]/g, "")}`);
  await writeFileAtomic(`${stem}.json`, JSON.stringify(result, null, 2) + "\n");
  await writeFileAtomic(`${stem}.md`, md.join("\n") + "\n");
  await writeFileAtomic(`${stem}.svg`, svg);
  process.stdout.write(md.join("\n") + `\n\nwritten: ${stem}.{json,md,svg}\n`);
}

await main();
