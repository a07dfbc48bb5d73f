import { readProofFile, verifyProofFile } from "../../src/index.js";
import { ms, requirePositional, type Verb } from "../io.js";

export const verifyVerb: Verb = {
  name: "verify",
  summary: "verify a proof off-chain (exit 0 valid, 1 invalid)",
  usage: "zkml verify DIR proof.json [--json]",
  help: `Checks the Groth16 proof against DIR's verification key, that it was made for DIR's model,
and that the revealed input and output hash to the public commitment with the public class.`,
  options: {},
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "verify");
    const file = requirePositional(ctx, 1, "the proof file", "verify");
    const r = await verifyProofFile(dir, await readProofFile(file));
    const failed = Object.entries(r.checks).filter(([, ok]) => !ok).map(([k]) => k);
    const why = !r.checks.keys && !r.checks.proof ? " (the proof was made with other keys: `zkml setup` has been run again since)" : "";
    ctx.say(r.valid ? `valid: class ${r.class}, context ${r.context} (${ms(r.ms)})` : `INVALID: failed ${failed.join(", ")}${why}`);
    ctx.result({ valid: r.valid, checks: r.checks, class: r.class ?? null, context: r.context ?? null, ms: r.ms });
    return r.valid ? 0 : 1;
  },
};
