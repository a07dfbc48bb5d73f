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
import { PROOF_FORMAT, proofFileShapeProblem, type ProofFile } from "../core/proof_file.js";
import { dequantize, provenClass } from "../core/qmodel.js";
import { verifySnark } from "../verifier/verify.js";
import { openReady } from "./build.js";

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

export async function verifyProofFile(dir: string, proof: ProofFile): Promise<VerifyResult> {
  const t0 = performance.now();
  const ready = await openReady(dir);
  // The shape first: nothing below touches a field of the wrong type or size.
  const shape = proofFileShapeProblem(proof);
  if (shape) {
    return { valid: false, checks: { model: false, keys: false, proof: false, commitment: false, class: false, fields: false }, problems: [shape], ms: performance.now() - t0 };
  }
  const problems: string[] = [];
  const p = proof as Partial<ProofFile>;

  const model = p.model?.modelId === ready.info.modelId && p.model?.name === ready.model.name;
  if (!model) problems.push(`model: made for ${show(p.model?.name)} ${show(p.model?.modelId)}, this build is ${show(ready.model.name)} ${ready.info.modelId}`);
  const keys = p.model?.vkey === ready.setup.outputs[FILES.vkey];
  if (!keys) problems.push(`model.vkey: not this build's verification key (was \`zkml setup\` run again since?)`);
  const system = ready.setupInfo.system;
  if (p.system !== system) problems.push(`system: ${show(p.system)}, this build's keys are ${system}`);

  const signalNames = ready.info.publicSignals;
  const signals = Array.isArray(p.publicSignals) ? p.publicSignals.map(fieldSignal) : [];
  const signalsOk = signals.length === signalNames.length && signals.every((s) => s !== undefined);
  if (!signalsOk) problems.push(`publicSignals: expected ${signalNames.length} canonical decimal field elements (${signalNames.join(", ")})`);
  const ok = signalsOk && p.system === system && (await verifySnark(system, ready.verificationKey, p.publicSignals!, p.proof));
  if (signalsOk && !ok) problems.push(`proof: does not verify against this build's verification key with these public signals`);

  const expectedWeights = ready.info.modelCommitment;
  const modelCommitment = expectedWeights === undefined ? undefined : signalsOk && signals[2] === BigInt(expectedWeights);
  if (modelCommitment === false) problems.push(`publicSignals[2]: the weights commitment is not this build's`);

  const { layout } = ready.info;
  const m = ready.model;
  let commitment = false;
  let cls = false;
  let fields = true;
  const field = (ok: boolean, what: string) => {
    if (!ok) {
      fields = false;
      problems.push(what);
    }
  };
  const inputOk = intsInRange(p.input?.values, layout.inputSize, layout.inputBits);
  field(inputOk, `input.values: expected ${layout.inputSize} integers of ${layout.inputBits} signed bits`);
  field(p.input?.frac === m.input.frac, `input.frac: ${show(p.input?.frac)}, the model's input is at 2^-${m.input.frac}`);
  const outputOk = intsInRange(p.output?.values, layout.outputSize, layout.outputBits);
  field(outputOk, `output.values: expected ${layout.outputSize} integers of ${layout.outputBits} signed bits`);
  field(p.output?.frac === m.output.frac, `output.frac: ${show(p.output?.frac)}, the model's output is at 2^-${m.output.frac}`);
  if (outputOk) {
    const values = p.output!.values;
    field(sameNumbers(p.output?.dequantized, dequantize(values, m.output.frac)), `output.dequantized: not output.values · 2^-${m.output.frac}`);
  }
  const blinding = fieldSignal(typeof p.blinding === "string" && /^0x[0-9a-f]{1,64}$/.test(p.blinding) ? BigInt(p.blinding).toString() : undefined);
  field(blinding !== undefined, `blinding: expected a 0x hex field element`);

  let split: { context: bigint; cls: number } | undefined;
  if (signalsOk) {
    split = splitClassContext(signals[1]!);
    if (inputOk && outputOk && blinding !== undefined) {
      const c = await commitInference(p.input!.values.map(BigInt), p.output!.values.map(BigInt), layout, blinding);
      commitment = c === signals[0];
    }
    if (!commitment) problems.push(`commitment: input.values, output.values and blinding do not open publicSignals[0]`);
    cls = outputOk && split.cls === provenClass(p.output!.values) && p.output?.class === split.cls;
    if (!cls) problems.push(`output.class: ${show(p.output?.class)}; the proof's class is ${split.cls}${outputOk ? `, the output's ${provenClass(p.output!.values)}` : ""}`);
    const ctx = p.context ?? ({} as ProofFile["context"]);
    field(ctx.value === "0x" + split.context.toString(16), `context.value: ${show(ctx.value)}, the proof's context is 0x${split.context.toString(16)}`);
    const parts = [ctx.chainId, ctx.contract, ctx.sender, ctx.nonce];
    if (parts.some((x) => x !== undefined)) {
      let derived: bigint | undefined;
      try {
        derived = parts.every((x) => typeof x === "string")
          ? computeContext({ chainId: BigInt(ctx.chainId!), contract: ctx.contract!, sender: ctx.sender!, nonce: BigInt(ctx.nonce!) })
          : undefined;
      } catch {
        derived = undefined;
      }
      field(derived === split.context, `context.chainId/contract/sender/nonce: they do not derive the proof's context`);
    }
  }
  return {
    valid: model && keys && ok && signalsOk && commitment && cls && fields && modelCommitment !== false && p.format === PROOF_FORMAT,
    checks: { model, keys, proof: ok, commitment, class: cls, fields, ...(modelCommitment !== undefined && { modelCommitment }) },
    problems,
    class: ok ? split?.cls : undefined,
    context: ok && split ? "0x" + split.context.toString(16) : undefined,
    ms: performance.now() - t0,
  };
}

