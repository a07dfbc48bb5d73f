import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, type CliResult } from "./helpers/cli.js";
import { randomMlp, rawModel } from "./helpers/models.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-cli-"));
});

/** A user mistake: exit 1 (3 for a file that is not there), one line on stderr naming the problem, no stack trace. */
function expectUserError(r: CliResult, fragment: RegExp, code = 1) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^zkml \S+: error: /);
  expect(lines[0]).toMatch(fragment);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("zkml CLI: help and usage", () => {
  it("explains itself", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const verb of ["compile", "check", "setup", "prove", "verify", "deploy", "verify-onchain", "demo"]) expect(top.stdout).toContain(verb);
    const setup = await runCli(["setup", "--help"]);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(/DEVELOPMENT/);
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown verb "frobnicate"/);
    const badFlag = await runCli(["compile", "x.onnx", "--frob"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/unknown option --frob \(see `zkml compile --help`\)/);
    // A typo gets the nearest name.
    const typoFlag = await runCli(["compile", "x.onnx", "--calibraton", "c.json"]);
    expect(typoFlag.code).toBe(2);
    expect(typoFlag.stderr).toMatch(/unknown option --calibraton \(did you mean --calibration\?/);
    const typoVerb = await runCli(["verfy"]);
    expect(typoVerb.code).toBe(2);
    expect(typoVerb.stderr).toMatch(/did you mean `zkml verify`\?/);
    expect((await runCli(["-v"])).stdout).toMatch(/^zkml \d+\.\d+\.\d+/);
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string; dependencies: Record<string, string> };
    const [first, second] = version.stdout.trim().split("\n");
    expect(first).toBe(
      `zkml ${pkg.version} (snarkjs ${pkg.dependencies.snarkjs}, circom2 ${pkg.dependencies.circom2}, circomlib ${pkg.dependencies.circomlib}, solc ${pkg.dependencies.solc})`,
    );
    expect(second).toMatch(/^curve backend: (native \(C\+\+ addon, \d+ threads\)|WebAssembly)/);
  });

  it("--backend: the curve backend named, WebAssembly when the addon is not there, and a clear refusal of native then", async () => {
    const gone = { ZKML_NATIVE_ADDON: path.join(tmp, "no-such-addon.node") };
    const wasm = await runCli(["--version", "--json"], gone);
    expect(wasm.code).toBe(0);
    expect(wasm.json().curveBackend).toMatchObject({ backend: "wasm", note: expect.stringMatching(/not built/) });
    expect((await runCli(["--version", "--backend", "wasm", "--json"])).json().curveBackend.backend).toBe("wasm");
    expectUserError(await runCli(["prove", "build", "--backend", "native"], gone), /native curve backend was asked for, but the native addon is not built/, 2);
    expectUserError(await runCli(["prove", "build", "--backend=fast"]), /the curve backend is "fast" \(choose one of auto, native, wasm\)/, 2);
  });
});

describe("zkml CLI: bad input gives one clear line and writes nothing", () => {
  it("compile: missing file, not ONNX, unsupported op", async () => {
    const out = path.join(tmp, "never");
    expectUserError(await runCli(["compile", path.join(tmp, "missing.onnx"), "--out", out]), /model file not found/, 3);
    await writeFile(path.join(tmp, "notes.onnx"), "these are my notes, not a model\n");
    expectUserError(await runCli(["compile", path.join(tmp, "notes.onnx"), "--out", out]), /not an ONNX model/);
    await writeFile(
      path.join(tmp, "erf.onnx"),
      rawModel({
        inputShape: [1, 3],
        outputShape: [1, 3],
        initializers: [],
        nodes: [{ op: "Hardmax", inputs: ["input"], outputs: ["y"], name: "head/hardmax" }],
      }),
    );
    const r = await runCli(["compile", path.join(tmp, "erf.onnx"), "--out", out, "--json"]);
    expectUserError(r, /node "head\/hardmax" \(Hardmax\): op Hardmax is not supported/);
    expect(r.json().error.code).toBe("UNSUPPORTED_OP");
    expect(existsSync(out)).toBe(false);
    expect((await readdir(tmp)).filter((f) => f.includes("partial"))).toEqual([]);
  });

  it("prove: wrong input shape, NaN, non-numbers; verify: not a proof", async () => {
    const dir = inject("mnistDir");
    const proofOut = path.join(tmp, "p.json");
    const write = async (name: string, text: string) => {
      await writeFile(path.join(tmp, name), text);
      return path.join(tmp, name);
    };
    expectUserError(
      await runCli(["prove", dir, "--input", await write("short.json", JSON.stringify({ input: [1, 2, 3] })), "--out", proofOut]),
      /needs 784 values/,
    );
    expectUserError(await runCli(["prove", dir, "--input", await write("nan.json", `{"input": [NaN, 1]}`), "--out", proofOut]), /not valid JSON.*NaN/);
    expectUserError(await runCli(["prove", dir, "--input", await write("null.json", JSON.stringify({ input: [null] })), "--out", proofOut]), /not a number/);
    expectUserError(await runCli(["prove", dir, "--input", path.join(tmp, "none.json"), "--out", proofOut]), /input file not found/, 3);
    expectUserError(await runCli(["prove", dir, "--input", await write("wrongkey.json", JSON.stringify({ x: [1] })), "--out", proofOut]), /expected \{"input"/);
    // Where the input comes from: one source, and a chain read needs its RPC.
    expectUserError(
      await runCli(["prove", dir, "--from-chain", "0x" + "11".repeat(20), "--out", proofOut]),
      /--from-chain reads the contract through --rpc/,
      2,
    );
    expectUserError(
      await runCli(["prove", dir, "--input", path.join(tmp, "none.json"), "--from-chain", "0x" + "11".repeat(20), "--out", proofOut]),
      /give --input FILE or --from-chain ADDR, not both/,
      2,
    );
    expectUserError(await runCli(["prove", dir, "--out", proofOut]), /--input FILE is required \(or --from-chain ADDR --rpc URL\)/, 2);
    expectUserError(
      await runCli(["prove", dir, "--from-chain", "0x" + "11".repeat(20), "--rpc", "http://127.0.0.1:9", "--out", proofOut]),
      /input is private, so no contract can check that a proof is about its data/,
      2,
    );
    expect(existsSync(proofOut)).toBe(false);
    expectUserError(
      await runCli(["compile", "examples/tiny-mlp/tiny-mlp.onnx", "--out", path.join(tmp, "vis"), "--input-visibility", "public"]),
      /--input-visibility: "public" is not one of private, hashed/,
      2,
    );
    expect(existsSync(path.join(tmp, "vis"))).toBe(false);
    expectUserError(await runCli(["verify", dir, await write("junk-proof.json", "{}")]), /not a zkml proof file/);
    expectUserError(await runCli(["setup", path.join(tmp, "no-build")]), /not a zkml build folder/);
    const badNonce = await runCli([
      "verify-onchain",
      dir,
      path.join(tmp, "none.json"),
      "--rpc",
      "http://127.0.0.1:9",
      "--address",
      "0x" + "11".repeat(20),
      "--nonce",
      "abc",
    ]);
    expect(badNonce.code).toBe(2);
    expect(badNonce.stderr.trim().split("\n")).toEqual(["zkml verify-onchain: error: --nonce abc is not a non-negative integer"]);
    const usage = await runCli(["prove", dir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--input FILE is required/);
  });
});

describe("zkml CLI: a small model end to end with --json", () => {
  it("compile → setup → prove (input_data form) → verify, and verify rejects a tampered proof", async () => {
    const model = path.join(tmp, "tiny.onnx");
    await writeFile(model, randomMlp([6, 5, 3], 21));
    const out = path.join(tmp, "tiny");
    const compiled = await runCli(["compile", model, "--out", out, "--json"]);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.json()).toMatchObject({ outDir: out, publicSignals: ["commitment", "classContext"] });
    expect(compiled.json().constraints).toBeGreaterThan(50);
    expect(compiled.stderr).toMatch(/synthetic/);
    const check = await runCli(["check", out, "--json"]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.json()).toMatchObject({ pinned: true, satisfied: true, publicPinned: true, problems: [], counts: { unused: 0, undetermined: 0 } });

    const setup = await runCli(["setup", out, "--json"]);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.json()).toMatchObject({ system: "groth16", keys: "direct", ptau: { official: false, devOnly: true } });
    expect(setup.json().ptau.power).toBeGreaterThanOrEqual(1);
    expect(setup.json().files).toContain(path.join(out, "circuit.zkey"));
    // What a page needs, and nothing else; a private-weights build is not published.
    const pub = path.join(tmp, "public", "tiny");
    const published = await runCli(["publish", out, "--out", pub, "--json"]);
    expect(published.code, published.stderr).toBe(0);
    const listed = (await readdir(pub, { recursive: true })).filter((f) => !f.endsWith("circuit_js")).sort();
    expect(listed).toEqual(["circuit.zkey", "circuit_js/circuit.wasm", "manifest.json", "model.quant.json", "verification_key.json", "verifier.json"]);
    expect(published.json().manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    const privateDir = path.join(tmp, "tiny-private");
    expect((await runCli(["compile", "examples/tiny-mlp/tiny-mlp.onnx", "--out", privateDir, "--weights", "private"])).code).toBe(0);
    expect((await runCli(["setup", privateDir])).code).toBe(0);
    const refused = await runCli(["publish", privateDir, "--out", path.join(tmp, "public", "private")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/private weights/);
    expect(existsSync(path.join(tmp, "public", "private"))).toBe(false);
    expect(setup.stderr).toMatch(/wrote .*circuit\.zkey/);

    const input = path.join(tmp, "tiny-input.json");
    await writeFile(input, JSON.stringify({ input_data: [[0.1, -0.2, 0.3, -0.4, 0.5, -0.6]] }));
    const proofFile = path.join(tmp, "tiny-proof.json");
    const proved = await runCli(["prove", out, "--input", input, "--out", proofFile, "--context", "0x1234", "--json"]);
    expect(proved.code, proved.stderr).toBe(0);
    const p = proved.json();
    expect(p.publicSignals).toHaveLength(2);
    expect(p.output.values).toHaveLength(3);
    expect(p.output.class).toBe(p.output.values.indexOf(Math.max(...p.output.values)));
    expect(p.timingsMs.prove).toBeGreaterThan(0);
    expect(p.timingsMs.witness).toBeGreaterThan(0);

    const ok = await runCli(["verify", out, proofFile, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, context: "0x1234" });

    // New keys (setup again): the old proof no longer verifies, and verify says why.
    const oldProof = path.join(tmp, "tiny-proof-old.json");
    await writeFile(oldProof, await readFile(proofFile));
    expect((await runCli(["setup", out])).code).toBe(0);
    const stale = await runCli(["verify", out, oldProof]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/made with other keys/);
    // With the native addon removed, zkml proves on WebAssembly: a machine without a compiler.
    const noAddon = await runCli(["prove", out, "--input", input, "--out", proofFile], { ZKML_NATIVE_ADDON: path.join(tmp, "no-such-addon.node") });
    expect(noAddon.code, noAddon.stderr).toBe(0);
    // Valid off-chain with no context: said to be refused by any contract.
    const unbound = await runCli(["verify", out, proofFile]);
    expect(unbound.code).toBe(0);
    expect(unbound.stdout).toMatch(/note: context 0: valid off-chain, but every verifier contract refuses it/);
    // Another model's proof: said so, not "setup was run again".
    const foreign = await runCli(["verify", inject("mnistDir"), proofFile]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toMatch(/made for another model/);
    expect(foreign.stdout).not.toMatch(/run again/);

    const doc = JSON.parse(await readFile(proofFile, "utf8"));
    doc.output.values[0] += 1;
    await writeFile(proofFile, JSON.stringify(doc));
    const bad = await runCli(["verify", out, proofFile, "--json"]);
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ valid: false, checks: { proof: true, commitment: false } });
  });
});

/** A Node older than 22 on this machine (Debian's), to run the CLI under as a user with it would. */
const OLD_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find((n) => {
  if (!existsSync(n)) return false;
  const v = spawnSync(n, ["--version"], { encoding: "utf8" }).stdout;
  return Number(/^v(\d+)/.exec(v)?.[1] ?? 99) < 22;
});

describe.skipIf(!OLD_NODE)("on Node 20", () => {
  it("zkml demo says at once that its chain needs Node 22, before compiling anything", async () => {
    const out = path.join(tmp, "demo-node20");
    const t0 = Date.now();
    const r = spawnSync(OLD_NODE!, ["--import", "tsx", "cli/main.ts", "demo", "--out", out], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/needs Node >= 22 \(this is Node 20/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(existsSync(out)).toBe(false);
  });
});

describe("zkml demo", () => {
  it("runs the bundled example end to end, verified off-chain and on an in-process chain", async () => {
    const r = await runCli(["demo", "--out", path.join(tmp, "demo"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expect(d).toMatchObject({ class: 7, verifiedOffchain: true, verifiedOnchain: true });
    expect(d.constraints).toBeLessThanOrEqual(10_000);
    expect(Number(d.gasUsed)).toBeGreaterThan(181_000);
    for (const k of ["compile", "setup", "witness", "prove", "verify"]) expect(d.timingsMs[k]).toBeGreaterThan(0);
    console.log(`demo: ${d.constraints} constraints, gas ${d.gasUsed} (bare verifier ${d.verifierCallGas}), ${JSON.stringify(d.timingsMs)}`);
  });
});
