import { readProofFile, writeFoundryProject, ZkmlError } from "../../src/index.js";
import { requirePositional, str, type Verb } from "../io.js";

export const foundryVerb: Verb = {
  name: "foundry",
  usage: "zkml foundry DIR proof.json --out FOLDER [--json]",
  help: `Writes a Foundry project that tests DIR's verifier with proof.json: the verifier's sources in
FOLDER/src/zkml/, and FOLDER/test/ZkmlVerifier.t.sol, which deploys it, submits the proof and
checks the class, and that the replay and a forged class are refused. Run it offline with npm's
solc: cd FOLDER && forge test --offline --use ./solc

The proof must be bound to the addresses forge's test uses:
  zkml prove DIR --input FILE --chain-id 31337 --contract 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f \\
                 --sender 0x7FA9385bE102ac3EAc297483Dd6233D62b3e1496 --nonce 0`,
  options: { out: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "foundry");
    const file = requirePositional(ctx, 1, "the proof file", "foundry");
    const out = str(ctx, "out");
    if (!out) throw new ZkmlError("USAGE", "foundry: --out FOLDER is required", "see `zkml foundry --help`");
    const r = await writeFoundryProject(dir, await readProofFile(file), out);
    ctx.say(`wrote ${r.test} (testing ${r.contract}) and the verifier's sources; next: cd ${r.dir} && forge test --offline --use ./solc`);
    ctx.result({ ...r });
    return 0;
  },
};
