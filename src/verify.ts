/**
 * Off-chain verification of a proof file: the proof against the build folder's verification
 * key, and every other field of the file recomputed from the proof, the manifest and the
 * layout. A proof file may be hostile: nothing it says is reported unless it was checked, and
 * each mismatch is named by its field.
 */
import { computeStatement, inputVisibility, isDataStatement, outputVisibility, type Statement } from "../core/statement.js";
import { FILES } from "../core/build_files.js";
import { computeContext, splitClassContext } from "../core/context.js";
import { ZkmlError } from "../core/errors.js";
import { FIELD_R } from "../core/field.js";
import { terminalText } from "../core/inert.js";
import { readJsonFile } from "../core/input.js";
import { PROOF_FORMAT, proofFileShapeProblem, type ProofFile } from "../core/proof_file.js";
import { dequantizeOutput, modelClass, outputValues, type NamedOutput } from "../core/qmodel.js";
import { curveAccel } from "../core/native.js";
import { backend, proofEncodingProblem } from "../core/systems/index.js";
import { openReady, type ReadyModel } from "./build.js";

/** A parsed proof file checked for shape (core/proof_file.ts) before any of it is used; `file` names it in errors. */
export function assertProofFile(doc: unknown, file: string): ProofFile {
  const problem = proofFileShapeProblem(doc);
  if (problem) throw new ZkmlError("BAD_INPUT", `${file} is not a zkml proof file (${PROOF_FORMAT}): ${problem}`);
  return doc as ProofFile;
}

/** A proof file, bounded and shape-checked before any field is used (it may be hostile); verify it with verifyProofFile. */
export async function readProofFile(file: string): Promise<ProofFile> {
  return assertProofFile(await readJsonFile(file, "proof"), file);
}

export interface VerifyResult {
  valid: boolean;
  /**
   * model: made for this build's model; keys: against its current verification key (false after
   * a new setup); proof: the snark verifies; commitment: the revealed input, output and blinding
   * open the public commitment; class: the public class is the output's; fields: every other
   * field of the file equals what it is recomputed to be; modelCommitment: private weights only.
   */
  checks: { model: boolean; keys: boolean; proof: boolean; commitment: boolean; class: boolean; fields: boolean; modelCommitment?: boolean };
  /** One line per failed check, naming the field of the proof file at fault. */
  problems: string[];
  class?: number;
  context?: string;
  /** Every graph output by name with its (verified) values, scale and shape, when valid. */
  outputs?: NamedOutput[];
  ms: number;
}

/** A canonical decimal field element, as snarkjs writes public signals. */
function fieldSignal(v: unknown): bigint | undefined {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,76})$/.test(v)) return undefined;
  const b = BigInt(v);
  return b < FIELD_R ? b : undefined;
}

/** `count` integers of `bits` signed bits (of bits − 1 unsigned ones when `nonNegative`). */
function intsInRange(v: unknown, count: number, bits: number, nonNegative = false): v is number[] {
  const lo = nonNegative ? 0 : -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1);
  return Array.isArray(v) && v.length === count && v.every((x) => Number.isSafeInteger(x) && x >= lo && x < hi);
}

function sameNumbers(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

function show(v: unknown): string {
  return terminalText(typeof v === "string" || typeof v === "number" ? JSON.stringify(v) : typeof v, 60);
}

/** output.parts, for a model of several outputs: exactly the slices of output.values it names, at their scales (else a problem). */
function outputPartsProblem(m: ReadyModel["model"], output: ProofFile["output"], outputOk: boolean): string | undefined {
  if (!m.output.parts) return output.parts === undefined ? undefined : "output.parts: the model has one output";
  const expected = outputOk ? outputValues(m, output.values) : undefined;
  const got = output.parts;
  const partsOk =
    expected !== undefined &&
    got !== undefined &&
    got.length === expected.length &&
    expected.every((e, k) => {
      const g = got[k]!;
      return (
        g.name === e.name && g.frac === e.frac && sameNumbers(g.shape, e.shape) && sameNumbers(g.values, e.values) && sameNumbers(g.dequantized, e.dequantized)
      );
    });
  return partsOk
    ? undefined
    : `output.parts: not the model's outputs (${m.output.parts.map((p) => terminalText(p.name, 60)).join(", ")}) sliced from output.values at their scales`;
}

/** The stated input, output and blinding against the model and its layout: problems, and what later checks may rely on. */
function valueProblems(proof: ProofFile, ready: ReadyModel): { problems: string[]; inputOk: boolean; outputOk: boolean; blinding: bigint | undefined } {
  const { layout } = ready.info;
  const m = ready.model;
  const { input, output } = proof;
  const problems: string[] = [];
  const inputOk = intsInRange(input.values, layout.inputSize, layout.inputBits, m.input.nonNegative);
  if (!inputOk) {
    const domain = m.input.nonNegative ? `in [0, ${2 ** (layout.inputBits - 1) - 1}]` : `of ${layout.inputBits} signed bits`;
    problems.push(`input.values: expected ${layout.inputSize} integers ${domain}`);
  }
  if (input.frac !== m.input.frac) problems.push(`input.frac: ${show(input.frac)}, the model's input is at 2^-${m.input.frac}`);
  const outputOk = intsInRange(output.values, layout.outputSize, layout.outputBits);
  if (!outputOk) problems.push(`output.values: expected ${layout.outputSize} integers of ${layout.outputBits} signed bits`);
  if (output.frac !== m.output.frac) problems.push(`output.frac: ${show(output.frac)}, the model's output is at 2^-${m.output.frac}`);
  if (outputOk && !sameNumbers(output.dequantized, dequantizeOutput(m, output.values))) {
    problems.push(`output.dequantized: not output.values at the model's output scale${m.output.parts ? "s" : ""}`);
  }
  const parts = outputPartsProblem(m, output, outputOk);
  if (parts) problems.push(parts);
  const parsed = /^0x[0-9a-f]{1,64}$/.test(proof.blinding) ? BigInt(proof.blinding) : undefined;
  const blinding = parsed !== undefined && parsed < FIELD_R ? parsed : undefined;
  if (blinding === undefined) problems.push("blinding: expected a 0x hex field element");
  return { problems, inputOk, outputOk, blinding };
}

/** context's parts, when given, must derive the proof's context (else a problem). */
function contextPartsProblem(context: ProofFile["context"], proven: bigint): string | undefined {
  const { chainId, contract, sender, beneficiary, nonce, snapshot } = context;
  if ([chainId, contract, sender, beneficiary, nonce, snapshot].every((x) => x === undefined)) return undefined;
  let derived: bigint | undefined;
  try {
    derived = computeContext({
      chainId: BigInt(chainId!),
      contract: contract!,
      sender: sender!,
      nonce: BigInt(nonce!),
      ...(beneficiary !== undefined && { beneficiary }),
      ...(snapshot !== undefined && { snapshot: BigInt(snapshot) }),
    });
  } catch {
    // A missing part, a non-number or a bad address derives nothing.
  }
  return derived === proven
    ? undefined
    : `context.chainId/contract/sender/nonce${beneficiary === undefined ? "" : ", beneficiary"}${snapshot === undefined ? "" : ", snapshot"}: they do not derive the proof's context`;
}

/** The proof file's statement record (visibilities, a private side's commitment) against the build and the recomputed statement. */
function statementPartsProblem(proof: ProofFile, ready: ReadyModel, statement: Statement): string | undefined {
  const layout = ready.info.layout;
  const st = proof.statement;
  if (!isDataStatement(layout)) return st === undefined ? undefined : "statement: this build's public signal 0 is a commitment, not a data statement";
  const want = { input: inputVisibility(layout), output: outputVisibility(layout) };
  if (!st || st.input !== want.input || st.output !== want.output) return `statement: expected input ${want.input}, output ${want.output}`;
  const same = (text: string | undefined, value: bigint | undefined) =>
    text === undefined ? value === undefined : value !== undefined && text === value.toString();
  if (!same(st.inputCommitment, statement.inputCommitment) || !same(st.outputCommitment, statement.outputCommitment))
    return "statement: the private side's commitment is not the one the values and blinding give";
  return undefined;
}

/** What the public signals bind: the commitment opens to the stated values, the class and the context are the proven ones. */
async function bindingChecks(proof: ProofFile, ready: ReadyModel, classContext: bigint, commitmentSignal: bigint, v: ReturnType<typeof valueProblems>) {
  const m = ready.model;
  const { input, output, context } = proof;
  const problems: string[] = [];
  const split = splitClassContext(classContext);
  const statement =
    v.inputOk && v.outputOk && v.blinding !== undefined
      ? await computeStatement(input.values.map(BigInt), output.values.map(BigInt), ready.info.layout, v.blinding)
      : undefined;
  const opens = statement?.value === commitmentSignal;
  if (!opens) problems.push("commitment: input.values, output.values and blinding do not open publicSignals[0]");
  const sideProblem = statement && statementPartsProblem(proof, ready, statement);
  if (sideProblem) problems.push(sideProblem);
  const commitment = opens && !sideProblem;
  const cls = v.outputOk && split.cls === modelClass(m, output.values) && output.class === split.cls;
  if (!cls)
    problems.push(
      `output.class: ${show(output.class)}; the proof's class is ${split.cls}${v.outputOk ? `, the output's ${modelClass(m, output.values)}` : ""}`,
    );
  const contextValue = "0x" + split.context.toString(16);
  const contextProblems = [
    ...(context.value === contextValue ? [] : [`context.value: ${show(context.value)}, the proof's context is ${contextValue}`]),
    ...[contextPartsProblem(context, split.context)].filter((x): x is string => x !== undefined),
  ];
  return { split, commitment, cls, problems, contextProblems };
}

const NOTHING_CHECKED = { model: false, keys: false, proof: false, commitment: false, class: false, fields: false };

/**
 * Check a proof file against a build: a folder (opened and checked against its manifest), or a
 * model already open (a warm prover's, so a service checks each proof without re-hashing keys).
 */
export async function verifyProofFile(build: string | ReadyModel, proof: ProofFile): Promise<VerifyResult> {
  const t0 = performance.now();
  const ready = typeof build === "string" ? await openReady(build) : build;
  // The shape first (types, sizes, depth, format): below, every field is what its type says.
  const shape = proofFileShapeProblem(proof);
  if (shape) return { valid: false, checks: NOTHING_CHECKED, problems: [shape], ms: performance.now() - t0 };
  const problems: string[] = [];
  const { info, model: m } = ready;

  const model = proof.model.modelId === info.modelId && proof.model.name === m.name;
  if (!model) problems.push(`model: made for ${show(proof.model.name)} ${show(proof.model.modelId)}, this build is ${show(m.name)} ${info.modelId}`);
  const keys = proof.model.vkey === ready.setup.outputs[FILES.vkey];
  if (!keys) problems.push(`model.vkey: not this build's verification key${model ? " (was `zkml setup` run again since?)" : ""}`);
  const system = ready.setupInfo.system;
  if (proof.system !== system) problems.push(`system: ${show(proof.system)}, this build's keys are ${system}`);

  const signals = proof.publicSignals.map(fieldSignal);
  const signalsOk = signals.length === info.publicSignals.length && signals.every((s) => s !== undefined);
  if (!signalsOk) problems.push(`publicSignals: expected ${info.publicSignals.length} canonical decimal field elements (${info.publicSignals.join(", ")})`);
  // Off-chain valid must mean on-chain valid: the proof as the Solidity verifier will read it.
  const encoding = proof.system === system ? proofEncodingProblem(system, backend(system), proof.proof) : undefined;
  if (encoding) problems.push(`proof.${encoding}`);
  const ok =
    signalsOk && proof.system === system && !encoding && (await backend(system).verify(ready.verificationKey, proof.publicSignals, proof.proof, curveAccel()));
  if (signalsOk && !ok && !encoding) problems.push(`proof: does not verify against this build's verification key with these public signals`);

  const modelCommitment = info.modelCommitment === undefined ? undefined : signalsOk && signals[2] === BigInt(info.modelCommitment);
  if (modelCommitment === false) problems.push(`publicSignals[2]: the weights commitment is not this build's`);

  const values = valueProblems(proof, ready);
  problems.push(...values.problems);
  const bound = signalsOk ? await bindingChecks(proof, ready, signals[1]!, signals[0]!, values) : undefined;
  problems.push(...(bound?.problems ?? []), ...(bound?.contextProblems ?? []));
  const fields = values.problems.length === 0 && (bound?.contextProblems.length ?? 0) === 0;
  const [commitment, cls, split] = [bound?.commitment ?? false, bound?.cls ?? false, bound?.split];
  const output = proof.output;
  const valid = model && keys && ok && commitment && cls && fields && modelCommitment !== false;
  return {
    valid,
    checks: { model, keys, proof: ok, commitment, class: cls, fields, ...(modelCommitment !== undefined && { modelCommitment }) },
    problems,
    class: ok ? split?.cls : undefined,
    context: ok && split ? "0x" + split.context.toString(16) : undefined,
    ...(valid && { outputs: outputValues(m, output.values) }),
    ms: performance.now() - t0,
  };
}

/** `proof` checked against the build as verifyProofFile checks it, or PROOF_INVALID naming `what` and every problem. */
export async function requireValidProof(build: string | ReadyModel, proof: ProofFile, what = "the proof"): Promise<VerifyResult> {
  const ready = typeof build === "string" ? await openReady(build) : build;
  const r = await verifyProofFile(ready, proof);
  if (!r.valid) throw new ZkmlError("PROOF_INVALID", `${what} does not verify against ${ready.dir}: ${r.problems.join("; ")}`, "see `zkml verify`");
  return r;
}
