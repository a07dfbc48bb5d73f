import { initProject } from "../../src/index.js";
import { str, type Verb } from "../io.js";

export const initVerb: Verb = {
  name: "init",
  usage: "zkml init [DIR] [--zkml SPEC] [--json]",
  help: `Writes a starter project into DIR (default: zkml-app; a new or empty folder): a Hardhat 3
project whose zkml plugin builds the bundled tiny model, a dApp contract (contracts/ClassGate.sol)
that records its users' proven classes through verifyInferenceFor, its test, and a Node script on
the SDK (scripts/prove-and-verify.ts). Then: cd DIR && npm install && npm test.

  --zkml SPEC   how the project depends on zkml (default: ^ this version), e.g. a tarball:
                file:../zkml-0.1.0.tgz`,
  options: { zkml: { type: "string" } },
  async run(ctx) {
    const dir = ctx.positionals[0] ?? "zkml-app";
    const spec = str(ctx, "zkml");
    const r = await initProject(dir, spec ? { zkmlSpec: spec } : {});
    ctx.say(`wrote ${r.files.length} files into ${r.dir}: ${r.files.join(", ")}`);
    ctx.say(`next: cd ${r.dir} && npm install && npm test`);
    ctx.result({ ...r });
    return 0;
  },
};
