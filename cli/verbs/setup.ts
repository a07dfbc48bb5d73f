import path from "node:path";
import { contribute, FILES, parseProofSystem, setupModel, verifySetup, ZkmlError } from "../../src/index.js";
import { ms, requirePositional, str, type Verb, options } from "../io.js";

export const setupVerb: Verb = {
  name: "setup",
  usage:
    "zkml setup DIR [--system groth16|plonk|fflonk] [--ptau FILE | --ceremony] [--json]\n       zkml setup DIR --verify [--ptau FILE] [--onnx FILE] [--calibration FILE] [--json]",
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
                larger than its r1cs (the MNIST MLP: 7,950 r1cs constraints, 128,215 PLONK
                gates). Measured here on 2 cores (snarkjs): at 100k constraints Groth16 proves in
                ~10 s while PLONK takes ~194 s; at 10k FFLONK takes ~43 s. See docs/BENCHMARKS.md.

  Without --ptau, Groth16 keys are DEVELOPMENT keys drawn directly: zkml samples the secrets
  (tau, alpha, beta, delta) in memory, evaluates the circuit at tau and makes each key point
  with one multiplication, then drops the secrets (the MNIST MLP's keys, Solidity included,
  in 7–12 s here instead of ~39 s on the ptau path). snarkjs proves with them and its
  verifiers accept the proofs, but whoever ran setup could forge proofs: they deploy to local
  chains only (see \`zkml deploy --help\`).

  --ptau FILE   production path: a powers-of-tau file prepared for phase 2 (e.g.
                powersOfTau28_hez_final_16.ptau), snarkjs \`zkey new\` on it and one local
                contribution; more with \`zkml contribute\`. Official Hermez files are
                recognised by their published blake2b hash.
  --ceremony    the ptau path without a ptau file: zkml generates a DEVELOPMENT ptau of the
                needed size once and caches it in $ZKML_PTAU_DIR (default ~/.cache/zkml/ptau),
                to rehearse phase-2 contributions and --verify. PLONK and FFLONK always use a
                ptau (their keys are the ptau's), the development one unless --ptau is given.
  --verify      check DIR's existing keys instead of making new ones, trusting nothing its
                manifest says: the ptau is the one recorded, and official or not by its own
                hash; the key derives from DIR's r1cs and that ptau (Groth16: with every
                phase-2 contribution valid, as snarkjs \`zkey verify\` checks; PLONK/FFLONK: by
                recomputing it); the verification key is the key's; the Solidity verifier and
                wrapper regenerated from the key equal what deploy/register would ship; and
                the circuit recompiled from the ONNX file equals DIR's r1cs. Exit 0 valid, 1 not.
  --onnx FILE, --calibration FILE
                with --verify: the model and calibration to recompile (default: the files the
                manifest names, used only if their hashes match).`,
  options: options(["ptau", "system", "onnx", "calibration"], ["verify", "ceremony"]),
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "setup");
    if (ctx.values.verify) {
      if (str(ctx, "system")) throw new ZkmlError("USAGE", "--verify checks the keys DIR has; --system does not apply");
      const r = await verifySetup(dir, { ptauFile: str(ctx, "ptau"), onnxFile: str(ctx, "onnx"), calibrationFile: str(ctx, "calibration") });
      for (const line of r.log.map((l) => l.trim().split("\n")[0]!).filter((l) => /^contribution #\d+|^circuit:|differs/.test(l)))
        ctx.say(`  ${line.replace(/:$/, "")}`);
      const failed = Object.entries(r.checks)
        .filter(([, ok]) => !ok)
        .map(([k]) => k);
      // Never "verified" alone for keys on a ptau that is not an official ceremony's.
      const kind =
        r.ptauKind === "official"
          ? "on an official Hermez ptau"
          : "DEVELOPMENT ONLY unless its ptau is the output of a ceremony you trust (not an official Hermez file)";
      ctx.say(
        r.valid ? `${dir}: ${r.system} keys verified (${Object.keys(r.checks).join(", ")}), ${kind}` : `${dir}: keys do NOT verify: ${failed.join(", ")}`,
      );
      ctx.result({ valid: r.valid, system: r.system, ptauKind: r.ptauKind, developmentOnly: r.ptauKind !== "official", checks: r.checks });
      return r.valid ? 0 : 1;
    }
    const ptauFile = str(ctx, "ptau");
    if (ptauFile !== undefined && ctx.values.ceremony)
      throw new ZkmlError("USAGE", "--ceremony is the ptau path without a ptau file: with --ptau it is implied");
    const r = await setupModel(dir, {
      system: parseProofSystem(str(ctx, "system")),
      ptauFile,
      ...(ctx.values.ceremony && { keys: "ceremony" as const }),
      progress: (m, f) => ctx.progress(`${m} ${(100 * f).toFixed(0)}%`),
    });
    const p = r.info.ptau;
    ctx.say(`set up ${dir} (${r.info.system})`);
    if (r.info.keys === "direct") ctx.say(`  keys: DEVELOPMENT ONLY, drawn directly (no ptau, domain 2^${p.power}): whoever ran this could forge proofs`);
    else
      ctx.say(
        `  ptau: ${p.path} (2^${p.power}) ${p.devOnly ? "— DEVELOPMENT ONLY, not a ceremony" : p.official ? "— official Hermez file (hash verified)" : "— not an official file: its security is yours to judge"}`,
      );
    if (r.ptau.generatedMs > 0) ctx.say(`  generated the dev ptau in ${ms(r.ptau.generatedMs)}`);
    const c = r.info.contract;
    const over = (fits: boolean) => (fits ? "" : ", OVER the EIP-170 limit of 24,576 bytes: will not deploy on mainnet");
    ctx.say(`  keys in ${ms(r.info.timingsMs.setup)}; verifier ${c.name} (${c.deployedBytecodeSize} bytes${over(c.fitsEip170)}),`);
    ctx.say(`  bare snarkjs verifier for a registry ${c.verifierName} (${c.verifierBytecodeSize} bytes${over(c.verifierFitsEip170)})`);
    const wrote = [FILES.zkey, FILES.vkey, FILES.verifierArtifact, FILES.snarkVerifierArtifact, `${FILES.contractsDir}/`].map((f) => path.join(dir, f));
    ctx.say(`  wrote ${wrote.join(", ")}`);
    ctx.result({
      files: wrote,
      system: r.info.system,
      keys: r.info.keys ?? "ptau",
      ptau: { ...p, generatedMs: r.ptau.generatedMs },
      contract: r.info.contract,
      timingsMs: r.info.timingsMs,
    });
    return 0;
  },
};

export const contributeVerb: Verb = {
  name: "contribute",
  usage: "zkml contribute DIR [--name NAME] [--entropy TEXT | --beacon HEX --iterations N] [--json]",
  help: `A Groth16 key is safe if at least one phase-2 contributor destroyed their randomness.
\`zkml setup\` adds one contribution from this machine; each participant runs
\`zkml contribute\` on the folder in turn (pass the folder along), and a final --beacon (a
public random value fixed in advance, e.g. a future block hash) closes the ceremony. The
verification key and Solidity verifiers are regenerated; deploy after the last contribution.
Check the result with \`zkml setup DIR --verify\`.

  --name NAME       recorded in the key with the contribution
  --entropy TEXT    extra entropy, mixed with 32 random bytes from this machine
  --beacon HEX      a public random beacon instead of private randomness
  --iterations N    the beacon is hashed 2^N times (10..63; 10 is quick, ceremonies use ~40)

PLONK and FFLONK keys are universal (the ptau alone): there is nothing to contribute.`,
  options: { name: { type: "string" }, entropy: { type: "string" }, beacon: { type: "string" }, iterations: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "contribute");
    const beaconHex = str(ctx, "beacon");
    if (beaconHex && str(ctx, "entropy")) throw new ZkmlError("USAGE", "give --entropy or --beacon, not both");
    if (str(ctx, "iterations") && !beaconHex) throw new ZkmlError("USAGE", "--iterations goes with --beacon");
    const beacon = beaconHex ? { hash: beaconHex, iterationsExp: Number(str(ctx, "iterations") ?? "10") } : undefined;
    const r = await contribute(dir, { name: str(ctx, "name"), entropy: str(ctx, "entropy"), beacon });
    ctx.say(`contributed to ${dir} (${r.contribution.kind}, "${r.contribution.name}"): contribution hash ${r.contribution.hash}`);
    ctx.say(`  ${r.info.contributions.length} contribution(s) in total; the verifier contracts were regenerated: deploy them anew`);
    ctx.result({ contribution: r.contribution, contributions: r.info.contributions.length });
    return 0;
  },
};
