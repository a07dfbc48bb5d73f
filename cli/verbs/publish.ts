import { publishBuild, ZkmlError } from "../../src/index.js";
import { requirePositional, str, type Verb } from "../io.js";

export const publishVerb: Verb = {
  name: "publish",
  usage: "zkml publish DIR --out FOLDER [--json]",
  help: `Copies what a web page needs to prove with DIR (zkml/browser) into FOLDER, for a web server to
serve: manifest.json, the quantized model, the witness wasm, the proving key, the verification
key and the verifier's ABI, each checked against the manifest. Nothing else goes (no circuit
source, no paths of this machine). A private-weights build is refused: its quantized model
holds the weights the proof keeps secret.

  --out FOLDER   e.g. public/models/mnist (replaced whole: an earlier publish, or a new folder)

Prints the manifest's sha256: pin your page to it, BrowserProver.open(url, { manifestSha256 }).`,
  options: { out: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "publish");
    const out = str(ctx, "out");
    if (!out) throw new ZkmlError("USAGE", "publish: --out FOLDER is required", "see `zkml publish --help`");
    const r = await publishBuild(dir, out);
    ctx.say(`published ${dir} → ${r.dir}: ${r.files.length} files, ${(r.bytes / 1e6).toFixed(1)} MB`);
    ctx.say(`  manifest sha256 ${r.manifestSha256} (pin your page to it)`);
    ctx.result({ ...r });
    return 0;
  },
};
