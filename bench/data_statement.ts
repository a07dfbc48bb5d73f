/**
 * What a data statement costs, both sides of it: for a dense model over n = 8, 32 and 128
 * input values, private (the blinded commitment) against hashed input and output (sha256), the
 * circuit's constraints, the warm prove time, the gas of verifyInferenceFor, and the gas a
 * consumer pays to rebuild the statement from its values and to quantize them (ZkmlData).
 * Beside it, what the same statement would cost on-chain with circomlibjs's Poseidon contract.
 * Run: npm run bench:data-statement   (writes bench/results/data-statement-DATE.json)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { poseidonContract } from "circomlibjs";
import { Contract, ContractFactory } from "ethers";
import { readFileSync } from "node:fs";
import { writeMlp } from "../circuits/onnx/write.js";
import { computeContext } from "../core/context.js";
import { statementTag } from "../core/statement.js";
import { mulberry32 } from "../core/random.js";
import { IZKML_VERIFIER_ABI } from "../verifier/abi.js";
import { CONTRACTS_DIR, compileSolidity } from "../verifier/solidity.js";
import {
  compileModel,
  connectInProcessChain,
  deployVerifier,
  encodeProof,
  InferenceProver,
  readVerifierArtifact,
  releaseCurves,
  setupModel,
} from "../src/index.js";
import { machineInfo, machineLabel } from "./machine.js";

const SIZES = [8, 32, 128];
const MODES = [
  { name: "private", opts: {} },
  { name: "hashed", opts: { inputVisibility: "hashed", outputVisibility: "hashed" } },
] as const;

const PROBE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ZkmlData} from "./ZkmlData.sol";
contract Probe {
    function quantizeGas(int256 raw) external view returns (uint256 used) {
        uint256 g = gasleft();
        ZkmlData.quantize(raw, 0, 1e18, 4, false);
        used = g - gasleft();
    }
    /// What a consumer pays to rebuild a both-hashed statement from values in memory.
    function statementGas(uint256 tag, int256[] calldata input, int256[] calldata output, uint8 outBits) external view returns (uint256 used) {
        int256[] memory i = input;
        int256[] memory o = output;
        uint256 g = gasleft();
        ZkmlData.statement(tag, ZkmlData.encodeValues(i, i.length, 8), ZkmlData.encodeValues(o, o.length, outBits));
        used = g - gasleft();
    }
}`;

interface Row {
  n: number;
  mode: string;
  constraints: number;
  proveMs: number;
  verifyGas: number;
  /** Execution gas of rebuilding the statement from values in memory (encodeValues, sha256). */
  statementGas?: number;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-data-"));
  const chain = await connectInProcessChain();
  const rows: Row[] = [];
  const sender = await chain.signer.getAddress();
  try {
    const a = await compileSolidity(
      { "ZkmlData.sol": readFileSync(path.join(CONTRACTS_DIR, "ZkmlData.sol"), "utf8"), "Probe.sol": PROBE },
      "Probe.sol",
      "Probe",
    );
    const probe = (await new ContractFactory(a.abi, a.bytecode, chain.signer).deploy()) as Contract;
    for (const n of SIZES) {
      const rand = mulberry32(n);
      const onnx = path.join(work, `dense${n}.onnx`);
      await writeMlp(onnx, {
        name: `dense${n}`,
        inputName: "x",
        outputName: "y",
        layers: [{ inFeatures: n, outFeatures: 1, weight: Array.from({ length: n }, () => rand() - 0.5), bias: [0], relu: false }],
      });
      for (const mode of MODES) {
        const dir = path.join(work, `${mode.name}-${n}`);
        const compiled = await compileModel(onnx, { outDir: dir, fidelity: false, ...mode.opts });
        await setupModel(dir);
        const verifier = await deployVerifier(chain.signer, await readVerifierArtifact(dir));
        const prover = await InferenceProver.open(dir);
        const input = Array.from({ length: n }, (_, i) => ((i * 37) % 255) - 127);
        const params = { chainId: chain.chainId, contract: verifier.address, sender, beneficiary: sender, nonce: 0n };
        await prover.proveQuantized(input, { value: computeContext(params), ...params });
        const t0 = performance.now();
        const { proof } = await prover.proveQuantized(input, { value: computeContext({ ...params, nonce: 1n }), ...params, nonce: 1n });
        const proveMs = performance.now() - t0;
        const c = new Contract(verifier.address, IZKML_VERIFIER_ABI, chain.signer);
        const tx = await c.getFunction("verifyInferenceFor")(sender, await encodeProof(proof), proof.publicSignals.slice(0, 2).map(BigInt), 1n);
        const verifyGas = Number((await tx.wait()).gasUsed);
        let statementGas: number | undefined;
        if (mode.name === "hashed") {
          const wrapper = new Contract(verifier.address, ["function statementOf(int256[] input, int256[] output) view returns (uint256)"], chain.provider);
          const args = [proof.input.values.map(BigInt), proof.output.values.map(BigInt)];
          if ((await wrapper.getFunction("statementOf")(...args)) !== BigInt(proof.publicSignals[0]!)) throw new Error("statementOf disagrees with the proof");
          const tag = statementTag(compiled.info.layout);
          statementGas = Number(await probe.getFunction("statementGas")(tag, ...args, compiled.info.layout.outputBits));
        }
        rows.push({ n, mode: mode.name, constraints: compiled.info.constraints, proveMs, verifyGas, ...(statementGas !== undefined && { statementGas }) });
        console.log(JSON.stringify(rows.at(-1)));
      }
    }
    const quantizeGas = Number(await probe.getFunction("quantizeGas")(15n * 10n ** 17n));
    // A Poseidon statement instead: one call of circomlibjs's contract per arity (execution gas).
    const poseidonGas: Record<number, number> = {};
    for (let k = 2; k <= 6; k++) {
      const p = (await new ContractFactory(poseidonContract.generateABI(k), poseidonContract.createCode(k), chain.signer).deploy()) as Contract;
      const args = Array.from({ length: k }, (_, i) => BigInt(i + 1) * 12345678901234567890n);
      poseidonGas[k] = Number(await p.getFunction(`poseidon(uint256[${k}])`).estimateGas(args)) - 21_000;
    }
    const date = new Date().toISOString().slice(0, 10);
    const machine = machineInfo();
    const result = { date, machine, rows, quantizeGasPerValue: quantizeGas, poseidonCallGas: poseidonGas };
    const out = path.join("bench/results", `data-statement-${date}-${machineLabel(machine)}.json`);
    await writeFile(out, JSON.stringify(result, null, 2) + "\n");
    console.log(`ZkmlData.quantize: ${quantizeGas} gas per value; Poseidon(k) calls: ${JSON.stringify(poseidonGas)}`);
    console.log(`wrote ${out}`);
  } finally {
    await chain.close();
    await releaseCurves();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
