/**
 * Proving in Chromium against proving in Node, same machine, same run: for the tiny MLP, the
 * MNIST MLP and the MNIST CNN, the page's first proof (download + checks + prove) and its warm
 * proofs (keys in the Web Worker), next to Node's warm InferenceProver; with the renderer
 * processes' peak RSS while proving.
 *   npm run bench:browser -- [--runs 5] [--models tiny-mlp,mnist-mlp,mnist-cnn] [--results DIR]
 * Writes <DIR>/browser-<date>-<host>.json and .md (default bench/results). Needs Chromium.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compileModel, InferenceProver, readInputFile, releaseCurves, setupModel, writeFileAtomic } from "../src/index.js";
import type { Browser } from "playwright-core";
import { buildWebExample, launchChromium, serveStatic } from "../test/helpers/web.js";
import { machineInfo, machineLabel } from "./machine.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MODELS: Record<string, { onnx: string; calibration: string; input: string }> = {
  "tiny-mlp": { onnx: "examples/tiny-mlp/tiny-mlp.onnx", calibration: "examples/tiny-mlp/calibration.json", input: "examples/tiny-mlp/input.json" },
  "mnist-mlp": { onnx: "examples/mnist/mnist-mlp.onnx", calibration: "examples/mnist/calibration.json", input: "examples/mnist/digits/digit-7.json" },
  "mnist-cnn": { onnx: "examples/mnist-cnn/mnist-cnn.onnx", calibration: "examples/mnist-cnn/calibration.json", input: "examples/mnist/digits/digit-7.json" },
};

interface Row {
  model: string;
  constraints: number;
  zkeyMB: number;
  node: { warmProveMs: number };
  browser: { firstLoadMs: number; firstProofMs: number; firstTotalMs: number; warmProveMs: number; peakRendererRssMB: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Sum of the RSS of Chromium's renderer processes (the page and its workers live there), MB. */
async function rendererRssMb(): Promise<number> {
  let kb = 0;
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("chromium") || !cmd.includes("--type=renderer")) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

type BrowserRun = { loadMs: number; first: { prove: number; total: number }; warm: { prove: number }[] };
type Say = (m: string) => void;

/** Warm proofs in Node with InferenceProver: their median prove time. */
async function nodeWarmMs(build: string, input: number[], runs: number, say: Say, name: string): Promise<number> {
  say(`${name}: Node, ${runs} warm proofs`);
  const prover = await InferenceProver.open(build);
  await prover.prove(input);
  const nodeMs: number[] = [];
  for (let i = 0; i < runs; i++) nodeMs.push((await prover.prove(input)).timingsMs.prove);
  await releaseCurves();
  return median(nodeMs);
}

/** The bench page's first proof and `runs` warm ones in a fresh browser context, with the renderers' peak RSS. */
async function browserRun(browser: Browser, url: string, name: string, input: number[], runs: number): Promise<BrowserRun & { peak: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/bench.html`);
  await page.waitForSelector("body[data-ready]");
  let peak = await rendererRssMb();
  const sampler = setInterval(() => void rendererRssMb().then((mb) => (peak = Math.max(peak, mb))), 100);
  const r = await page.evaluate(
    ([u, x, n]) => (window as unknown as { zkmlBench(u: string, i: number[], r: number): Promise<BrowserRun> }).zkmlBench(u, x, n),
    [`/${name}/`, input, runs] as [string, number[], number],
  );
  clearInterval(sampler);
  await context.close();
  return { ...r, peak };
}

/** One model's row: Node's and Chromium's warm proofs, Chromium's first, the sizes. */
async function measureModel(browser: Browser, url: string, name: string, build: string, runs: number, say: Say): Promise<Row> {
  const input = await readInputFile(path.join(ROOT, MODELS[name]!.input));
  const node = await nodeWarmMs(build, input, runs, say, name);
  say(`${name}: Chromium, first proof + ${runs} warm`);
  const r = await browserRun(browser, url, name, input, runs);
  const info = JSON.parse(await readFile(path.join(build, "manifest.json"), "utf8")).stages.compile.info as { constraints: number };
  const zkeyMB = Number(execFileSync("stat", ["-c", "%s", path.join(build, "circuit.zkey")]).toString()) / 1e6;
  const row: Row = {
    model: name,
    constraints: info.constraints,
    zkeyMB,
    node: { warmProveMs: node },
    browser: {
      firstLoadMs: r.loadMs,
      firstProofMs: r.first.total,
      firstTotalMs: r.loadMs + r.first.total,
      warmProveMs: median(r.warm.map((w) => w.prove)),
      peakRendererRssMB: r.peak,
    },
  };
  const ratio = (row.browser.warmProveMs / row.node.warmProveMs).toFixed(2);
  say(
    `${name}: Node ${node.toFixed(0)} ms, Chromium warm ${row.browser.warmProveMs.toFixed(0)} ms (${ratio}×), first ${row.browser.firstTotalMs.toFixed(0)} ms`,
  );
  return row;
}

/** The rows as Markdown, with the machine and the browser. */
function browserMarkdown(date: string, machine: ReturnType<typeof machineInfo>, chromium: string, runs: number, rows: Row[]): string {
  const line = (r: Row) =>
    `| ${r.model} | ${r.constraints} | ${r.zkeyMB.toFixed(1)} | ${r.node.warmProveMs.toFixed(0)} | ${r.browser.warmProveMs.toFixed(0)} | ${(r.browser.warmProveMs / r.node.warmProveMs).toFixed(2)}× | ${r.browser.firstLoadMs.toFixed(0)} + ${r.browser.firstProofMs.toFixed(0)} = ${r.browser.firstTotalMs.toFixed(0)} | ${r.browser.peakRendererRssMB.toFixed(0)} |`;
  return `# Proving in Chromium vs Node, ${date.slice(0, 10)}

Machine: ${machineLabel(machine)}; ${chromium} (headless, Debian's), Node ${process.version}. Groth16, development keys.
Warm: median prove time of ${runs} proofs with the keys in memory (Node: InferenceProver; Chromium: BrowserProver's Web Worker).
First: the page's first proof from a local server, download and sha256 checks included (a fresh browser context: nothing cached).
Peak RSS: Chromium's renderer processes (the page and its workers) while loading and proving.

| model | constraints | zkey (MB) | Node warm prove (ms) | Chromium warm prove (ms) | ratio | Chromium first: load + prove (ms) | renderer peak RSS (MB) |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.map(line).join("\n")}
`;
}

/** Each model compiled with development keys drawn directly, in `tmp`. */
async function buildModels(names: string[], tmp: string, say: Say): Promise<Record<string, string>> {
  const builds: Record<string, string> = {};
  for (const name of names) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model ${name}: one of ${Object.keys(MODELS).join(", ")}`);
    say(`${name}: compile + setup (development keys drawn directly)`);
    builds[name] = path.join(tmp, name);
    await compileModel(path.join(ROOT, spec.onnx), { outDir: builds[name], calibrationFile: path.join(ROOT, spec.calibration), fidelity: false });
    await setupModel(builds[name]);
  }
  return builds;
}

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, models: { type: "string" }, results: { type: "string" } } });
  const runs = Number(values.runs ?? 5);
  const names = (values.models ?? Object.keys(MODELS).join(",")).split(",");
  const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-browser-"));
  const say: Say = (m) => process.stderr.write(`  … ${m}\n`);
  const rows: Row[] = [];
  try {
    const builds = await buildModels(names, tmp, say);
    const site = path.join(tmp, "site");
    await buildWebExample(site);
    const server = await serveStatic(site, builds);
    const browser = await launchChromium();
    try {
      for (const name of names) rows.push(await measureModel(browser, server.url, name, builds[name]!, runs, say));
    } finally {
      await browser.close();
      await server.close();
    }
    const date = new Date().toISOString();
    const machine = machineInfo();
    const chromium = execFileSync("/usr/bin/chromium", ["--version"]).toString().trim();
    const dir = values.results ?? path.join(ROOT, "bench/results");
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `browser-${date.slice(0, 10)}-${os.hostname()}`);
    await writeFileAtomic(`${file}.json`, JSON.stringify({ date, machine, chromium, runs, rows }, null, 2) + "\n");
    const md = browserMarkdown(date, machine, chromium, runs, rows);
    await writeFileAtomic(`${file}.md`, md);
    process.stdout.write(md + `\n→ ${file}.md\n`);
  } finally {
    await releaseCurves();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
