/**
 * Off-chain verification of a proof file: the proof against the build folder's verification
 * key, and every other field of the file recomputed from the proof, the manifest and the
 * layout. A proof file may be hostile: nothing it says is reported unless it was checked, and
 * each mismatch is named by its field.
 */
import { commitInference } from "../core/commitment.js";
import { FILES } from "../core/compiled.js";
import { computeContext, splitClassContext } from "../core/context.js";
import { FIELD_R } from "../core/field.js";
import { terminalText } from "../core/inert.js";
import { proofFileShapeProblem, type ProofFile } from "../core/proof_file.js";
import { dequantizeOutput, modelClass, outputValues, type NamedOutput } from "../core/qmodel.js";
import { verifySnark } from "../verifier/verify.js";
import { openReady, type ReadyModel } from "./build.js";

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

function intsInRange(v: unknown, count: number, bits: number): v is number[] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1);
  return Array.isArray(v) && v.length === count && v.every((x) => Number.isSafeInteger(x) && x >= lo && x < hi);
}

function sameNumbers(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

function show(v: unknown): string {
  return terminalText(typeof v === "string" || typeof v === "number" ? JSON.stringify(v) : typeof v, 60);
}

/**
 * Check a proof file against a build: a folder (opened and checked against its manifest), or a
 * model already open (a warm prover's, so a service checks each proof without re-hashing keys).
 */
export async function verifyProofFile(build: string | ReadyModel, proof: ProofFile): Promise<VerifyResult> {
  const t0 = performance.now();
  const ready = typeof build === "string" ? await openReady(build) : build;
  // The shape first (types, sizes, depth, format): below, every field is what its type says.
  const shape = proofFileShapeProblem(proof);
  if (shape) {
    return {
      valid: false,
      checks: { model: false, keys: false, proof: false, commitment: false, class: false, fields: false },
      problems: [shape],
      ms: performance.now() - t0,
    };
  }
  const problems: string[] = [];
  const { info, model: m } = ready;

  const model = proof.model.modelId === info.modelId && proof.model.name === m.name;
  if (!model) problems.push(`model: made for ${show(proof.model.name)} ${show(proof.model.modelId)}, this build is ${show(m.name)} ${info.modelId}`);
  const keys = proof.model.vkey === ready.setup.outputs[FILES.vkey];
  if (!keys) problems.push(`model.vkey: not this build's verification key (was \`zkml setup\` run again since?)`);
  const system = ready.setupInfo.system;
  if (proof.system !== system) problems.push(`system: ${show(proof.system)}, this build's keys are ${system}`);

  const signals = proof.publicSignals.map(fieldSignal);
  const signalsOk = signals.length === info.publicSignals.length && signals.every((s) => s !== undefined);
  if (!signalsOk) problems.push(`publicSignals: expected ${info.publicSignals.length} canonical decimal field elements (${info.publicSignals.join(", ")})`);
  const ok = signalsOk && proof.system === system && (await verifySnark(system, ready.verificationKey, proof.publicSignals, proof.proof));
  if (signalsOk && !ok) problems.push(`proof: does not verify against this build's verification key with these public signals`);

  const modelCommitment = info.modelCommitment === undefined ? undefined : signalsOk && signals[2] === BigInt(info.modelCommitment);
  if (modelCommitment === false) problems.push(`publicSignals[2]: the weights commitment is not this build's`);

  const { layout } = info;
  let fields = true;
  const field = (fieldOk: boolean, what: string) => {
    if (!fieldOk) {
      fields = false;
      problems.push(what);
    }
  };
  const { input, output, context } = proof;
  const inputOk = intsInRange(input.values, layout.inputSize, layout.inputBits);
  field(inputOk, `input.values: expected ${layout.inputSize} integers of ${layout.inputBits} signed bits`);
  field(input.frac === m.input.frac, `input.frac: ${show(input.frac)}, the model's input is at 2^-${m.input.frac}`);
  const outputOk = intsInRange(output.values, layout.outputSize, layout.outputBits);
  field(outputOk, `output.values: expected ${layout.outputSize} integers of ${layout.outputBits} signed bits`);
  field(output.frac === m.output.frac, `output.frac: ${show(output.frac)}, the model's output is at 2^-${m.output.frac}`);
  if (outputOk)
    field(
      sameNumbers(output.dequantized, dequantizeOutput(m, output.values)),
      `output.dequantized: not output.values at the model's output scale${m.output.parts ? "s" : ""}`,
    );
  if (m.output.parts) {
    // Each graph output by name: exactly the slice of output.values it names, at its scale.
    const expected = outputOk ? outputValues(m, output.values) : undefined;
    const got = output.parts;
    const partsOk =
      expected !== undefined &&
      got !== undefined &&
      got.length === expected.length &&
      expected.every((e, k) => {
        const g = got[k]!;
        return (
          g.name === e.name &&
          g.frac === e.frac &&
          sameNumbers(g.shape, e.shape) &&
          sameNumbers(g.values, e.values) &&
          sameNumbers(g.dequantized, e.dequantized)
        );
      });
    field(
      partsOk,
      `output.parts: not the model's outputs (${m.output.parts.map((p) => terminalText(p.name, 60)).join(", ")}) sliced from output.values at their scales`,
    );
  } else {
    field(output.parts === undefined, "output.parts: the model has one output");
  }
  const blinding = /^0x[0-9a-f]{1,64}$/.test(proof.blinding) ? BigInt(proof.blinding) : undefined;
  field(blinding !== undefined && blinding < FIELD_R, `blinding: expected a 0x hex field element`);

  let commitment = false;
  let cls = false;
  let split: { context: bigint; cls: number } | undefined;
  if (signalsOk) {
    split = splitClassContext(signals[1]!);
    if (inputOk && outputOk && blinding !== undefined && blinding < FIELD_R) {
      commitment = (await commitInference(input.values.map(BigInt), output.values.map(BigInt), layout, blinding)) === signals[0];
    }
    if (!commitment) problems.push(`commitment: input.values, output.values and blinding do not open publicSignals[0]`);
    cls = outputOk && split.cls === modelClass(m, output.values) && output.class === split.cls;
    if (!cls)
      problems.push(
        `output.class: ${show(output.class)}; the proof's class is ${split.cls}${outputOk ? `, the output's ${modelClass(m, output.values)}` : ""}`,
      );
    field(context.value === "0x" + split.context.toString(16), `context.value: ${show(context.value)}, the proof's context is 0x${split.context.toString(16)}`);
    const { chainId, contract, sender, beneficiary, nonce } = context;
    if ([chainId, contract, sender, beneficiary, nonce].some((x) => x !== undefined)) {
      let derived: bigint | undefined;
      try {
        derived = computeContext({
          chainId: BigInt(chainId!),
          contract: contract!,
          sender: sender!,
          nonce: BigInt(nonce!),
          ...(beneficiary !== undefined && { beneficiary }),
        });
      } catch {
        // A missing part, a non-number or a bad address derives nothing.
      }
      field(
        derived === split.context,
        `context.chainId/contract/sender/nonce${beneficiary === undefined ? "" : " and beneficiary"}: they do not derive the proof's context`,
      );
    }
  }
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
