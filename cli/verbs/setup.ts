import { parseProofSystem, setupModel } from "../../src/index.js";
import { ms, requirePositional, str, type Verb } from "../io.js";

export const setupVerb: Verb = {
  name: "setup",
  summary: "proving/verifying keys (Groth16, PLONK or FFLONK) and the Solidity verifier for a build folder",
  usage: "zkml setup DIR [--system groth16|plonk|fflonk] [--ptau FILE] [--json]",
  help: `Makes the keys of the chosen proof system for the compiled circuit in DIR and the Solidity
verifier contract (snarkjs's template, unmodified, plus zkml's context/replay wrapper).

  --system S    groth16 (default): smallest proofs (256 B) and cheapest verification (~222k gas
                bare), fastest proving; needs a per-circuit phase 2 (zkml adds one local
                random contribution; see \`zkml contribute\` for more).
                plonk: universal setup (the ptau alone), but slower proving and ~295k+ gas.
                fflonk: universal, cheapest universal verifier (~217k gas), slowest proving,
                and a ptau 8 times larger than the circuit needs for PLONK.
                PLONK gates have fan-in 2: circom's free linear combinations (the dense layers
                with constant weights) become addition gates, so a PLONK/FFLONK circuit is much
                larger than its r1cs (the MNIST MLP: 8,707 r1cs constraints, 130,460 PLONK
                gates). Measured here on 2 cores (snarkjs): at 100k constraints Groth16 proves in
                ~10 s while PLONK takes ~194 s; at 10k FFLONK takes ~43 s. See docs/BENCHMARKS.md.

  --ptau FILE   a powers-of-tau file prepared for phase 2 (e.g. powersOfTau28_hez_final_16.ptau).
                Official Hermez files are recognised by their published blake2b hash.
                Without it, zkml generates a DEVELOPMENT file of the needed size once and caches
                it in $ZKML_PTAU_DIR (default ~/.cache/zkml/ptau). Its tau was random and
                discarded, but nobody else took part: do not use it for anything of value.`,
  options: { ptau: { type: "string" }, system: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "setup");
    const r = await setupModel(dir, { system: parseProofSystem(str(ctx, "system")), ptauFile: str(ctx, "ptau"), progress: (m, f) => ctx.progress(`${m} ${(100 * f).toFixed(0)}%`) });
    const p = r.info.ptau;
    ctx.say(`set up ${dir} (${r.info.system})`);
    ctx.say(`  ptau: ${p.path} (2^${p.power}) ${p.devOnly ? "— DEVELOPMENT ONLY, not a ceremony" : p.official ? "— official Hermez file (hash verified)" : "— not an official file: its security is yours to judge"}`);
    if (r.ptau.generatedMs > 0) ctx.say(`  generated the dev ptau in ${ms(r.ptau.generatedMs)}`);
    ctx.say(`  keys in ${ms(r.info.timingsMs.setup)}; verifier ${r.info.contract.name} (${r.info.contract.deployedBytecodeSize} bytes${r.info.contract.fitsEip170 ? "" : ", OVER the EIP-170 limit: will not deploy on mainnet"})`);
    ctx.result({ system: r.info.system, ptau: { ...p, generatedMs: r.ptau.generatedMs }, contract: r.info.contract, timingsMs: r.info.timingsMs });
    return 0;
  },
};
