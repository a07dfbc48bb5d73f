/**
 * Cold commands against their anchors, by the CPU of the whole process (user + system, all
 * threads, bench/cpu_hook.mjs), interleaved: what a CLI user pays on every command.
 *   - `zkml prove` of the tiny MLP, beside EZKL's engine proving its own test model from a Node
 *     script (when given);
 *   - `zkml verify` of that proof, beside `snarkjs groth16 verify` of the same proof;
 *   - `zkml setup` of the tiny MLP (keys and the compiled Solidity verifiers), beside EZKL's
 *     engine making its keys (genVk + genPk; it builds no verifier contract).
 *
 *   npm run build && npm run bench:cold [-- --runs 5] [--ezkl DIR]
 *
 * EZKL is not a dependency of zkml: DIR holds `node_modules/@ezkljs/engine` (npm install
 * @ezkljs/engine@21.0.0) and `assets/` with model.compiled, kzg and input.json from the EZKL
 * repository's tests/assets at tag v21.0.0 (docs/BENCHMARKS.md).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PACKAGE_ROOT } from "../core/package_files.js";
import { compileModel } from "../src/index.js";
import { machineInfo } from "./machine.js";
import { type Stat, stat } from "./stats.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, ezkl: { type: "string" } } });
const runs = Number(values.runs);
const dist = path.join(PACKAGE_ROOT, "dist/cli/main.js");
if (!existsSync(dist)) throw new Error("no dist/: run `npm run build` first");
const ezklDir = values.ezkl && path.resolve(values.ezkl);
if (ezklDir && !existsSync(path.join(ezklDir, "node_modules/@ezkljs/engine")))
  throw new Error(`--ezkl ${ezklDir}: no node_modules/@ezkljs/engine there (npm install @ezkljs/engine@21.0.0 in it)`);

const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-cold-"));
const cpuFile = path.join(tmp, "cpu.txt");
const hook = path.join(PACKAGE_ROOT, "bench/cpu_hook.mjs");

/** Runs node with the hook on these arguments; the process's CPU in ms. */
async function cpu(args: string[], cwd = tmp): Promise<number> {
  await writeFile(cpuFile, "");
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ["--import", hook, ...args], { cwd, env: { ...process.env, ZKML_CPU_OUT: cpuFile }, maxBuffer: 64 << 20 }, (e, _o, err) =>
      e ? reject(new Error(`${args.join(" ")}: ${err}`)) : resolve(),
    ),
  );
  const lines = (await readFile(cpuFile, "utf8")).trim().split("\n");
  if (lines.length !== 1 || !lines[0]) throw new Error(`${args.join(" ")}: no CPU figure (did it exit through process.exit before the hook loaded?)`);
  return Number(lines[0]);
}

const EZKL_PROVE = `
import { readFileSync, writeFileSync } from "node:fs";
const ezkl = await import("@ezkljs/engine/nodejs/ezkl.js");
const rd = (f) => new Uint8ClampedArray(readFileSync("assets/" + f));
const compiled = rd("model.compiled");
const witness = ezkl.genWitness(compiled, rd("input.json"));
writeFileSync("proof.bin", ezkl.prove(new Uint8ClampedArray(witness), rd("pk.bench.key"), compiled, rd("kzg")));
`;
const EZKL_KEYGEN = `
import { readFileSync, writeFileSync } from "node:fs";
const ezkl = await import("@ezkljs/engine/nodejs/ezkl.js");
const rd = (f) => new Uint8ClampedArray(readFileSync("assets/" + f));
const vk = ezkl.genVk(rd("model.compiled"), rd("kzg"), true);
writeFileSync("assets/vk.bench.key", vk);
writeFileSync("assets/pk.bench.key", ezkl.genPk(new Uint8ClampedArray(vk), rd("model.compiled"), rd("kzg")));
`;

try {
  const build = path.join(tmp, "tiny");
  const example = path.join(PACKAGE_ROOT, "examples/tiny-mlp");
  process.stderr.write("compiling the tiny MLP\n");
  await compileModel(path.join(example, "tiny-mlp.onnx"), { outDir: build, calibrationFile: path.join(example, "calibration.json"), fidelity: false });
  const input = path.join(tmp, "input.json");
  await copyFile(path.join(example, "input.json"), input);
  const proof = path.join(tmp, "proof.json");
  const zkml = (...args: string[]) => [dist, ...args];
  const jobs: Record<string, () => Promise<number>> = {
    "zkml setup": () => cpu(zkml("setup", build)),
    "zkml prove": () => cpu(zkml("prove", build, "--input", input, "--out", proof)),
    "zkml verify": () => cpu(zkml("verify", build, proof)),
    "snarkjs groth16 verify": async () => {
      const p = JSON.parse(await readFile(proof, "utf8"));
      await writeFile(path.join(tmp, "p.json"), JSON.stringify(p.proof));
      await writeFile(path.join(tmp, "s.json"), JSON.stringify(p.publicSignals));
      return cpu([
        path.join(PACKAGE_ROOT, "node_modules/snarkjs/build/cli.cjs"),
        "groth16",
        "verify",
        path.join(build, "verification_key.json"),
        "s.json",
        "p.json",
      ]);
    },
  };
  if (ezklDir) {
    await writeFile(path.join(ezklDir, "zkml-cold-prove.mjs"), EZKL_PROVE);
    await writeFile(path.join(ezklDir, "zkml-cold-keygen.mjs"), EZKL_KEYGEN);
    jobs["EZKL engine keygen"] = () => cpu(["zkml-cold-keygen.mjs"], ezklDir);
    jobs["EZKL engine prove"] = () => cpu(["zkml-cold-prove.mjs"], ezklDir);
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
  // One warm-up round (file caches), then the measured rounds, interleaved.
  for (let i = 0; i <= runs; i++) {
    for (const [name, job] of Object.entries(jobs)) {
      const ms = await job();
      if (i > 0) samples[name]!.push(ms);
    }
    process.stderr.write(i === 0 ? "warm-up done\n" : `run ${i}/${runs}\n`);
  }
  const stats: Record<string, Stat> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stat(v)]));
  const ratio = (a: string, b: string) => (stats[a] && stats[b] ? stats[a].median / stats[b].median : undefined);
  const ratios = {
    "zkml prove / EZKL engine prove": ratio("zkml prove", "EZKL engine prove"),
    "zkml verify / snarkjs groth16 verify": ratio("zkml verify", "snarkjs groth16 verify"),
    "zkml setup / EZKL engine keygen": ratio("zkml setup", "EZKL engine keygen"),
  };
  const machine = machineInfo();
  for (const [k, s] of Object.entries(stats))
    console.log(`${k.padEnd(24)} ${(s.median / 1000).toFixed(2)} s CPU (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`);
  for (const [k, v] of Object.entries(ratios)) if (v !== undefined) console.log(`${k}: ${v.toFixed(2)}×`);
  const out = path.join(PACKAGE_ROOT, "bench", "results", `cold-${new Date().toISOString().slice(0, 10)}.json`);
  await writeFile(out, JSON.stringify({ machine, runs, unit: "ms of process CPU (user + system)", stats, ratios }, null, 2) + "\n");
  console.log(`→ ${out}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
  if (ezklDir) for (const f of ["zkml-cold-prove.mjs", "zkml-cold-keygen.mjs", "proof.bin"]) await rm(path.join(ezklDir, f), { force: true });
}
