/**
 * The proof file zkml writes and reads: the proof and public signals, plus what the
 * commitment hides, revealed off-chain (the int8 input, the output vector and the blinding), and
 * the context. Everything in it is checked by `zkml verify`: no field is taken on trust.
 */
import { LIMITS } from "./limits.js";
import type { ProofSystem } from "./proof_system.js";
import { dequantizeOutput, modelClass, outputValues, type NamedOutput, type QModel } from "./qmodel.js";
import { inputVisibility, isDataStatement, modelVisibilities, outputVisibility, VISIBILITIES, type Statement, type Visibility } from "./statement.js";

/** 2: the commitment is blinded and binds the layout (zkml-proof/1 files verify against no build of today). */
export const PROOF_FORMAT = "zkml-proof/2";

export interface ProofFile {
  format: typeof PROOF_FORMAT;
  /** vkey: sha256 of the verification_key.json the proof was made against. */
  model: { name: string; modelId: string; vkey: string };
  system: ProofSystem;
  /** The proof object as snarkjs returns it for `system`. */
  proof: Record<string, unknown> & { protocol: string; curve: string };
  /** [commitment, classContext], and with private weights the weights commitment. */
  publicSignals: string[];
  /** The int8 input the circuit saw (the float input quantized at 2^-input.frac; with several graph inputs on scales of their own, frac is the first one's: the model's input.parts has each). */
  input: { values: number[]; frac: number };
  /**
   * The circuit's output vector. With several graph outputs, `values` is their concatenation
   * and `parts` each by its ONNX name, shape and scale (`frac` above is then the first's).
   */
  output: { values: number[]; frac: number; class: number; dequantized: number[]; parts?: NamedOutput[] };
  context: { value: string; chainId?: string; contract?: string; sender?: string; beneficiary?: string; nonce?: string; snapshot?: string };
  /**
   * The commitment's blinding factor (0x hex), drawn fresh for this proof. Whoever holds it and
   * the values can open the commitment; without it the public signals say nothing of the input.
   */
  blinding: string;
  /**
   * For a model whose input or output is hashed (a data statement, core/statement.ts): each
   * side's visibility, and for a private side its commitment (decimal), which a contract that
   * recomputes the statement is handed in place of the values.
   */
  statement?: { input: Visibility; output: Visibility; inputCommitment?: string; outputCommitment?: string };
}

/** A JSON object (not null, not an array). */
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What is wrong with the shape of a would-be proof file, or undefined: every field of the right
 * type and size, checked before any of it is used (a proof file may be hostile: 10,000-deep
 * arrays, megabytes of signals, numbers where strings belong).
 */
export function proofFileShapeProblem(doc: unknown): string | undefined {
  const str = (v: unknown, max = 200) => typeof v === "string" && v.length <= max;
  const nums = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((x) => typeof x === "number");
  if (!isObj(doc)) return "not a JSON object";
  if (doc.format !== PROOF_FORMAT) return `format: expected ${PROOF_FORMAT}`;
  // No field the format does not define: what is not checked must not be there to be trusted.
  const unknown = (v: Record<string, unknown>, where: string, keys: readonly string[]) => {
    const k = Object.keys(v).find((key) => !keys.includes(key));
    return k === undefined ? undefined : `${where}${JSON.stringify(k).slice(0, 40)}: not a field of a ${PROOF_FORMAT} file`;
  };
  const top = unknown(doc, "", ["format", "model", "system", "proof", "publicSignals", "input", "output", "context", "blinding", "statement"]);
  if (top) return top;
  const m = doc.model;
  if (!isObj(m) || !str(m.name, 1000) || !str(m.modelId) || !str(m.vkey)) return "model: expected {name, modelId, vkey} strings";
  const inner =
    unknown(m, "model.", ["name", "modelId", "vkey"]) ??
    (isObj(doc.input) ? unknown(doc.input, "input.", ["values", "frac"]) : undefined) ??
    (isObj(doc.output) ? unknown(doc.output, "output.", ["values", "frac", "class", "dequantized", "parts"]) : undefined) ??
    (isObj(doc.context) ? unknown(doc.context, "context.", ["value", "chainId", "contract", "sender", "beneficiary", "nonce", "snapshot"]) : undefined);
  if (inner) return inner;
  if (!str(doc.system, 20)) return "system: expected a string";
  // snarkjs proofs are objects of strings, short arrays of strings (Groth16, PLONK points) and,
  // for FFLONK, objects of those (polynomials, evaluations): bounded in depth and size.
  const p = doc.proof;
  const words = (v: unknown, depth: number): boolean =>
    typeof v === "string"
      ? v.length <= 100
      : depth < 3 &&
        (Array.isArray(v)
          ? v.length <= 4 && v.every((x) => words(x, depth + 1))
          : isObj(v) && Object.keys(v).length <= 40 && Object.values(v).every((x) => words(x, depth + 1)));
  if (!isObj(p) || Object.keys(p).length > 40 || !Object.values(p).every((v) => words(v, 0)))
    return "proof: expected snarkjs's proof object (strings, short arrays and small objects of them)";
  if (!Array.isArray(doc.publicSignals) || doc.publicSignals.length > 16 || !doc.publicSignals.every((s) => str(s, 100)))
    return "publicSignals: expected at most 16 decimal strings";
  const i = doc.input;
  if (!isObj(i) || !nums(i.values, LIMITS.inputElements) || typeof i.frac !== "number") return "input: expected {values: numbers, frac: number}";
  const o = doc.output;
  if (
    !isObj(o) ||
    !nums(o.values, LIMITS.tensorElements) ||
    typeof o.frac !== "number" ||
    typeof o.class !== "number" ||
    !nums(o.dequantized, LIMITS.tensorElements)
  ) {
    return "output: expected {values: numbers, frac: number, class: number, dequantized: numbers}";
  }
  const part = (v: unknown) =>
    isObj(v) &&
    unknown(v, "", ["name", "shape", "frac", "values", "dequantized"]) === undefined &&
    str(v.name, 1000) &&
    nums(v.shape, LIMITS.tensorRank) &&
    typeof v.frac === "number" &&
    nums(v.values, LIMITS.tensorElements) &&
    nums(v.dequantized, LIMITS.tensorElements);
  if (o.parts !== undefined && !(Array.isArray(o.parts) && o.parts.length <= LIMITS.graphOutputs && o.parts.every(part))) {
    return "output.parts: expected [{name, shape, frac, values, dequantized}] for each graph output";
  }
  const c = doc.context;
  if (
    !isObj(c) ||
    !str(c.value, 100) ||
    !["chainId", "contract", "sender", "beneficiary", "nonce", "snapshot"].every((k) => c[k] === undefined || str(c[k], 100))
  ) {
    return "context: expected {value, and optionally chainId, contract, sender, beneficiary, nonce, snapshot} strings";
  }
  if (!str(doc.blinding, 100)) return "blinding: expected a 0x hex string";
  return doc.statement === undefined ? undefined : statementShapeProblem(doc.statement);
}

/** What is wrong with a proof file's statement record, or undefined. */
function statementShapeProblem(st: unknown): string | undefined {
  const vis = (v: unknown) => typeof v === "string" && (VISIBILITIES as readonly string[]).includes(v);
  const fields = ["input", "output", "inputCommitment", "outputCommitment"];
  if (
    !isObj(st) ||
    Object.keys(st).some((k) => !fields.includes(k)) ||
    !vis(st.input) ||
    !vis(st.output) ||
    !["inputCommitment", "outputCommitment"].every((k) => st[k] === undefined || (typeof st[k] === "string" && (st[k] as string).length <= 100))
  ) {
    return `statement: expected {input, output: ${VISIBILITIES.join(" or ")}, and optionally inputCommitment, outputCommitment strings}`;
  }
  return undefined;
}

/** The context a proof binds: its value, and the parts it was derived from when known. */
export interface ContextDetails {
  value: bigint;
  chainId?: bigint;
  contract?: string;
  sender?: string;
  /** The user a dApp contract (`sender`) submits the proof for (verifyInferenceFor). */
  beneficiary?: string;
  nonce?: bigint;
  /** The snapshot the input data is from (verifyInferenceAt). */
  snapshot?: bigint;
}

/**
 * The proof file of one proof, the same fields in the same order wherever it is made (Node's
 * prover, the browser's), so that the two are interchangeable byte for byte.
 */
export function assembleProofFile(a: {
  model: QModel;
  ids: { modelId: string; vkey: string };
  system: ProofSystem;
  proof: ProofFile["proof"];
  publicSignals: string[];
  input: number[];
  output: number[];
  context: ContextDetails;
  blinding: bigint;
  /** Public signal 0's parts, for a data statement (either side hashed). */
  statement?: Statement;
}): ProofFile {
  const m = a.model;
  const st = a.statement;
  const sides = modelVisibilities(m);
  return {
    format: PROOF_FORMAT,
    model: { name: m.name, modelId: a.ids.modelId, vkey: a.ids.vkey },
    system: a.system,
    proof: a.proof,
    publicSignals: a.publicSignals,
    input: { values: a.input, frac: m.input.frac },
    output: {
      values: a.output,
      frac: m.output.frac,
      class: modelClass(m, a.output),
      dequantized: dequantizeOutput(m, a.output),
      ...(m.output.parts && { parts: outputValues(m, a.output) }),
    },
    context: {
      value: "0x" + a.context.value.toString(16),
      ...(a.context.chainId !== undefined && { chainId: a.context.chainId.toString() }),
      ...(a.context.contract && { contract: a.context.contract }),
      ...(a.context.sender && { sender: a.context.sender }),
      ...(a.context.beneficiary && { beneficiary: a.context.beneficiary }),
      ...(a.context.nonce !== undefined && { nonce: a.context.nonce.toString() }),
      ...(a.context.snapshot !== undefined && { snapshot: a.context.snapshot.toString() }),
    },
    blinding: "0x" + a.blinding.toString(16),
    ...(isDataStatement(sides) && {
      statement: {
        input: inputVisibility(sides),
        output: outputVisibility(sides),
        ...(st?.inputCommitment !== undefined && { inputCommitment: st.inputCommitment.toString() }),
        ...(st?.outputCommitment !== undefined && { outputCommitment: st.outputCommitment.toString() }),
      },
    }),
  };
}
