import { setupModel } from "../../src/index.js";
import { ms, requirePositional, str, type Verb } from "../io.js";

export const setupVerb: Verb = {
  name: "setup",
  summary: "Groth16 proving/verifying keys and the Solidity verifier for a build folder",
  usage: "zkml setup DIR [--ptau FILE] [--json]",
  help: `Makes the Groth16 keys for the compiled circuit in DIR and the Solidity verifier contract.

  --ptau FILE   a powers-of-tau file prepared for phase 2 (e.g. powersOfTau28_hez_final_16.ptau).
                Official Hermez files are recognised by their published blake2b hash.
                Without it, zkml generates a DEVELOPMENT file of the needed size once and caches
                it in $ZKML_PTAU_DIR (default ~/.cache/zkml/ptau). Its tau was random and
                discarded, but nobody else took part: do not use it for anything of value.`,
  options: { ptau: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "setup");
    const r = await setupModel(dir, { ptauFile: str(ctx, "ptau"), progress: (m, f) => ctx.progress(`${m} ${(100 * f).toFixed(0)}%`) });
    const p = r.info.ptau;
    ctx.say(`set up ${dir} (groth16)`);
    ctx.say(`  ptau: ${p.path} (2^${p.power}) ${p.devOnly ? "— DEVELOPMENT ONLY, not a ceremony" : p.official ? "— official Hermez file (hash verified)" : "— not an official file: its security is yours to judge"}`);
    if (r.ptau.generatedMs > 0) ctx.say(`  generated the dev ptau in ${ms(r.ptau.generatedMs)}`);
    ctx.say(`  keys in ${ms(r.info.timingsMs.setup)}; verifier ${r.info.contract.name} (${r.info.contract.deployedBytecodeSize} bytes${r.info.contract.fitsEip170 ? "" : ", OVER the EIP-170 limit: will not deploy on mainnet"})`);
    ctx.result({ system: r.info.system, ptau: { ...p, generatedMs: r.ptau.generatedMs }, contract: r.info.contract, timingsMs: r.info.timingsMs });
    return 0;
  },
};
