// Not the SDK's index: verify needs none of ethers, the ONNX reader or the prover, and a cold
// `zkml verify` pays for every module it loads.
import { readProofFile, verifyProofFile } from "../../src/verify.js";
import { ms, requirePositional, type Verb } from "../io.js";

export const verifyVerb: Verb = {
  name: "verify",
  usage: "zkml verify DIR proof.json [--json]",
  help: `Checks the proof (Groth16, PLONK or FFLONK: DIR's keys say which) against DIR's verification
key, that it was made for DIR's model, that the revealed input, output and blinding open the
public commitment, and that every other field of the file (class, scales, dequantized values,
context and what it was derived from) is what the proof and the model make it. Each failed
check is named by its field.`,
  options: {},
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "verify");
    const file = requirePositional(ctx, 1, "the proof file", "verify");
    const r = await verifyProofFile(dir, await readProofFile(file));
    const failed = Object.entries(r.checks)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
    const why = !r.checks.model
      ? " (the proof was made for another model)"
      : !r.checks.keys && !r.checks.proof
        ? " (the proof was made with other keys: `zkml setup` has been run again since)"
        : "";
    ctx.say(r.valid ? `valid: class ${r.class}, context ${r.context} (${ms(r.ms)})` : `INVALID: failed ${failed.join(", ")}${why}`);
    if (!r.valid) for (const p of r.problems) ctx.say(`  ${p}`);
    // Valid off-chain, but a contract takes only a proof bound to its chain, address, sender and nonce.
    const unbound = r.valid && BigInt(r.context ?? "0") === 0n;
    if (unbound)
      ctx.say("  note: context 0: valid off-chain, but every verifier contract refuses it (prove with --rpc or --chain-id/--contract/--sender/--nonce)");
    if (r.outputs && r.outputs.length > 1)
      for (const o of r.outputs) ctx.say(`  ${o.name} [${o.shape}]: [${o.dequantized.map((v) => v.toFixed(3)).join(", ")}]`);
    ctx.result({
      valid: r.valid,
      checks: r.checks,
      problems: r.problems,
      class: r.class ?? null,
      context: r.context ?? null,
      outputs: r.outputs ?? null,
      ...(unbound && { note: "context 0: a verifier contract refuses it" }),
      ms: r.ms,
    });
    return r.valid ? 0 : 1;
  },
};
