/**
 * `zkml init`: a starter project from the installed package: a Hardhat 3 project whose plugin
 * builds zkml's bundled tiny model, a dApp contract that acts on its users' proofs through
 * `verifyInferenceFor` with its test, and a plain Node script on the SDK. `npm install && npm
 * test` in it passes. The files are the package's own examples (examples/hardhat-consumer,
 * examples/sdk), so what `init` writes is what zkml's own tests run.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../core/errors.js";
import { PACKAGE_ROOT, zkmlVersion } from "../core/package_files.js";

const README = `# A zkml project

- \`hardhat.config.ts\` names the model (zkml's bundled tiny MLP: put your own ONNX file there);
  the zkml plugin compiles it, makes development keys and its verifier on first use (\`zkml/\`).
- \`contracts/ClassGate.sol\` records the class a user's proof shows, submitting the proof to
  the model's verifier on the user's behalf (\`verifyInferenceFor\`); \`test/class-gate.test.ts\`
  proves with \`hre.zkml\` and checks that nobody else can use the proof, nor replay it.
- \`scripts/prove-and-verify.ts\`: the SDK from a plain Node script (compile, keys, deploy to an
  in-process chain, prove, verify off- and on-chain).
- \`ignition/modules/ClassGate.ts\`: Hardhat Ignition deploys the model's verifier and the
  ClassGate (after \`npx hardhat zkml setup\`).
- \`web/\`: a page (Vite) that proves the model in the browser, in a Web Worker, and shows the
  class and the proof's calldata; \`npm run web\` publishes the build to \`web/public/models/tiny\`
  and serves it.

\`\`\`sh
npm install
npm test                     # the contract's tests (Node >= 22)
npm run prove-and-verify     # the SDK script
npm run web                  # the web page: prove in the browser (npm run web:build: web/dist)
npx hardhat zkml --help      # the plugin's tasks: compile, setup, deploy, prove, verify, verify-onchain, calldata, check
npx hardhat zkml setup && npx hardhat ignition deploy ignition/modules/ClassGate.ts --network localhost
\`\`\`
`;

export interface InitOptions {
  /** How the project depends on zkml (default `^` this version); e.g. `file:../zkml-0.1.0.tgz`. */
  zkmlSpec?: string;
}

export interface Initialized {
  dir: string;
  files: string[];
}

/** Writes the starter project into `dir` (new, or empty); refuses to write over anything. */
export async function initProject(dir: string, opts: InitOptions = {}): Promise<Initialized> {
  if (existsSync(dir) && (await readdir(dir)).length > 0)
    throw new ZkmlError("USAGE", `${dir} is not empty`, "zkml init writes a new project: name a new folder (zkml init my-app)");
  const consumer = path.join(PACKAGE_ROOT, "examples", "hardhat-consumer");
  const sdk = path.join(PACKAGE_ROOT, "examples", "sdk", "prove-and-verify.ts");
  if (!existsSync(consumer) || !existsSync(sdk))
    throw new ZkmlError("MISSING_ARTIFACT", `zkml's starter files are not in ${PACKAGE_ROOT}/examples`, "reinstall zkml");
  await mkdir(dir, { recursive: true });
  for (const part of ["contracts", "test", "ignition", "web", "hardhat.config.ts"])
    await cp(path.join(consumer, part), path.join(dir, part), { recursive: true });
  await writeFile(path.join(dir, "README.md"), README);
  await mkdir(path.join(dir, "scripts"));
  await cp(sdk, path.join(dir, "scripts", "prove-and-verify.ts"));
  const pkg = JSON.parse(await readFile(path.join(consumer, "package.json"), "utf8")) as {
    name: string;
    description?: string;
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  pkg.name =
    path
      .basename(path.resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-") || "zkml-app";
  pkg.scripts["prove-and-verify"] = "node scripts/prove-and-verify.ts";
  pkg.devDependencies.zkml = opts.zkmlSpec ?? `^${zkmlVersion()}`;
  await writeFile(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  await writeFile(path.join(dir, ".gitignore"), "node_modules/\nartifacts/\ncache/\nzkml/\nbuild/\nweb/public/models/\nweb/dist/\n");
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.[a-z]+$/.test(f) || f === ".gitignore").sort();
  return { dir, files };
}
