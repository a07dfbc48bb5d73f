/**
 * The on-chain verifier of a model: the snarkjs verifier of its system, unmodified but for its
 * contract name (each model gets its own, so several can live in one project), and a contract
 * of ours that inherits it and adds field checks, context binding, replay protection and the
 * InferenceVerified event. Compiled offline with the npm solc.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as ejs from "ejs";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { commentText, identifierText } from "../core/inert.js";
import { FIELD_R } from "../core/field.js";
import type { ProofSystem } from "../core/proof_system.js";
import { inputFracs, type QModel } from "../core/qmodel.js";
import { inputVisibility, isDataStatement, outputVisibility, statementTag, type StatementLayout, type Visibility } from "../core/statement.js";
import { backend, PROOF_BACKENDS } from "../core/systems/index.js";
import { batchVerifier } from "./batch_verifiers.js";
import { CONTRACTS_DIR } from "./solc.js";
import { fillTemplate } from "./template.js";

const require = createRequire(import.meta.url);
const SNARKJS_DIR = path.resolve(path.dirname(require.resolve("snarkjs")), "..");
export { CONTRACTS_DIR } from "./solc.js";

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
  if (!/^[0-9]{1,78}$/.test(value) || BigInt(value) >= FIELD_R)
    throw new ZkmlError("BAD_MODEL", `model commitment ${commentText(value)} is not a field element`, "recompile the model");
  return value;
}

/**
 * The snarkjs verifier of a zkey (its system's template), unmodified but for its contract name.
 * Given the zkey's verification key, a Groth16 or PLONK template is filled from it as snarkjs
 * fills it (ejs), without snarkjs reading the key again: reading it builds ffjavascript's curve
 * and starts its worker threads, a quarter of a small model's setup.
 */
export async function exportSnarkVerifier(system: ProofSystem, zkeyFile: string, contractName: string, verificationKey?: unknown): Promise<string> {
  const template = readFileSync(path.join(SNARKJS_DIR, `templates/verifier_${system}.sol.ejs`), "utf8");
  const snark: string =
    verificationKey !== undefined && system !== "fflonk"
      ? ejs.render(template, verificationKey as object)
      : await snarkjs.zKey.exportSolidityVerifier(zkeyFile, { [system]: template });
  const { templateContract, solidityChecksSignals } = backend(system);
  const renamed = snark.replace(new RegExp(`\\bcontract ${templateContract}\\b`), `contract ${contractName}`);
  if (renamed === snark) throw new Error(`snarkjs verifier template changed: no \`contract ${templateContract}\` to rename`);
  return solidityChecksSignals ? renamed : withSignalFieldCheck(renamed);
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

/**
 * The wrapper's proof check: forward the proof words and the public signals, as they are in
 * calldata, to the inherited snarkjs verifyProof (every argument of it is a static array, so
 * its ABI encoding is the words in a row). Cheaper than abi.decode and re-encoding.
 * With private weights the circuit has a third public signal, the weights commitment; the
 * contract pins it, so callers still pass two signals and the deployed contract says which
 * (hidden) model it accepts.
 */
function verifyProofBody(system: ProofSystem, modelCommitment: string | undefined): string {
  const proofBytes = backend(system).proofWords * 32;
  const nSignals = modelCommitment === undefined ? 2 : 3;
  const pin =
    modelCommitment === undefined
      ? ""
      : `
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

/** What a data-statement model's verifier states about its statement (layout, visibilities, the input's scale). */
export interface StatementSpec {
  layout: StatementLayout;
  /** The input's scale 2^-frac, when every input value has the same one. */
  inputFrac?: number;
  inputNonNegative: boolean;
}

/** A model's StatementSpec, or undefined when its public signal 0 is the blinded commitment. */
export function statementSpecOf(model: QModel, layout: StatementLayout): StatementSpec | undefined {
  if (!isDataStatement(layout)) return undefined;
  const fracs = new Set(inputFracs(model));
  return { layout, ...(fracs.size === 1 && { inputFrac: [...fracs][0]! }), inputNonNegative: model.input.nonNegative === true };
}

/** A whole number in [lo, hi] from a build folder, or a refusal (it is pasted into Solidity). */
function intLiteral(v: unknown, lo: number, hi: number, what: string): number {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi)
    throw new ZkmlError("BAD_MODEL", `${what} is not a whole number in [${lo}, ${hi}]`, "recompile the model");
  return v as number;
}

/**
 * A data-statement model's constants and statementOf: public signal 0 from the values a
 * contract holds (a hashed side) and the commitment the proof file gives (a private side).
 */
function statementMembers(spec: StatementSpec): string {
  const l = spec.layout;
  const inSize = intLiteral(l.inputSize, 1, 1 << 24, "the input size");
  const outSize = intLiteral(l.outputSize, 1, 1 << 24, "the output size");
  const inBits = intLiteral(l.inputBits, 2, 64, "the input width");
  const outBits = intLiteral(l.outputBits, 2, 64, "the output width");
  const side = (v: Visibility, name: "input" | "output", size: string, bits: string) => {
    switch (v) {
      case "hashed":
        return { param: `int256[] memory ${name}`, bytes: `ZkmlData.encodeValues(${name}, ${size}, ${bits})` };
      case "private":
        return { param: `uint256 ${name}Commitment`, bytes: `ZkmlData.encodeCommitment(${name}Commitment)` };
      default:
        return v satisfies never;
    }
  };
  const i = side(inputVisibility(l), "input", "INPUT_SIZE", "INPUT_BITS");
  const o = side(outputVisibility(l), "output", "OUTPUT_SIZE", "OUTPUT_BITS");
  const frac =
    spec.inputFrac === undefined
      ? ""
      : `
    /// The input's scale: a value x is the int8 round(x * 2^INPUT_FRAC) (ZkmlData.quantize).
    int256 public constant INPUT_FRAC = ${intLiteral(spec.inputFrac, -64, 64, "the input scale")};`;
  return `
    /// Public signal 0 is a data statement (docs/CIRCUIT.md): input ${inputVisibility(l)}, output ${outputVisibility(l)}.
    uint256 public constant STATEMENT_TAG = ${statementTag(l)};
    uint256 public constant INPUT_SIZE = ${inSize};
    uint8 public constant INPUT_BITS = ${inBits};
    uint256 public constant OUTPUT_SIZE = ${outSize};
    uint8 public constant OUTPUT_BITS = ${outBits};${frac}
    /// True when the input's domain is [0, 127]: quantize with nonNegative = true.
    bool public constant INPUT_NONNEGATIVE = ${spec.inputNonNegative};

    /// Public signal 0 of a proof over these values: compare it with pubSignals[0] before
    /// verifying, and the proof is about exactly them. A hashed side is its int values (the
    /// quantized input, the output's integers); a private side is the commitment the proof file
    /// gives for it (statement.inputCommitment or statement.outputCommitment).
    function statementOf(${i.param}, ${o.param}) public pure returns (uint256) {
        return ZkmlData.statement(STATEMENT_TAG, ${i.bytes}, ${o.bytes});
    }
`;
}

/** A model's Solidity: its system's snarkjs verifier (renamed), its batch extension where the system has one (verifier/batch_verifiers.ts), and the ZkmlVerifier wrapper from contracts/templates/. */
export async function generateVerifierSources(
  zkeyFile: string,
  modelName: string,
  modelId: string,
  opts: { system: ProofSystem; modelCommitment?: string; devKeys?: boolean; verificationKey?: unknown; statement?: StatementSpec },
): Promise<VerifierSources> {
  const { system } = opts;
  if (!Object.hasOwn(PROOF_BACKENDS, system)) throw new ZkmlError("USAGE", `unknown proof system ${commentText(system)}`);
  const id = hex32(modelId);
  const suffix = contractSuffix(modelName, id);
  const snarkjsContract = `${backend(system).templateContract}_${suffix}`;
  const batcher = batchVerifier(system);
  const verifierContract = batcher ? batcher.contract(suffix) : snarkjsContract;
  const mainContract = `ZkmlVerifier_${suffix}`;
  const renamed = await exportSnarkVerifier(system, zkeyFile, snarkjsContract, opts.verificationKey);
  const header = `// Generated by zkml for model "${commentText(modelName)}" (${id}), ${system}. Do not edit: run \`zkml setup\` again.`;
  const batch = batcher
    ? {
        [`${verifierContract}.sol`]: batcher.source(
          opts.verificationKey ?? (await snarkjs.zKey.exportVerificationKey(zkeyFile)),
          snarkjsContract,
          verifierContract,
          header,
        ),
      }
    : {};
  const mainFile = `${mainContract}.sol`;
  const pinned =
    opts.modelCommitment === undefined
      ? ""
      : `
    /// Poseidon commitment to the model's private weights (salted): the only model this accepts.
    uint256 public constant MODEL_COMMITMENT = ${fieldLiteral(opts.modelCommitment)};
`;
  const main = fillTemplate("ZkmlVerifier.sol.tmpl", {
    HEADER: header,
    VERIFIER: verifierContract,
    MAIN: mainContract,
    PINNED: pinned + (opts.statement ? statementMembers(opts.statement) : ""),
    IMPORTS: opts.statement ? `\nimport {ZkmlData} from "./ZkmlData.sol";` : "",
    DEV_KEYS: opts.devKeys === true,
    MODEL_ID: id,
    SYSTEM: system,
    PROOF_BYTES: backend(system).proofWords * 32,
    VERIFY_PROOF: verifyProofBody(system, opts.modelCommitment),
    VERIFY_BATCH: batcher?.wrapperBody(opts.modelCommitment) ?? "",
  });
  return {
    sources: {
      [`${snarkjsContract}.sol`]: renamed,
      ...batch,
      "IZkmlVerifier.sol": readFileSync(path.join(CONTRACTS_DIR, "IZkmlVerifier.sol"), "utf8"),
      "ZkmlInferenceVerifier.sol": readFileSync(path.join(CONTRACTS_DIR, "ZkmlInferenceVerifier.sol"), "utf8"),
      ...(opts.statement && { "ZkmlData.sol": readFileSync(path.join(CONTRACTS_DIR, "ZkmlData.sol"), "utf8") }),
      [mainFile]: main,
    },
    verifierContract,
    mainContract,
    mainFile,
  };
}

export { compileProjectContract, compileSolidity, EIP170_LIMIT, EVM_VERSION, projectSources, SOLC_VERSION, type CompiledContract } from "./solc.js";
