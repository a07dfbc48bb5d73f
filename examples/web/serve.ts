/**
 * npm run web -- BUILD_DIR [--rpc URL [--address 0x…]] [--port 5173]
 * Builds the web dApp, serves it with BUILD_DIR at /model/ on 127.0.0.1, and prints the page's
 * URL. With --rpc and no --address, deploys BUILD_DIR's verifier there first (a local
 * `hardhat node`: its first account pays; development keys are refused on public chains).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { connectRpc, deployVerifier, readVerifierArtifact } from "../../src/index.js";
import { buildWebExample, serveStatic } from "./server.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rpc: { type: "string" }, address: { type: "string" }, port: { type: "string" } },
});
const dir = positionals[0];
if (!dir || !existsSync(path.join(dir, "manifest.json"))) {
  process.stderr.write(
    "usage: npm run web -- BUILD_DIR [--rpc URL [--address 0x…]] [--port 5173]\n  BUILD_DIR: a set-up build folder (npm run demo makes build/mnist-mlp)\n",
  );
  process.exit(2);
}
let address = values.address;
if (values.rpc && !address) {
  const chain = await connectRpc(values.rpc);
  address = (await deployVerifier(chain.signer, await readVerifierArtifact(dir))).address;
  process.stderr.write(`deployed the verifier of ${dir} at ${address} (chain ${chain.chainId})\n`);
  await chain.close();
}
const site = path.join(os.tmpdir(), `zkml-web-${process.pid}`);
// The page is pinned to this build and verifier: a link with another ?build= or ?address= is refused.
const manifestSha256 = createHash("sha256")
  .update(await readFile(path.join(dir, "manifest.json")))
  .digest("hex");
await buildWebExample(site, { manifestSha256, ...(address && { verifier: address }) });
const server = await serveStatic(site, { model: path.resolve(dir) }, undefined, Number(values.port ?? 5173));
const query = new URLSearchParams({ build: "/model/", ...(address && { address }), ...(values.rpc && { rpc: values.rpc }) });
process.stdout.write(`open ${server.url}/?${query}\n(Ctrl-C to stop)\n`);
// Ctrl-C (or a service manager's stop): the built page goes with the server.
const stop = async () => {
  await server.close();
  await rm(site, { recursive: true, force: true });
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
