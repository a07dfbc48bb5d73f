/**
 * One model through one proof system, the numbers that compare them: setup and prove time,
 * proof size, bytecode, deployment gas, verification gas (bare verifier, the model's wrapper,
 * and through the registry). Slow systems on large circuits take long: a command of its own,
 *   [ZKML_PROVE_RUNS=3] node --import tsx bench/systems_report.ts <build-dir-compiled> <groth16|plonk|fflonk> <input.json> [out.json]
 */
import { cp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { plonkGateCount } from "../core/systems/plonk_gates.js";
import {
  computeContext,
  connectInProcessChain,
  deployAndRegister,
  deployRegistry,
  deployVerifier,
  InferenceProver,
  measureVerifierCallGas,
  parseProofSystem,
  PROOF_WORDS,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  setupModel,
  submitInference,
  submitToRegistry,
} from "../src/index.js";
import { machineInfo } from "./machine.js";
import { peakRssMb } from "../core/memory.js";

const [compiledDir, systemArg, inputFile, outFile] = process.argv.slice(2);
if (!compiledDir || !systemArg || !inputFile) {
  console.error("usage: bench/systems_report.ts <compiled build dir> <system> <input.json> [out.json]");
  process.exit(2);
}
const system = parseProofSystem(systemArg);
const dir = `${compiledDir.replace(/\/$/, "")}-${system}`;
await rm(dir, { recursive: true, force: true });
await cp(compiledDir, dir, { recursive: true });
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const gates = plonkGateCount(readFileSync(`${dir}/circuit.r1cs`));
log(`${system}: ${gates.nConstraints} r1cs constraints, ${gates.plonkGates} PLONK gates; setup…`);
const s = await setupModel(dir, { system, progress: (m, f) => (f === 0 ? log(m) : undefined) });
log(`setup done: ptau 2^${s.info.ptau.power} (${(s.info.timingsMs.ptau / 1000).toFixed(1)} s), keys ${(s.info.timingsMs.setup / 1000).toFixed(1)} s`);
const prover = await InferenceProver.open(dir);
const values = await readInputFile(inputFile);
const proveMs: number[] = [];
const runs = Number(process.env.ZKML_PROVE_RUNS ?? 3);
for (let i = 0; i < runs; i++) {
  const r = await prover.prove(values);
  proveMs.push(r.timingsMs.witness + r.timingsMs.prove);
  log(`prove ${i + 1}/${runs}: ${proveMs.at(-1)!.toFixed(0)} ms`);
}
const chain = await connectInProcessChain();
const sender = await chain.signer.getAddress();
const artifact = await readVerifierArtifact(dir);
const wrapper = await deployVerifier(chain.signer, artifact);
const ctx = (contract: string, nonce: bigint) => computeContext({ chainId: chain.chainId, contract, sender, nonce });
const wrapped = (await prover.prove(values, { value: ctx(wrapper.address, 1n) })).proof;
const viaWrapper = await submitInference(chain.signer, wrapper.address, artifact.abi, wrapped, 1n);
const registry = (await deployRegistry(chain.signer)).address;
const reg = await deployAndRegister(chain.signer, registry, dir);
const viaRegistry = await submitToRegistry(chain.signer, registry, reg.modelId, (await prover.prove(values, { value: ctx(registry, 8n) })).proof, 8n);
const viaRegistryInUse = await submitToRegistry(chain.signer, registry, reg.modelId, (await prover.prove(values, { value: ctx(registry, 9n) })).proof, 9n);
const bare = await measureVerifierCallGas(chain.signer, reg.verifier, (await readVerifierArtifact(dir, "snark")).abi, wrapped);
await chain.close();
if (!viaWrapper.valid || !viaRegistry.valid || !viaRegistryInUse.valid) throw new Error("a proof was rejected on-chain");
const report = {
  model: prover.model.model.name,
  system,
  machine: machineInfo(),
  constraints: gates.nConstraints,
  plonkGates: gates.plonkGates,
  ptauPower: s.info.ptau.power,
  setupMs: { ptau: s.info.timingsMs.ptau, keys: s.info.timingsMs.setup },
  proveMs: proveMs.sort((a, b) => a - b),
  proofBytes: 32 * PROOF_WORDS[system],
  bytecode: { wrapper: s.info.contract.deployedBytecodeSize, verifier: s.info.contract.verifierBytecodeSize },
  gas: {
    bareVerifyProof: Number(bare),
    wrapperVerifyInference: Number(viaWrapper.gasUsed),
    registryVerifyInferenceFreshSlot: Number(viaRegistry.gasUsed),
    registryVerifyInferenceSlotInUse: Number(viaRegistryInUse.gasUsed),
    deployWrapper: Number(wrapper.gasUsed),
    deployVerifier: Number(reg.gas.deployVerifier),
    register: Number(reg.gas.register),
  },
  peakRssMb: peakRssMb(),
};
await releaseCurves();
const text = JSON.stringify(report, null, 2) + "\n";
if (outFile) await writeFile(outFile, text);
process.stdout.write(text);
