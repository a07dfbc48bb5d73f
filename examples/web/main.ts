/**
 * The web dApp: draw a digit, prove its class in the browser, submit the proof to the model's
 * verifier contract. Query parameters: build (the build folder's URL, default ./model/),
 * address (the verifier contract), rpc (a JSON-RPC node when no wallet is injected; default
 * http://127.0.0.1:8545).
 */
import type { Signer } from "ethers";
import { BrowserProver, contextFor, submitInference, type BrowserProveResult } from "../../browser/index.js";
import { $, connect as connectTo, errorText, params, status } from "./page.js";

const SIDE = 28;
const SCALE = 10;
/** Fixed when the page was built for one deployment (examples/web/server.ts WebPins). */
declare const __ZKML_PINS__: { manifestSha256?: string; verifier?: string };
const pins = __ZKML_PINS__;
const buildUrl = new URL(params.get("build") ?? "./model/", location.href).href;
const requested = params.get("address");
// A pinned page takes no other verifier from its URL (refused below, before anything loads).
const addressRefused = pins.verifier !== undefined && requested !== null && requested.toLowerCase() !== pins.verifier.toLowerCase();
const address = pins.verifier ?? requested;
const rpc = params.get("rpc") ?? "http://127.0.0.1:8545";

const pad = $<HTMLCanvasElement>("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true })!;

function clearPad() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  $("class").textContent = "–";
}

/** 28×28 values in [0, 1], each the mean of its 10×10 block (as MNIST: white ink on black). */
function pixels(): number[] {
  const img = ctx.getImageData(0, 0, SIDE * SCALE, SIDE * SCALE).data;
  const out: number[] = [];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let sum = 0;
      for (let dy = 0; dy < SCALE; dy++) for (let dx = 0; dx < SCALE; dx++) sum += img[((y * SCALE + dy) * SIDE * SCALE + x * SCALE + dx) * 4]!;
      out.push(sum / (SCALE * SCALE) / 255);
    }
  }
  return out;
}

let drawing = false;
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 22;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(e.offsetX, e.offsetY);
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  ctx.lineTo(e.offsetX, e.offsetY);
  ctx.stroke();
});
addEventListener("pointerup", () => (drawing = false));
$("clear").addEventListener("click", clearPad);
clearPad();

const connect = () => connectTo(rpc);

let prover: BrowserProver | undefined;
let signer: Signer | undefined;
let last: { result: BrowserProveResult; nonce: bigint } | undefined;

async function onProve() {
  if (!prover) return;
  $<HTMLButtonElement>("prove").disabled = true;
  $<HTMLButtonElement>("submit").disabled = true;
  try {
    const input = pixels();
    $("pad").dataset.input = JSON.stringify(input);
    let context = { value: 0n } as Parameters<BrowserProver["prove"]>[1];
    let nonce = 0n;
    if (address && signer) {
      // A fresh nonce: the proof can be submitted once, by this account, to this contract.
      nonce = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
      const chainId = (await signer.provider!.getNetwork()).chainId;
      context = contextFor(chainId, address, await signer.getAddress(), nonce);
    }
    const result = await prover.prove(input, context, (stage) => status(`${stage}…`));
    last = { result, nonce };
    const t = result.timingsMs;
    $("class").textContent = String(result.proof.output.class);
    $("timings").textContent = `witness ${t.witness.toFixed(0)} ms, prove ${t.prove.toFixed(0)} ms, total ${t.total.toFixed(0)} ms`;
    $("verified").textContent = result.verified ? "valid" : "INVALID";
    $("verified").dataset.proof = JSON.stringify(result.proof);
    status(result.verified ? "proved: submit it, or draw another" : "the proof did not verify", !result.verified);
    $<HTMLButtonElement>("submit").disabled = !(address && signer && result.verified);
  } catch (e) {
    status(errorText(e), true);
  } finally {
    $<HTMLButtonElement>("prove").disabled = false;
  }
}

async function onSubmit() {
  if (!last || !signer || !address || !prover) return;
  status("submitting…");
  try {
    const r = await submitInference(signer, address, prover.build.verifierAbi, last.result.proof, last.nonce);
    if (r.valid) {
      $("gas").textContent = r.gasUsed.toString();
      $("onchain").textContent = `InferenceVerified: class ${r.class} (tx ${r.txHash.slice(0, 10)}…)`;
      $("onchain").dataset.class = String(r.class);
      status("verified on-chain");
    } else {
      // The last accepted event stays shown; the rejection goes to the status line.
      $("status").dataset.reason = r.reason ?? "";
      status(`the contract rejected the proof: ${r.reason}`, true);
    }
  } catch (e) {
    status(errorText(e), true);
  }
}

$("prove").addEventListener("click", () => void onProve());
$("submit").addEventListener("click", () => void onSubmit());

(async () => {
  try {
    if (addressRefused) throw new Error(`this page is built for the verifier ${pins.verifier}: ?address=${requested} is refused`);
    const t0 = performance.now();
    prover = await BrowserProver.open(buildUrl, {
      ...(pins.manifestSha256 && { manifestSha256: pins.manifestSha256 }),
      onProgress: (file, loaded, total) =>
        status(`loading ${file.split("/").pop()}: ${(loaded / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ""} MB`),
    });
    const b = prover.build;
    $("model").textContent = `${b.model.name} (${b.system}${b.devKeys ? ", development keys" : ""}), loaded in ${(performance.now() - t0).toFixed(0)} ms`;
    $("model").dataset.loadMs = String(performance.now() - t0);
    // Unpinned, the build and the verifier come from the link: say which, so the user can check.
    if (!pins.manifestSha256)
      $("model").textContent += ` — unpinned: build ${b.manifestSha256.slice(0, 16)}…${address ? `, verifier ${address}` : ""}, from the link`;
    if (address) {
      try {
        signer = await connect();
        $("account").textContent = await signer.getAddress();
      } catch (e) {
        $("account").textContent = `no account: ${(e as Error).message}`;
      }
    } else {
      $("account").textContent = "no verifier given (?address=0x…): proofs stay off-chain";
    }
    $<HTMLButtonElement>("prove").disabled = false;
    status("draw a digit, then Prove");
  } catch (e) {
    status(errorText(e), true);
  }
})();
