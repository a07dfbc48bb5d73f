/**
 * What a hostile file must not do (docs/CIRCUIT.md, threat model): names in an ONNX file never
 * become code; the commitment hides the input and binds its layout; `zkml verify` checks every
 * field of a proof file it reports.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  checkCircuit,
  commitInference,
  compileModel,
  computeContext,
  compileSolidity,
  FIELD_R,
  importOnnxFile,
  InferenceProver,
  isZkmlError,
  readInputFile,
  releaseCurves,
  verifyProofFile,
  type ProofFile,
} from "../src/index.js";
import { exportSnarkVerifier, generateVerifierSources } from "../verifier/solidity.js";
import { runCircom } from "../circuits/circom.js";
import { checkConstraints, symbolNames } from "../circuits/constraint_check.js";
import { circuitInput } from "../core/circuit_input.js";
import { quantizeInput } from "../core/qmodel.js";
import { parseR1cs, parseWtns } from "../core/r1cs.js";
import { WitnessGenerator } from "../prover/witness.js";
import { FILES } from "../core/build_files.js";
import { FIELD_Q } from "../core/field.js";
import { mulberry32, rawModel, type RawNode } from "./helpers/models.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-trust-"));
});
afterAll(async () => {
  await releaseCurves();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A name that would close a `//` comment, a template and a string, and colour a terminal. */
const EVIL = '"\n}\ntemplate Evil() { signal input a; signal output b; b <-- a; }\n/* */ */ \u001b[31mRED\u001b[0m\r\u2028x';

function tinyModel(name: (k: string) => string): Uint8Array {
  const rand = mulberry32(5);
  const u = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
  const nodes: RawNode[] = [
    { op: "Gemm", inputs: ["input", "w1", "b1"], outputs: ["h"], attrs: { transB: 1 }, name: name("gemm1") },
    { op: "Relu", inputs: ["h"], outputs: ["r"], name: name("relu") },
    { op: "Gemm", inputs: ["r", "w2", "b2"], outputs: ["y"], attrs: { transB: 1 }, name: name("gemm2") },
  ];
  return rawModel({
    inputShape: [1, 4],
    outputShape: [1, 3],
    nodes,
    initializers: [
      { name: "w1", dims: [5, 4], values: u(20) },
      { name: "b1", dims: [5], values: u(5) },
      { name: "w2", dims: [3, 5], values: u(15) },
      { name: "b2", dims: [3], values: u(3) },
    ],
  });
}

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
const withoutComments = (src: string) =>
  src
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trimEnd())
    .filter((l) => l !== "")
    .join("\n");

describe("names from an ONNX file never become code", () => {
  it("a model whose node and file names carry newlines, comment ends, quotes, template code and ANSI escapes compiles to the same r1cs", async () => {
    const plainFile = path.join(work, "plain.onnx");
    const evilFile = path.join(work, `evil${EVIL.replace(/\//g, "|")}.onnx`);
    await writeFile(
      plainFile,
      tinyModel((k) => k),
    );
    await writeFile(
      evilFile,
      tinyModel((k) => `${k}${EVIL}`),
    );
    const plain = await compileModel(plainFile, { outDir: path.join(work, "plain") });
    const evil = await compileModel(evilFile, { outDir: path.join(work, "evil") });
    expect(evil.model.layers.map((l) => l.node).join("")).toContain("template Evil");
    expect(await sha256(path.join(evil.outDir, FILES.r1cs))).toBe(await sha256(path.join(plain.outDir, FILES.r1cs)));
    const evilSrc = await readFile(path.join(evil.outDir, FILES.circom), "utf8");
    const plainSrc = await readFile(path.join(plain.outDir, FILES.circom), "utf8");
    // Apart from comments, the two circuits are the same text; no control character survives.
    expect(withoutComments(evilSrc)).toBe(withoutComments(plainSrc));
    expect(evilSrc).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(evilSrc).not.toMatch(/\/\*|\*\//);
  }, 120_000);

  it("the Solidity verifier and wrapper carry a hostile model name only as an inert comment and identifier", async () => {
    const mnistDir = inject("mnistDir");
    const modelId = "0x" + "ab".repeat(32);
    const g = await generateVerifierSources(path.join(mnistDir, FILES.zkey), EVIL, modelId, { system: "groth16" });
    const main = g.sources[g.mainFile]!;
    expect(main).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\uffff]/);
    expect(withoutComments(main)).not.toMatch(/Evil\(|RED|<--/);
    expect(g.mainContract).toMatch(/^[A-Za-z0-9_]+$/);
    const c = await compileSolidity(g.sources, g.mainFile, g.mainContract);
    expect(c.bytecode.length).toBeGreaterThan(1000);
    // Filled from the key setup holds, the snarkjs verifier is the one snarkjs exports from the zkey.
    const vk = JSON.parse(await readFile(path.join(mnistDir, FILES.vkey), "utf8"));
    const zkey = path.join(mnistDir, FILES.zkey);
    expect(await exportSnarkVerifier("groth16", zkey, "V", vk)).toBe(await exportSnarkVerifier("groth16", zkey, "V"));
    // A model id or commitment that is not what it claims to be is refused, not pasted in.
    await expect(generateVerifierSources(path.join(mnistDir, FILES.zkey), "m", "0x1) {} function x() {}", { system: "groth16" })).rejects.toMatchObject({
      code: "BAD_MODEL",
    });
    await expect(
      generateVerifierSources(path.join(mnistDir, FILES.zkey), "m", modelId, { system: "groth16", modelCommitment: "1; uint x" }),
    ).rejects.toMatchObject({
      code: "BAD_MODEL",
    });
  }, 120_000);

  it("an error naming a hostile node is one line without control characters", async () => {
    const file = path.join(work, "refused.onnx");
    await writeFile(
      file,
      rawModel({
        inputShape: [1, 4],
        outputShape: [1, 4],
        nodes: [{ op: "Hardmax", inputs: ["input"], outputs: ["y"], name: `hardmax${EVIL}` }],
        initializers: [],
      }),
    );
    const e = await importOnnxFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isZkmlError(e)).toBe(true);
    const err = e as Error & { oneLine(): string };
    expect(err.message).toContain("template Evil");
    expect(err.oneLine()).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
  });
});

describe("a build names its model by content, and its sources by relative paths", () => {
  it("renaming the ONNX file keeps the model id; the manifest holds no absolute path", async () => {
    const { copyFile } = await import("node:fs/promises");
    const renamed = path.join(work, "renamed-model.onnx");
    await copyFile("examples/tiny-mlp/tiny-mlp.onnx", renamed);
    const calibration = "examples/tiny-mlp/calibration.json";
    const a = await compileModel("examples/tiny-mlp/tiny-mlp.onnx", { outDir: path.join(work, "id-a"), calibrationFile: calibration, fidelity: false });
    const b = await compileModel(renamed, { outDir: path.join(work, "id-b"), calibrationFile: calibration, fidelity: false });
    expect([a.model.name, b.model.name]).toEqual(["tiny-mlp", "renamed-model"]);
    expect(b.info.modelId).toBe(a.info.modelId);
    const manifest = JSON.parse(await readFile(path.join(work, "id-b", "manifest.json"), "utf8"));
    expect(manifest.model.source).toBe("../renamed-model.onnx");
    expect(path.isAbsolute(manifest.stages.compile.info.calibration)).toBe(false);
    expect(path.resolve(work, "id-b", manifest.stages.compile.info.calibration)).toBe(path.resolve(calibration));
  });
});

describe("the commitment hides the input and binds its layout", () => {
  const layout = { inputSize: 3, inputBits: 8, outputSize: 2, outputBits: 19 };
  it("depends on the blinding, on where the input ends and on trailing -128 values", async () => {
    const x = [5n, -7n, 100n];
    const y = [12345n, -3n];
    const c = await commitInference(x, y, layout, 1n);
    expect(await commitInference(x, y, layout, 2n)).not.toBe(c);
    // Moving an element from the input to the output, or appending a -128 (which packs to 0).
    const moved = await commitInference([5n, -7n], [100n, 12345n, -3n], { ...layout, inputSize: 2, outputSize: 3 }, 1n);
    expect(moved).not.toBe(c);
    const padded = await commitInference([...x, -128n], y, { ...layout, inputSize: 4 }, 1n);
    expect(padded).not.toBe(c);
    await expect(commitInference([...x, -128n], y, layout, 1n)).rejects.toThrow(RangeError);
    await expect(commitInference(x, y, layout, FIELD_R)).rejects.toThrow(RangeError);
  });
});

const pi = (p: ProofFile) => p.proof as unknown as { pi_a: string[]; pi_c: string[] };

describe("zkml verify checks every field it reports", () => {
  let dir: string;
  let proof: ProofFile;
  beforeAll(async () => {
    dir = inject("mnistDir");
    const prover = await InferenceProver.open(dir);
    const params = { chainId: 31337n, contract: "0x" + "11".repeat(20), sender: "0x" + "22".repeat(20), nonce: 4n };
    proof = (await prover.prove(await readInputFile("examples/mnist/digits/digit-7.json"), { value: computeContext(params), ...params })).proof;
  });

  it("accepts the honest file", async () => {
    const v = await verifyProofFile(dir, structuredClone(proof));
    expect(v.problems).toEqual([]);
    expect(v.valid).toBe(true);
  });

  const cases: [string, (p: ProofFile) => void, string][] = [
    ["a trailing -128 on the input", (p) => p.input.values.push(-128), "input.values"],
    [
      "an input with no values and 17 outputs",
      (p) => {
        p.input.values = [];
        p.output.values = Array(17).fill(0);
      },
      "input.values",
    ],
    ["a replaced dequantized output", (p) => (p.output.dequantized[0] = 99), "output.dequantized"],
    ["a changed input scale", (p) => (p.input.frac += 1), "input.frac"],
    ["a changed output scale", (p) => (p.output.frac += 1), "output.frac"],
    ["a fake chain id beside the right context", (p) => (p.context.chainId = "11155111"), "context.chainId"],
    ["a fake sender beside the right context", (p) => (p.context.sender = "0x" + "33".repeat(20)), "context.chainId/contract/sender/nonce"],
    ["another context value", (p) => (p.context.value = "0x1"), "context.value"],
    ["another blinding", (p) => (p.blinding = "0x" + (BigInt(p.blinding) + 1n).toString(16)), "commitment"],
    ["another class", (p) => (p.output.class = (p.output.class + 1) % 10), "output.class"],
    ["a non-canonical public signal (signal + r)", (p) => (p.publicSignals[0] = String(BigInt(p.publicSignals[0]!) + FIELD_R)), "publicSignals"],
    ["an input value out of int8", (p) => (p.input.values[0] = 300), "input.values"],
    ["a non-integer output value", (p) => (p.output.values[0] = 0.5), "output.values"],
    ["another model name", (p) => (p.model.name = "other"), "model"],
    ["an older format", (p) => ((p as { format: string }).format = "zkml-proof/1"), "format"],
    // Off-chain valid must mean on-chain valid: snarkjs reduces a coordinate mod q and reads z,
    // the EVM refuses a word ≥ q and reads no z.
    ["pi_a[0] + q (the same point, non-canonical)", (p) => (pi(p).pi_a[0] = String(BigInt(pi(p).pi_a[0]!) + FIELD_Q)), "proof.pi_a.0"],
    ["a coordinate with a leading zero", (p) => (pi(p).pi_c[1] = "0" + pi(p).pi_c[1]), "proof.pi_c.1"],
    ["a projective z other than 1", (p) => (pi(p).pi_a[2] = "2"), "proof.pi_a.2"],
    ["another protocol", (p) => (p.proof.protocol = "plonk"), "proof.protocol"],
    ["another curve", (p) => (p.proof.curve = "bls12381"), "proof.curve"],
    ["a field the proof object does not have", (p) => (p.proof.extra = "1"), "proof.extra"],
    ["a field the proof file does not have", (p) => ((p as unknown as Record<string, unknown>).note = "trust me"), '"note"'],
    ["a field the context does not have", (p) => ((p.context as Record<string, unknown>).chain = "1"), 'context."chain"'],
  ];
  for (const [what, tamper, field] of cases) {
    it(`refuses ${what}, naming ${field}`, async () => {
      const p = structuredClone(proof);
      tamper(p);
      const v = await verifyProofFile(dir, p);
      expect(v.valid).toBe(false);
      expect(
        v.problems.some((x) => x.startsWith(field)),
        v.problems.join(" / "),
      ).toBe(true);
    });
  }
});

describe("zkml check: every wire is pinned", () => {
  it("passes the bundled MNIST model: no unused, unpinned or undetermined wire; public signals pinned", async () => {
    const r = await checkCircuit(inject("mnistDir"));
    expect(r.satisfied).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.publicPinned).toBe(true);
    expect(r.counts).toMatchObject({ unused: 0, undetermined: 0 });
    // Only circomlib IsZero inverses (free when the input is 0) are excepted.
    expect(new Set(r.excepted.map((e) => e.gadget))).toEqual(new Set(r.excepted.length ? ["circomlib IsZero"] : []));
    console.log(`MNIST check: ${r.wires} wires, ${r.constraints} constraints, ${r.counts.excepted} excepted, ${r.ms.toFixed(0)} ms`);
  });

  /** The tiny model's circuit with its class made an unconstrained hint, as the injection of a hostile name did. */
  async function hinted(edit: (src: string) => string) {
    const plainFile = path.join(work, "hint.onnx");
    await writeFile(
      plainFile,
      tinyModel((k) => k),
    );
    const c = await compileModel(plainFile, { outDir: path.join(work, "hint-honest") });
    const src = edit(await readFile(path.join(c.outDir, FILES.circom), "utf8"));
    const dir = path.join(work, `hint-${randomUUID()}`);
    await mkdir(dir);
    await writeFile(path.join(dir, "circuit.circom"), src);
    await runCircom(path.join(dir, "circuit.circom"), dir, { optimize: "O2" });
    const gen = await WitnessGenerator.load(path.join(dir, "circuit_js", "circuit.wasm"));
    const q = quantizeInput(c.model, [0.5, -0.25, 0.1, 0.9]);
    const w = parseWtns(await gen.compute(circuitInput(c.model, q, 77n, 5n)));
    const r1cs = parseR1cs(await readFile(path.join(dir, "circuit.r1cs")));
    return checkConstraints(r1cs, w, symbolNames(await readFile(path.join(dir, "circuit.sym"), "utf8")));
  }

  it("catches a class that is an unconstrained hint (the backdoor a hostile node name injected before names were made inert)", async () => {
    const honest = await hinted((s) => s);
    expect(honest.problems).toEqual([]);
    const r = await hinted((s) => {
      expect(s).toContain("binding.cls <== argmax.idx;");
      return s.replace("binding.cls <== argmax.idx;", "signal hint;\n    hint <-- argmax.idx;\n    binding.cls <== hint;");
    });
    expect(r.satisfied).toBe(true);
    expect(r.publicPinned).toBe(false);
    expect(r.problems.map((p) => p.name)).toContain("main.classContext");
  }, 120_000);

  it("catches a wire that no constraint uses", async () => {
    const r = await hinted((s) =>
      s.replace(
        "    commitment <== hash.out;",
        "    commitment <== hash.out;\n    signal loose;\n    loose <-- ctx + 1;\n    signal output echo;\n    echo <-- ctx;",
      ),
    );
    expect(r.publicPinned).toBe(false);
    expect(r.problems.some((p) => p.name === "main.echo")).toBe(true);
  }, 120_000);
});

describe("bad input: a one-line refusal that states the limit, before anything is allocated", () => {
  const conv = (attrs: Record<string, number | number[]>, op = "MaxPool"): Uint8Array =>
    rawModel({
      inputShape: [1, 1, 4, 4],
      outputShape: [1, 1, 2, 2],
      nodes: [{ op, inputs: ["input"], outputs: ["y"], attrs: { kernel_shape: [2, 2], ...attrs } }],
      initializers: [],
    });
  const refusal = async (bytes: Uint8Array) => {
    const { importOnnx } = await import("../circuits/onnx/import.js");
    try {
      importOnnx(bytes, "m");
    } catch (e) {
      expect(isZkmlError(e), (e as Error).stack).toBe(true);
      expect((e as Error).message).not.toContain("\n");
      return e as Error & { code: string };
    }
    throw new Error("accepted");
  };

  it("MaxPool strides [0, 0], a kernel of 10^9, and pads as large as the kernel with count_include_pad=0", async () => {
    expect((await refusal(conv({ strides: [0, 0] }))).message).toMatch(/strides \[0,0\] must be whole numbers from 1 to 4096/);
    expect((await refusal(conv({ kernel_shape: [1e9, 2] }))).message).toMatch(/kernel/);
    const avg = await refusal(conv({ pads: [2, 2, 2, 2], count_include_pad: 0 }, "AveragePool"));
    expect(avg.code).toBe("BAD_MODEL");
    expect(avg.message).toMatch(/no cell/);
  });

  it("input dims of 0, -1, 10^9 and 2^53; tensors claiming 2^60 values; truncated raw_data", async () => {
    for (const d of [0, -1])
      expect(
        (await refusal(rawModel({ inputShape: [1, d], outputShape: [1, 4], nodes: [{ op: "Relu", inputs: ["input"], outputs: ["y"] }], initializers: [] })))
          .message,
      ).toMatch(/not a positive size/);
    for (const d of [1e9, 2 ** 53])
      expect(
        (await refusal(rawModel({ inputShape: [1, d], outputShape: [1, 4], nodes: [{ op: "Relu", inputs: ["input"], outputs: ["y"] }], initializers: [] })))
          .message,
      ).toMatch(/limit|not a positive size/);
    const huge = rawModel({
      inputShape: [1, 4],
      outputShape: [1, 4],
      nodes: [{ op: "Add", inputs: ["input", "c"], outputs: ["y"] }],
      initializers: [{ name: "c", dims: [4], values: [1, 2, 3, 4] }],
    });
    const { onnx } = (await import("onnx-proto")).default;
    const m = onnx.ModelProto.decode(huge);
    m.graph!.initializer![0]!.dims = [2 ** 30, 2 ** 30];
    expect((await refusal(onnx.ModelProto.encode(m).finish())).message).toMatch(/zkml's limit per tensor/);
    const t = onnx.ModelProto.decode(huge);
    t.graph!.initializer![0]!.rawData = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer).slice(0, 13);
    t.graph!.initializer![0]!.floatData = [];
    expect((await refusal(onnx.ModelProto.encode(t).finish())).message).toMatch(/raw_data has 13 bytes/);
  });

  it("a 200,000-deep input JSON and a ragged or wrongly nested input", async () => {
    const { inputValues } = await import("../core/input.js");
    let deep: unknown = [1];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => inputValues({ input: deep }, "deep.json")).toThrow(/deeper than 16 levels/);
    expect(() => inputValues({ input: [[1, 2], [3]] }, "ragged.json", [[1, 3]])).toThrow(/nested as \[ragged\]/);
    expect(() =>
      inputValues(
        {
          input: [
            [1, 2],
            [3, 4],
          ],
        },
        "shape.json",
        [[1, 4]],
      ),
    ).toThrow(/nested as \[2,2\], the model takes \[1, 4\]/);
    expect(inputValues({ input: [[1, 2, 3, 4]] }, "ok.json", [[1, 4]])).toEqual([1, 2, 3, 4]);
    expect(inputValues({ input: [1, 2, 3, 4] }, "flat.json", [[1, 2, 2]])).toEqual([1, 2, 3, 4]);
  });

  it("bitsForBound is exact at 2^49..2^52 (log2 made them one bit short)", async () => {
    const { bitsForBound } = await import("../circuits/quantize.js");
    for (let k = 1; k <= 52; k++) {
      const b = 2 ** k;
      expect(bitsForBound(b)).toBe(k + 2); // 2^k needs k + 1 magnitude bits and a sign
      expect(bitsForBound(b - 1)).toBe(k + 1);
    }
  });

  it("Ctrl-C during circom leaves no partial build folder", async () => {
    const { spawn } = await import("node:child_process");
    const out = path.join(work, "interrupted");
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "compile", "examples/mnist/mnist-mlp.onnx", "--out", out], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (/circom2: compiling/.test(stderr)) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(work)).filter((f) => f.startsWith("interrupted"))).toEqual([]);
  }, 120_000);
});

describe("development keys stay off public chains", () => {
  it("keys are told by their points: the official ceremony's α·G1 in a verifier's bytecode, or in its verification key", async () => {
    const { bytecodeFromCeremony, keyFromCeremony } = await import("../core/ceremony.js");
    const dir = inject("mnistDir");
    const contracts = path.join(dir, FILES.contractsDir);
    const { readdir } = await import("node:fs/promises");
    const name = (await readdir(contracts)).find((f) => f.startsWith("Groth16Verifier_"))!;
    const source = await readFile(path.join(contracts, name), "utf8");
    const dev = await compileSolidity({ [name]: source }, name, name.replace(/\.sol$/, ""));
    expect(bytecodeFromCeremony(dev.bytecode)).toBe(false);
    // The same template with the ceremony's α (as every key on the official ptau has it): solc
    // writes each coordinate as a PUSH32, which is what the check reads.
    const hermez = source
      .replace(/(uint256 constant alphax\s*=\s*)\d+/, (_, lhs: string) => lhs + "20491192805390485299153009773594534940189261866228447918068658471970481763042")
      .replace(/(uint256 constant alphay\s*=\s*)\d+/, (_, lhs: string) => lhs + "9383485363053290200918347156157836566562967994039712273449902621266178545958");
    expect(hermez).not.toBe(source);
    const official = await compileSolidity({ [name]: hermez }, name, name.replace(/\.sol$/, ""));
    expect(bytecodeFromCeremony(official.bytecode)).toBe(true);
    const vk = JSON.parse(await readFile(path.join(dir, FILES.vkey), "utf8"));
    expect(keyFromCeremony(vk)).toBe(false);
    expect(keyFromCeremony({ protocol: "groth16" })).toBe(false);
  }, 120_000);

  it("deploy and register refuse them on chain 11155111 unless allowed, then warn and record it", async () => {
    const { connectInProcessChain, deployVerifier, deployRegistry, deployAndRegister, readModel, readVerifierArtifact, registerModel, registrationFor } =
      await import("../src/index.js");
    const { Contract } = await import("ethers");
    const dir = inject("mnistDir");
    const sepolia = await connectInProcessChain({ chainId: 11155111 });
    const local = await connectInProcessChain();
    try {
      expect(sepolia.chainId).toBe(11155111n);
      const artifact = await readVerifierArtifact(dir);
      expect(artifact.devKeys).toBe(true);
      await expect(deployVerifier(sepolia.signer, artifact)).rejects.toMatchObject({
        code: "CHAIN",
        message: expect.stringMatching(/development keys.*11155111/),
      });
      const forced = await deployVerifier(sepolia.signer, artifact, { allowDevKeys: true });
      expect(forced.warnings?.[0]).toMatch(/DEVELOPMENT keys on chain 11155111/);
      expect(await new Contract(forced.address, artifact.abi, sepolia.provider).getFunction("DEVELOPMENT_KEYS")()).toBe(true);
      // The registry itself has no keys; registering the model's development keys is refused.
      const registry = (await deployRegistry(sepolia.signer)).address;
      await expect(deployAndRegister(sepolia.signer, registry, dir)).rejects.toMatchObject({ code: "CHAIN" });
      const reg = await deployAndRegister(sepolia.signer, registry, dir, "", { allowDevKeys: true });
      expect(reg.warnings?.length).toBe(2);
      expect((await readModel(sepolia.provider, registry, reg.modelId))!.devKeys).toBe(true);
      // A local chain takes them without a word.
      const d = await deployVerifier(local.signer, artifact);
      expect(d.warnings).toBeUndefined();
      // The JSON flag is not the judge: the code carries no ceremony points, so a "devKeys: false"
      // artifact is refused all the same, and the SDK's registration records what the deployed code is.
      await expect(deployVerifier(sepolia.signer, { ...artifact, devKeys: false })).rejects.toMatchObject({ code: "CHAIN" });
      const bare = await readVerifierArtifact(dir, "snark");
      const verifier = (await deployVerifier(sepolia.signer, bare, { allowDevKeys: true })).address;
      const claim = { ...(await registrationFor(dir, verifier, "lying")), devKeys: false };
      await expect(registerModel(sepolia.signer, registry, claim)).rejects.toMatchObject({ code: "CHAIN" });
      const recorded = await registerModel(sepolia.signer, registry, claim, { allowDevKeys: true });
      expect((await readModel(sepolia.provider, registry, recorded.modelId))!.devKeys).toBe(true);
    } finally {
      await sepolia.close();
      await local.close();
    }
  }, 120_000);
});
