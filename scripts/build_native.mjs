// The install step: builds zkml's native curve backend (native/, a Node-API addon) with
// node-gyp, against the installing Node's headers, offline. The addon is optional: when it
// cannot be built (no compiler, another platform) this says so and exits 0, and zkml runs on
// WebAssembly. ZKML_SKIP_NATIVE=1 skips the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const native = path.join(root, "native");

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push("/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
  return candidates.find((c) => existsSync(c));
}

/** Node's headers on this machine, so node-gyp never downloads them. */
function nodeDir() {
  const dirs = [process.env.npm_config_nodedir, path.resolve(process.execPath, "..", ".."), "/usr", "/usr/local"];
  return dirs.find((d) => d && existsSync(path.join(d, "include", "node", "node_api.h")));
}

function main() {
  if (process.env.ZKML_SKIP_NATIVE === "1") {
    console.log("zkml: native curve backend skipped (ZKML_SKIP_NATIVE=1); WebAssembly will be used");
    return;
  }
  if (!existsSync(path.join(native, "binding.gyp"))) return;
  const gyp = nodeGyp();
  const dir = nodeDir();
  if (!gyp || !dir) {
    console.warn(`zkml: native curve backend not built (${!gyp ? "node-gyp not found" : "Node's headers not found"}); WebAssembly will be used`);
    return;
  }
  const t = Date.now();
  const r = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${dir}`, "--directory", native], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
    console.warn(`zkml: native curve backend not built; WebAssembly will be used. node-gyp said:\n${tail}`);
    return;
  }
  console.log(`zkml: native curve backend built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

main();
