import path from "node:path";
import { computeContext, InferenceProver, inputShapes, parseContext, readInputFile, ZkmlError, writeFileAtomic, type ContextDetails } from "../../src/index.js";
import { addressArg, bigintArg, ms, peakRssMb, requirePositional, str, toJson, timer, type Verb, type VerbContext } from "../io.js";

/** --context HEX, or the four values the verifier contract hashes into it. */
export function contextFromArgs(ctx: VerbContext): ContextDetails {
  const hex = str(ctx, "context");
  const parts = ["chain-id", "contract", "sender", "nonce"].map((k) => str(ctx, k));
  if (hex && parts.some(Boolean)) throw new ZkmlError("USAGE", "give either --context or --chain-id/--contract/--sender/--nonce, not both");
  if (hex) return { value: parseContext(hex) };
  if (!parts.some(Boolean)) return { value: 0n };
  if (!parts.every(Boolean)) throw new ZkmlError("USAGE", "--chain-id, --contract, --sender and --nonce go together");
  const p = {
    chainId: bigintArg(parts[0]!, "--chain-id"),
    contract: addressArg(parts[1]!, "--contract"),
    sender: addressArg(parts[2]!, "--sender"),
    nonce: bigintArg(parts[3]!, "--nonce"),
  };
  return { value: computeContext(p), ...p };
}

export const proveVerb: Verb = {
  name: "prove",
  summary: "prove one inference: proof + public signals + the decoded result",
  usage: "zkml prove DIR --input input.json [--out proof.json] [--context HEX | --chain-id N --contract ADDR --sender ADDR --nonce N] [--json]",
  help: `Quantizes the input, computes the witness and a Groth16 proof, and writes a proof file with the
proof, the public signals [commitment, classContext], the int8 input and the output (revealed
off-chain; the commitment binds them).

  --input FILE   {"input": [...]} (nested in the model's shape, or flat) or {"input_data": [[...]]}
  --out FILE     where to write the proof (default: DIR/proof.json)
  --context HEX  the context to bind (below 2^244), as the verifier's contextOf(sender, nonce) gives
  --chain-id N --contract ADDR --sender ADDR --nonce N
                 compute that context here: keccak256(chainId, contract, sender, nonce) >> 12.
                 Only this sender can then submit the proof to that contract, once. ADDR is
                 the model's verifier (zkml deploy) or the registry (zkml deploy-registry).
Without a context the proof carries context 0 (fine off-chain, rejected on-chain).`,
  options: {
    input: { type: "string" }, out: { type: "string" }, context: { type: "string" },
    "chain-id": { type: "string" }, contract: { type: "string" }, sender: { type: "string" }, nonce: { type: "string" },
  },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "prove");
    const inputFile = str(ctx, "input");
    if (!inputFile) throw new ZkmlError("USAGE", "prove: --input FILE is required", "see `zkml prove --help`");
    const context = contextFromArgs(ctx);
    const load = timer();
    const prover = await InferenceProver.open(dir);
    const loadMs = load();
    const values = await readInputFile(inputFile, inputShapes(prover.model.model));
    const r = await prover.prove(values, context);
    const out = str(ctx, "out") ?? path.join(dir, "proof.json");
    await writeFileAtomic(out, toJson(r.proof) + "\n");
    const o = r.proof.output;
    ctx.say(`proved ${r.proof.model.name}: class ${o.class}`);
    if (o.parts) for (const part of o.parts) ctx.say(`  ${part.name} [${part.shape}] (dequantized): [${part.dequantized.map((v) => v.toFixed(3)).join(", ")}]`);
    else ctx.say(`  logits (dequantized): [${o.dequantized.map((v) => v.toFixed(3)).join(", ")}]`);
    ctx.say(`  witness ${ms(r.timingsMs.witness)}, prove ${ms(r.timingsMs.prove)} (keys loaded in ${ms(loadMs)})`);
    ctx.say(`  proof → ${out}`);
    ctx.result({
      proof: r.proof.proof,
      publicSignals: r.proof.publicSignals,
      output: { class: o.class, values: o.dequantized, raw: o.values, frac: o.frac, ...(o.parts && { parts: o.parts }) },
      context: r.proof.context,
      proofFile: out,
      timingsMs: { ...r.timingsMs, load: loadMs },
      peakRssMb: peakRssMb(),
    });
    return 0;
  },
};
