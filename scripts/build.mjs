// `npm run build`: the compiled package (dist/: JavaScript, .d.ts, source maps), made from a
// clean folder so no file of a removed module lingers in the tarball.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
rmSync(path.join(root, "dist"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
// The browser entry starts its proving worker by URL, which tsc leaves as written (.ts):
// bundlers resolve the compiled file only if the URL names it.
const browser = path.join(root, "dist/browser/index.js");
const text = readFileSync(browser, "utf8");
if (!text.includes('"./prove_worker.ts"')) throw new Error("build: dist/browser/index.js no longer names ./prove_worker.ts; update scripts/build.mjs");
writeFileSync(browser, text.replace('"./prove_worker.ts"', '"./prove_worker.js"'));
