/**
 * The on-chain verifier of a model: the snarkjs verifier of its system, unmodified but for its
 * contract name (each model gets its own, so several can live in one project), and a contract
 * of ours that inherits it and adds field checks, context binding, replay protection and the
 * InferenceVerified event. Compiled offline with the npm solc.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { InterfaceAbi } from "ethers";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { commentText, identifierText } from "../core/inert.js";
import { FIELD_R } from "../core/field.js";
import { packageFile } from "../core/package_files.js";
import { PROOF_WORDS, type ProofSystem } from "../core/proof_system.js";
import type { Groth16Key } from "./batch.js";
import { groth16BatchVerifierSource } from "./batch_solidity.js";

const require = createRequire(import.meta.url);
const SNARKJS_DIR = path.resolve(path.dirname(require.resolve("snarkjs")), "..");
export const CONTRACTS_DIR = packageFile("contracts");
export const SOLC_VERSION: string = require("solc/package.json").version;
export const EVM_VERSION = "cancun";

export interface VerifierSources {
  /** File name → Solidity source, for solc and for the build folder. */
  sources: Record<string, string>;
  /** The bare verifier a registry routes to: snarkjs's, and for Groth16 its batch extension. */
  verifierContract: string;
  mainContract: string;
  mainFile: string;
}

/** A Solidity identifier from a model name and id: each model's contracts get their own names. */
export function contractSuffix(modelName: string, modelId: string): string {
  return `${identifierText(modelName)}_${identifierText(modelId.replace(/^0x/, "").slice(0, 8))}`;
}

/** A bytes32 literal, or a refusal: the model id comes from a build folder, which may be hostile. */
function hex32(value: string): string {
  if (!/^0x[0-9a-f]{64}$/.test(value)) throw new ZkmlError("BAD_MODEL", `model id ${commentText(value)} is not a 32-byte hex string`, "recompile the model");
  return value;
}

/** A decimal field element, or a refusal (it is pasted into Solidity as a constant). */
function fieldLiteral(value: string): string {
  if (!/^[0-9]{1,78}$/.test(value) || BigInt(value) >= FIELD_R) throw new ZkmlError("BAD_MODEL", `model commitment ${commentText(value)} is not a field element`, "recompile the model");
  return value;
}

const TEMPLATE_CONTRACT: Record<ProofSystem, string> = { groth16: "Groth16Verifier", plonk: "PlonkVerifier", fflonk: "FflonkVerifier" };

/** The snarkjs verifier of a zkey (its system's template), unmodified but for its contract name. */
export async function exportSnarkVerifier(system: ProofSystem, zkeyFile: string, contractName: string): Promise<string> {
  const template = readFileSync(path.join(SNARKJS_DIR, `templates/verifier_${system}.sol.ejs`), "utf8");
  const snark: string = await snarkjs.zKey.exportSolidityVerifier(zkeyFile, { [system]: template });
  const renamed = snark.replace(new RegExp(`\\bcontract ${TEMPLATE_CONTRACT[system]}\\b`), `contract ${contractName}`);
  if (renamed === snark) throw new Error(`snarkjs verifier template changed: no \`contract ${TEMPLATE_CONTRACT[system]}\` to rename`);
  return system === "groth16" ? renamed : withSignalFieldCheck(renamed);
}

/**
 * snarkjs's PLONK and FFLONK verifiers do not check that the public signals are below r (its
 * Groth16 verifier does), so `signal + r` verifies as `signal`: anyone calling the inherited
 * public verifyProof would accept an unreduced alias. The one change zkml makes to them: return
 * false for such a signal before anything else.
 */
function withSignalFieldCheck(source: string): string {
  const m = /function verifyProof\([^,]+,\s*uint256\[\d+\] calldata (\w+)\) public view returns \(bool\) \{/.exec(source);
  if (!m) throw new Error("snarkjs verifier template changed: no verifyProof(proof, uint256[n] signals) to guard");
  const signals = m[1]!;
  const guard = `
        // zkml: every public signal must be a field element (snarkjs checks only the proof's).
        for (uint256 i = 0; i < ${signals}.length; i++) {
            if (${signals}[i] >= ${FIELD_R}) return false;
        }`;
  return source.slice(0, m.index + m[0].length) + guard + source.slice(m.index + m[0].length);
}

export function exportGroth16Verifier(zkeyFile: string, contractName: string): Promise<string> {
  return exportSnarkVerifier("groth16", zkeyFile, contractName);
}

/**
 * The wrapper's proof check: forward the proof words and the public signals, as they are in
 * calldata, to the inherited snarkjs verifyProof (every argument of it is a static array, so
 * its ABI encoding is the words in a row). Cheaper than abi.decode and re-encoding.
 * With private weights the circuit has a third public signal, the weights commitment; the
 * contract pins it, so callers still pass two signals and the deployed contract says which
 * (hidden) model it accepts.
 */
function verifyProofBody(system: ProofSystem, modelCommitment: string | undefined): string {
  const proofBytes = PROOF_WORDS[system] * 32;
  const nSignals = modelCommitment === undefined ? 2 : 3;
  const pin = modelCommitment === undefined ? "" : `
            mstore(add(p, ${4 + proofBytes + 64}), MODEL_COMMITMENT)`;
  return `        if (proof.length != ${proofBytes}) return false;
        bytes4 selector = this.verifyProof.selector;
        // The snarkjs verifier ends in an assembly \`return\`, so it must be entered by a call;
        // a call to this same (already warm) contract costs 100 gas for the account access.
        assembly {
            let p := mload(0x40)
            mstore(p, selector)
            calldatacopy(add(p, 4), proof.offset, ${proofBytes})
            calldatacopy(add(p, ${4 + proofBytes}), pubSignals, 64)${pin}
            let success := staticcall(gas(), address(), p, ${4 + proofBytes + 32 * nSignals}, p, 0x20)
            ok := and(success, and(eq(returndatasize(), 0x20), eq(mload(p), 1)))
        }`;
}

/**
 * verifyInferences' proof check for Groth16: the items' signals laid out flat (with the pinned
 * weights commitment), then one batched pairing check.
 */
function verifyBatchBody(modelCommitment: string | undefined): string {
  const n = modelCommitment === undefined ? 2 : 3;
  const pin = modelCommitment === undefined ? "" : `
            flat[i * 3 + 2] = MODEL_COMMITMENT;`;
  return `
    function _verifyProofBatch(bytes calldata proofs, uint256[2][] calldata pubSignals) internal view override returns (bool) {
        uint256 k = pubSignals.length;
        uint256[] memory flat = new uint256[](k * ${n});
        for (uint256 i = 0; i < k; i++) {
            flat[i * ${n}] = pubSignals[i][0];
            flat[i * ${n} + 1] = pubSignals[i][1];${pin}
        }
        return _verifyProofs(proofs, flat);
    }
`;
}

export async function generateVerifierSources(
  zkeyFile: string,
  modelName: string,
  modelId: string,
  opts: { system?: ProofSystem; modelCommitment?: string; devKeys?: boolean; verificationKey?: unknown } = {},
): Promise<VerifierSources> {
  const system = opts.system ?? "groth16";
  if (!Object.hasOwn(TEMPLATE_CONTRACT, system)) throw new ZkmlError("USAGE", `unknown proof system ${commentText(system)}`);
  const id = hex32(modelId);
  const suffix = contractSuffix(modelName, id);
  const snarkjsContract = `${TEMPLATE_CONTRACT[system]}_${suffix}`;
  const verifierContract = system === "groth16" ? `Groth16BatchVerifier_${suffix}` : snarkjsContract;
  const mainContract = `ZkmlVerifier_${suffix}`;
  const renamed = await exportSnarkVerifier(system, zkeyFile, snarkjsContract);
  const header = `// Generated by zkml for model "${commentText(modelName)}" (${id}), ${system}. Do not edit: run \`zkml setup\` again.`;
  const batch =
    system === "groth16"
      ? {
          [`${verifierContract}.sol`]: groth16BatchVerifierSource(
            (opts.verificationKey ?? (await snarkjs.zKey.exportVerificationKey(zkeyFile))) as Groth16Key, snarkjsContract, verifierContract, header,
          ),
        }
      : {};
  const mainFile = `${mainContract}.sol`;
  const pinned = opts.modelCommitment === undefined ? "" : `
    /// Poseidon commitment to the model's private weights (salted): the only model this accepts.
    uint256 public constant MODEL_COMMITMENT = ${fieldLiteral(opts.modelCommitment)};
`;
  const main = `// SPDX-License-Identifier: MIT
${header}
pragma solidity ^0.8.20;

import {${verifierContract}} from "./${verifierContract}.sol";
import {ZkmlInferenceVerifier} from "./ZkmlInferenceVerifier.sol";

contract ${mainContract} is ${verifierContract}, ZkmlInferenceVerifier {${pinned}
    /// True for development keys (drawn directly by zkml setup, or on a development powers of
    /// tau: one party, no ceremony): whoever made them can forge proofs. zkml refuses to
    /// deploy such keys off local chains unless told to (--allow-dev-keys).
    bool public constant DEVELOPMENT_KEYS = ${opts.devKeys === true};

    constructor() ZkmlInferenceVerifier(${id}) {}

    function proofSystem() external pure override returns (string memory) {
        return "${system}";
    }

    function _proofBytes() internal pure override returns (uint256) {
        return ${PROOF_WORDS[system] * 32};
    }

    function _verifyProof(bytes calldata proof, uint256[2] calldata pubSignals) internal view override returns (bool ok) {
${verifyProofBody(system, opts.modelCommitment)}
    }
${system === "groth16" ? verifyBatchBody(opts.modelCommitment) : ""}}
`;
  return {
    sources: {
      [`${snarkjsContract}.sol`]: renamed,
      ...batch,
      "IZkmlVerifier.sol": readFileSync(path.join(CONTRACTS_DIR, "IZkmlVerifier.sol"), "utf8"),
      "ZkmlInferenceVerifier.sol": readFileSync(path.join(CONTRACTS_DIR, "ZkmlInferenceVerifier.sol"), "utf8"),
      [mainFile]: main,
    },
    verifierContract,
    mainContract,
    mainFile,
  };
}

export interface CompiledContract {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  deployedBytecodeSize: number;
  /** The runtime code (0x hex) a deployment must leave at its address. */
  deployedBytecode: string;
  solcVersion: string;
  evmVersion: string;
}

export { EIP170_LIMIT } from "./chain.js";

/** Compiles Solidity sources with the npm solc (optimizer on, cancun) and returns one contract's ABI and bytecode. */
export async function compileSolidity(sources: Record<string, string>, file: string, contractName: string): Promise<CompiledContract> {
  const solc = (await import("solc")).default;
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      outputSelection: { [file]: { [contractName]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) {
    throw new ZkmlError("SOLC_FAILED", `solc ${SOLC_VERSION} failed: ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n")}`);
  }
  const c = output.contracts[file][contractName];
  return {
    contractName,
    abi: c.abi,
    bytecode: "0x" + c.evm.bytecode.object,
    deployedBytecodeSize: c.evm.deployedBytecode.object.length / 2,
    deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    solcVersion: SOLC_VERSION,
    evmVersion: EVM_VERSION,
  };
}

/** Every .sol file under contracts/, keyed by its path there (how the files import each other). */
export function projectSources(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(CONTRACTS_DIR, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".sol")) out[r] = readFileSync(path.join(CONTRACTS_DIR, r), "utf8");
    }
  };
  walk("");
  return out;
}

/** A contract of the project's contracts/ folder (e.g. "examples/ClassBounty.sol", "ClassBounty"). */
export function compileProjectContract(file: string, contractName: string): Promise<CompiledContract> {
  return compileSolidity(projectSources(), file, contractName);
}
