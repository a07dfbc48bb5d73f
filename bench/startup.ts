/**
 * What a CLI user waits for before any proving starts: `zkml --help` and a cold `zkml prove` of
 * the MNIST MLP, run as the installed package runs (compiled dist/) and as a checkout runs
 * (TypeScript through tsx), interleaved, beside a warm in-process prove of the same input.
 *   npm run build && npm run bench:startup [-- --runs 5]
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { compileModel, InferenceProver, readInputFile, releaseCurves, setupModel } from "../src/index.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import { machineInfo, machineLabel } from "./machine.js";
import { fmtStat, stat, type Stat } from "./stats.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, dir: { type: "string", default: "build/mnist-mlp" } } });
const runs = Number(values.runs);
const dir = path.resolve(values.dir!);
const digit = path.join(PACKAGE_ROOT, "examples/mnist/digits/digit-7.json");
const dist = path.join(PACKAGE_ROOT, "dist/cli/main.js");
if (!existsSync(dist)) throw new Error("no dist/: run `npm run build` first");
if (!existsSync(path.join(dir, "circuit.zkey"))) {
  await compileModel(path.join(PACKAGE_ROOT, "examples/mnist/mnist-mlp.onnx"), {
    outDir: dir,
    calibrationFile: path.join(PACKAGE_ROOT, "examples/mnist/calibration.json"),
    fidelity: false,
  });
  await setupModel(dir);
}
const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-startup-"));

function wall(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 16 << 20 }, (e, _out, err) =>
      e ? reject(new Error(`${args.join(" ")}: ${err}`)) : resolve(performance.now() - t0),
    ),
  );
}

const ways = {
  compiled: [dist],
  tsx: ["--import", import.meta.resolve("tsx"), path.join(PACKAGE_ROOT, "cli/main.ts")],
};
const samples: Record<string, number[]> = { "help compiled": [], "help tsx": [], "prove compiled": [], "prove tsx": [] };
for (let i = 0; i < runs; i++) {
  for (const [way, head] of Object.entries(ways)) {
    samples[`help ${way}`]!.push(await wall([...head, "--help"]));
    samples[`prove ${way}`]!.push(await wall([...head, "prove", dir, "--input", digit, "--out", path.join(tmp, "proof.json"), "--json"]));
  }
  process.stderr.write(`run ${i + 1}/${runs}\n`);
}
const prover = await InferenceProver.open(dir);
const input = await readInputFile(digit);
await prover.prove(input);
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await prover.prove(input);
  warm.push(performance.now() - t0);
}
await releaseCurves();

const stats: Record<string, Stat> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stat(v)]));
stats["prove in-process, warm"] = stat(warm);
const machine = machineInfo();
const md = [
  `Startup (${machineLabel(machine)}; medians of ${runs} interleaved runs, wall clock of the whole process)`,
  "",
  "| what | compiled (dist/, as installed) | TypeScript through tsx (checkout) |",
  "|---|---|---|",
  `| \`zkml --help\` | ${fmtStat(stats["help compiled"]!)} | ${fmtStat(stats["help tsx"]!)} |`,
  `| \`zkml prove\` MNIST MLP, cold process | ${fmtStat(stats["prove compiled"]!)} | ${fmtStat(stats["prove tsx"]!)} |`,
  `| the same prove in a warm process (InferenceProver) | ${fmtStat(stats["prove in-process, warm"]!)} | |`,
  "",
].join("\n");
console.log(md);
const out = path.resolve("bench", "results");
await mkdir(out, { recursive: true });
const stamp = `startup-${new Date().toISOString().slice(0, 10)}`;
await writeFile(path.join(out, `${stamp}.json`), JSON.stringify({ machine, runs, stats }, null, 2) + "\n");
await writeFile(path.join(out, `${stamp}.md`), md);
console.log(`→ ${path.join(out, stamp)}.{json,md}`);
