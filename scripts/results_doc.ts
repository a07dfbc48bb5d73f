/**
 * docs/RESULTS.md, made from the benches' own JSON (bench/results/): one table of current
 * figures, each with the machine and date it was measured on, so no figure is typed twice or
 * outlives the run that measured it. Each bench has one row maker here; the newest file of a
 * bench wins. Usage: node --import tsx scripts/results_doc.ts [--check]   (--check: exit 1
 * when the doc is not what the JSON makes)
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeOrCheckDoc } from "./generated_doc.js";

// biome-ignore lint/suspicious/noExplicitAny: bench JSON of many shapes, read by the one maker that knows each
type Json = any;
type Row = [what: string, measured: string];

interface ResultSource {
  /** The bench's files: `<name>-YYYY-MM-DD…json` (the empty name: `zkml bench`'s `YYYY-MM-DD-<machine>.json`). */
  name: string;
  /** The command that writes them. */
  command: string;
  rows(j: Json): Row[];
}

const n = (v: number): string => Math.round(v).toLocaleString("en-US");
const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
const med = (s: { median: number }): string => ms(s.median);
const ratio = (v: number): string => `${v.toFixed(2)}×`;
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const list = (vs: number[]): string => vs.map(ms).join(" / ");

/** One `zkml bench` cell: a model under one system and weights mode. */
function cellRow(c: Json, label = `${c.model}, ${c.system}${c.weights === "private" ? ", private weights" : ""}`): Row {
  return [
    label,
    `${n(c.constraints)} constraints; warm prove ${med(c.warm.proveMs)} (witness ${med(c.warm.witnessMs)}); cold \`zkml prove\` ${med(c.cold.wallMs)}, ${n(c.cold.peakRssMb)} MB; ` +
      `proof ${n(c.proofBytes)} B; verifyInference ${n(c.gas.verifyInferenceFreshWord)} gas (fresh nonce word) / ${n(c.gas.verifyInferenceSameWord)} (in use); bare verifyProof ${n(c.gas.verifyProof)}`,
  ];
}

/** A model-family bench: its cell and its agreement with onnxruntime. */
function familyRows(j: Json): Row[] {
  const f = j.fidelity;
  return [
    cellRow(j.cell, j.model),
    [
      `${j.cell.model}: agreement with the float model`,
      `${f.inputs} inputs: argmax ${pct(f.argmaxAgreement)}, max |err| ${f.maxAbsError.toPrecision(3)} (output range ${f.outputRange.toPrecision(3)})`,
    ],
  ];
}

/** A LeNet-size scale run. */
function lenetRows(j: Json): Row[] {
  const fid = j.fidelity ? `; argmax agreement ${pct(j.fidelity.argmaxAgreement)}, mean |err| ${j.fidelity.outputMeanAbsError.toPrecision(3)}` : "";
  return [
    [
      j.model,
      `${n(j.constraints)} constraints (2^${j.ptauPower}); compile ${ms(j.compileMs)}; setup ${ms(j.setupMs)}; prove ${list(j.proveMs)}; peak RSS ${n(j.peakRssMb)} MB${fid}`,
    ],
  ];
}

function systemRows(j: Json): Row[] {
  const g = j.gas;
  return [
    [
      `${j.model} with ${j.system}`,
      `${n(j.plonkGates)} gates (2^${j.ptauPower}); keys ${ms(j.setupMs.keys)}; prove ${list(j.proveMs)}; peak RSS ${n(j.peakRssMb)} MB; proof ${j.proofBytes} B; ` +
        `bare verifyProof ${n(g.bareVerifyProof)} gas, verifyInference ${n(g.wrapperVerifyInference)}, registry ${n(g.registryVerifyInferenceSlotInUse)} (slot in use) / ${n(g.registryVerifyInferenceFreshSlot)} (fresh)`,
    ],
  ];
}

function serviceRows(j: Json, curve: string): Row[] {
  const perMin = j.proofs.map((p: Json) => `${p.perMinute.toFixed(1)} with ${p.workers} worker${p.workers > 1 ? "s" : ""}`).join(", ");
  const p50 = j.proofs.map((p: Json) => ms(p.latencyMs.p50)).join(" / ");
  return [
    [
      `service, ${j.model.name ?? j.model}, ${j.clients} clients, ${curve} curve backend`,
      `proofs/min: ${perMin}; p50 latency ${p50}; one warm process without the queue ${j.direct.proofsPerMinute.toFixed(1)}/min`,
    ],
    [
      `service: no-op jobs through HTTP, the API and Redis (${curve})`,
      `${n(j.noop.perMinute)} jobs/min, client p50 ${ms(j.noop.latencyMs.p50)}; the API's re-check of a proof ${ms(j.apiCheckMs)}`,
    ],
  ];
}

function profileRows(j: Json): Row[] {
  const c = j.comparison;
  return [
    [
      `warm prove of ${j.model}: zkml's Groth16 prover vs snarkjs (WebAssembly, interleaved)`,
      `${med(c.zkmlWarmMs)} vs ${med(c.snarkjsMs)} (${ratio(c.ratio)}); key parsed once in ${ms(c.keyParseMs)}`,
    ],
  ];
}

function nativeRows(j: Json): Row[] {
  const msm = j.msm.map((m: Json) => `${m.msm}: ${ratio(m.ratio)}`).join("; ");
  const larger = j.larger.map(
    (l: Json) =>
      `${l.model}: keys ${ms(l.directKeysMs.native)} vs ${ms(l.directKeysMs.wasm)} (${ratio(l.keysRatio)}), prove ${ms(l.proveMs.native)} vs ${ms(l.proveMs.wasm)} (${ratio(l.proveRatio)})`,
  );
  return [
    [
      `native curve backend vs WebAssembly, warm ${j.model} prove`,
      `${med(j.prove.native)} vs ${med(j.prove.wasm)} (${ratio(j.prove.ratio)} faster), same public signals, verified`,
    ],
    ...(j.verify
      ? [
          [
            `native vs WebAssembly Groth16 verification of a ${j.model} proof`,
            `${j.verify.native.median.toFixed(1)} ms vs ${j.verify.wasm.median.toFixed(1)} ms (${ratio(j.verify.ratio)} faster), both accept`,
          ] as Row,
        ]
      : []),
    [`native vs WebAssembly MSMs (${j.threads} threads)`, msm],
    [`native vs WebAssembly direct development keys`, `${j.model} ${ms(j.directKeysMs.native)} vs ${ms(j.directKeysMs.wasm)}; ${larger.join("; ")}`],
  ];
}

function batchRows(j: Json): Row[] {
  const per = j.rows.map((r: Json) => `${r.k}: ${n(r.wrapperGas / r.k)}`).join(" · ");
  return [
    [
      `Groth16 verifyInferences, gas a proof by batch size k`,
      `${per}; fit ${n(j.fit.wrapper.a)} + ${n(j.fit.wrapper.b)}·k; largest k under the 16.78M transaction cap ${j.largestK.wrapperUnderTxCap} (registry ${j.largestK.registryUnderTxCap})`,
    ],
  ];
}

function browserRows(j: Json): Row[] {
  return j.rows.map(
    (r: Json): Row => [
      `${r.model} in Chromium vs Node (${n(r.constraints)} constraints)`,
      `warm prove ${ms(r.browser.warmProveMs)} vs ${ms(r.node.warmProveMs)} (${ratio(r.browser.warmProveMs / r.node.warmProveMs)}); the page's first proof ${ms(r.browser.firstTotalMs)}; renderer peak RSS ${n(r.browser.peakRendererRssMB)} MB`,
    ],
  );
}

function setupRows(j: Json): Row[] {
  return j.rows.map(
    (r: Json): Row => [
      `Groth16 setup of ${r.model}: direct development keys vs \`zkey new\` + contribution`,
      `${ms(r.directMs)} vs ${ms(r.ceremonyMs)} (${ratio(r.ceremonyMs / r.directMs)} faster)`,
    ],
  );
}

function startupRows(j: Json): Row[] {
  const s = j.stats;
  return [
    ["`zkml --help`, cold process", `${med(s["help compiled"])} compiled, ${med(s["help tsx"])} through tsx`],
    [
      "`zkml prove` MNIST MLP, cold process",
      `${med(s["prove compiled"])} compiled, ${med(s["prove tsx"])} through tsx; in a warm process ${med(s["prove in-process, warm"])}`,
    ],
  ];
}

function coldRows(j: Json): Row[] {
  const s = j.stats;
  const vs = (a: string, b: string, label: string): Row[] =>
    s[a] && s[b] ? [[`cold \`${a}\` (tiny MLP) vs ${label}, process CPU`, `${med(s[a])} vs ${med(s[b])} (${ratio(s[a].median / s[b].median)})`]] : [];
  return [
    ...vs("zkml prove", "EZKL engine prove", "EZKL's engine proving its test model"),
    ...vs("zkml verify", "snarkjs groth16 verify", "`snarkjs groth16 verify`"),
    ...vs("zkml setup", "EZKL engine keygen", "EZKL's engine making its keys (no verifier contract)"),
  ];
}

function dataStatementRows(j: Json): Row[] {
  const sizes = [...new Set(j.rows.map((r: Json) => r.n))] as number[];
  const rows = sizes.map((size): Row => {
    const p = j.rows.find((r: Json) => r.n === size && r.mode === "private");
    const h = j.rows.find((r: Json) => r.n === size && r.mode === "hashed");
    return [
      `${size} input values hashed instead of private`,
      `${n(p.constraints)} → ${n(h.constraints)} constraints; warm prove ${ms(p.proveMs)} → ${ms(h.proveMs)}; the statement rebuilt on-chain ${n(h.statementGas)} gas`,
    ];
  });
  return [...rows, ["ZkmlData.quantize, gas a value", n(j.quantizeGasPerValue)]];
}

function benchRows(j: Json): Row[] {
  return j.cells.map((c: Json) => cellRow(c));
}

export const RESULT_SOURCES: readonly ResultSource[] = [
  { name: "", command: "npx zkml bench", rows: benchRows },
  { name: "mnist-plonk", command: "node --import tsx bench/systems_report.ts", rows: systemRows },
  { name: "mnist-fflonk", command: "node --import tsx bench/systems_report.ts", rows: systemRows },
  { name: "native", command: "npm run bench:native", rows: nativeRows },
  { name: "prove-profile-mnist", command: "npm run bench:prove-profile", rows: profileRows },
  { name: "prove-profile-lenet5sq", command: "npm run bench:prove-profile", rows: profileRows },
  { name: "setup", command: "npm run bench:setup", rows: setupRows },
  { name: "lenet5", command: "npm run bench:lenet", rows: lenetRows },
  { name: "lenet5sq", command: "npm run bench:lenet -- --square", rows: lenetRows },
  { name: "lenet5sq-unfused", command: "npm run bench:lenet -- --square --no-fuse", rows: lenetRows },
  { name: "appraisal-gbt", command: "npm run bench:trees", rows: familyRows },
  { name: "lstm", command: "npm run bench:lstm", rows: familyRows },
  { name: "tiny-transformer", command: "npm run bench:transformer", rows: familyRows },
  { name: "data-statement", command: "npm run bench:data-statement", rows: dataStatementRows },
  { name: "batch", command: "npm run bench:batch", rows: batchRows },
  { name: "service-native", command: "npx zkml bench service --workers 1", rows: (j) => serviceRows(j, "native") },
  { name: "service-wasm", command: "npx zkml bench service --workers 1 --backend wasm", rows: (j) => serviceRows(j, "WebAssembly") },
  { name: "service", command: "npx zkml bench service --backend wasm", rows: (j) => serviceRows(j, "WebAssembly") },
  { name: "browser", command: "npm run bench:browser", rows: browserRows },
  { name: "startup", command: "npm run build && npm run bench:startup", rows: startupRows },
  { name: "cold", command: "npm run build && npm run bench:cold -- --ezkl DIR", rows: coldRows },
];

const DATE = /^(\d{4}-\d{2}-\d{2})/;

/** The newest result file of a bench (the name must be followed by the date, so `lenet5` is not `lenet5sq`). */
export function newestFile(files: readonly string[], name: string): string | undefined {
  const prefix = name ? `${name}-` : "";
  const dated = files.filter((f) => f.endsWith(".json") && f.startsWith(prefix) && DATE.test(f.slice(prefix.length)));
  return dated.sort((a, b) => a.slice(prefix.length).localeCompare(b.slice(prefix.length))).at(-1);
}

function machineOf(j: Json, file: string): string {
  const m = j.machine ?? {};
  const date = String(j.date ?? j.at ?? file.match(/(\d{4}-\d{2}-\d{2})/)?.[1] ?? "").slice(0, 10);
  return `${m.cpu ?? "?"}, ${m.cores ?? "?"} cores, Node ${String(m.node ?? "?").replace(/^v/, "")}; ${date}`;
}

const cell = (s: string): string => s.replaceAll("|", "\\|");

/** The whole of docs/RESULTS.md, from the files in `dir`. */
export function resultsMarkdown(dir: string): string {
  const files = readdirSync(dir);
  const lines = [
    "# Measured results",
    "",
    "<!-- generated by scripts/results_doc.ts from bench/results/*.json: do not edit by hand (npm run docs:results) -->",
    "",
    "The newest run of each bench, every figure as its JSON holds it, with the machine and date it was",
    "measured on. How each is measured, and the tables behind these lines: [BENCHMARKS.md](BENCHMARKS.md).",
    "Timings are medians of warm runs unless a list of single runs is given; gas is a transaction's `gasUsed`.",
    "",
    "| what | measured | machine, date | from |",
    "|---|---|---|---|",
  ];
  for (const source of RESULT_SOURCES) {
    const file = newestFile(files, source.name);
    if (!file) throw new Error(`bench/results has no ${source.name || "zkml bench"} result (${source.command})`);
    const j = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
    for (const [what, measured] of source.rows(j))
      lines.push(`| ${cell(what)} | ${cell(measured)} | ${machineOf(j, file)} | \`${source.command}\`, [${file}](../bench/results/${file}) |`);
  }
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.join(import.meta.dirname, "..");
  writeOrCheckDoc(path.join(root, "docs", "RESULTS.md"), resultsMarkdown(path.join(root, "bench", "results")), "npm run docs:results");
}
