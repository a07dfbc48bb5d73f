/**
 * `zkml publish`: the files a web page needs of a build (zkml/browser's BROWSER_FILES and the
 * manifest), copied to a folder a web server serves, each checked against the manifest on the
 * way. Nothing else of the build goes: not the circuit source, r1cs or symbols, not the paths
 * of the developer's machine; and never a private-weights build, whose quantized model holds the
 * weights and salt the proof keeps secret.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { BROWSER_FILES } from "../core/build_files.js";
import { ZkmlError } from "../core/errors.js";
import { buildFolderAtomically, sha256Bytes, sha256File } from "../core/manifest.js";
import { openReady } from "./build.js";

export interface Published {
  dir: string;
  files: string[];
  bytes: number;
  /** sha256 of the published manifest.json: pin a page to it (BrowserProver.open(url, {manifestSha256})). */
  manifestSha256: string;
}

/** Copies what a page needs of build folder `dir` into `outDir` (replaced whole, or left as it was on failure). */
export async function publishBuild(dir: string, outDir: string): Promise<Published> {
  const ready = await openReady(dir);
  if (ready.model.privateWeights) {
    throw new ZkmlError(
      "USAGE",
      `${dir} has private weights: its model.quant.json holds the weights and salt, which a page would hand to everyone`,
      "prove private-weights models on a server (zkml serve), not in the browser",
    );
  }
  // A folder of something else is not replaced; an earlier publish (or nothing) is.
  if (existsSync(outDir) && (await readdir(outDir)).length > 0 && !existsSync(path.join(outDir, "manifest.json")))
    throw new ZkmlError("USAGE", `${outDir} exists and is not a published build`, "give a new folder, or an earlier `zkml publish` output");
  const outputs: Record<string, string> = { ...ready.compile.outputs, ...ready.setup.outputs };
  const manifest = await readFile(path.join(dir, "manifest.json"));
  let bytes = manifest.length;
  await buildFolderAtomically(outDir, async (tmp) => {
    await copyFile(path.join(dir, "manifest.json"), path.join(tmp, "manifest.json"));
    for (const name of BROWSER_FILES) {
      const from = path.join(dir, name);
      if ((await sha256File(from)) !== outputs[name])
        throw new ZkmlError("STALE_ARTIFACT", `${dir}/${name} does not match its manifest`, "run `zkml setup` again, or restore the file");
      await mkdir(path.dirname(path.join(tmp, name)), { recursive: true });
      await copyFile(from, path.join(tmp, name));
      bytes += (await stat(from)).size;
    }
  });
  return { dir: outDir, files: ["manifest.json", ...BROWSER_FILES], bytes, manifestSha256: sha256Bytes(manifest) };
}
