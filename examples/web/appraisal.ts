/**
 * The appraisal page: features in, the regression model's output proved in the browser, posted
 * to the AppraisalOracle example contract, which checks the revealed values against the proof's
 * commitment and stores the number. Query: build (default ./appraisal/), oracle (its address),
 * rpc (when no wallet is injected; default http://127.0.0.1:8545).
 */
import { AbiCoder, Contract, keccak256, type Signer } from "ethers";
import { BrowserProver, contextFor, encodeProof, revealedValues, type BrowserProveResult } from "../../browser/index.js";
import { $, connect, errorText, params, status } from "./page.js";

const ORACLE_ABI = [
  "function registry() view returns (address)",
  "function post(bytes proof, uint256[2] pubSignals, uint256 posterNonce, uint256 packedInput, int256 value, uint256 blinding)",
  "event Appraised(uint256 indexed packedInput, int256 value, uint8 frac, address poster)",
];
const DEFAULT_FEATURES = [0.5, 0.25, -0.4, -0.6, 0.8, 0.1];

const buildUrl = new URL(params.get("build") ?? "./appraisal/", location.href).href;
const oracleAddress = params.get("oracle");
const rpc = params.get("rpc") ?? "http://127.0.0.1:8545";

let prover: BrowserProver | undefined;
let signer: Signer | undefined;
let oracle: Contract | undefined;
let last: { result: BrowserProveResult; posterNonce: bigint } | undefined;

/** The oracle is the registry's sender, so the nonce binds the poster: keccak(poster, posterNonce). */
const registryNonce = (poster: string, n: bigint) => BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [poster, n])));

function features(): number[] {
  return [...document.querySelectorAll<HTMLInputElement>("#features input")].map((i) => Number(i.value));
}

async function onProve() {
  if (!prover) return;
  $<HTMLButtonElement>("post").disabled = true;
  try {
    const values = features();
    if (values.some((v) => !Number.isFinite(v))) throw new Error("every feature must be a number");
    let context = { value: 0n } as Parameters<BrowserProver["prove"]>[1];
    const posterNonce = BigInt(Date.now());
    if (oracle && signer) {
      const chainId = (await signer.provider!.getNetwork()).chainId;
      const registry = (await oracle.getFunction("registry")()) as string;
      context = contextFor(chainId, registry, oracleAddress!, registryNonce(await signer.getAddress(), posterNonce));
    }
    const result = await prover.prove(values, context, (s) => status(`${s}…`));
    last = { result, posterNonce };
    const out = result.proof.output;
    $("value").textContent = out.dequantized[0]!.toFixed(4);
    $("value").dataset.q = String(out.values[0]);
    $("timings").textContent = `witness ${result.timingsMs.witness.toFixed(0)} ms, prove ${result.timingsMs.prove.toFixed(0)} ms`;
    status(result.verified ? "proved: post it to the oracle" : "the proof did not verify", !result.verified);
    $<HTMLButtonElement>("post").disabled = !(oracle && result.verified);
  } catch (e) {
    status(errorText(e), true);
  }
}

async function onPost() {
  if (!last || !oracle || !prover) return;
  status("posting…");
  try {
    const proof = last.result.proof;
    const r = revealedValues(prover.build.layout, proof);
    const tx = await oracle.getFunction("post")(
      await encodeProof(proof),
      proof.publicSignals.slice(0, 2).map(BigInt),
      last.posterNonce,
      r.packedInput[0]!,
      r.outputs[0]!,
      r.blinding,
    );
    const receipt = await tx.wait();
    const event = receipt.logs
      .map((l: { topics: string[]; data: string }) => oracle!.interface.parseLog(l))
      .find((e: { name?: string } | null) => e?.name === "Appraised");
    const value = Number(event.args.value) / 2 ** Number(event.args.frac);
    $("onchain").textContent = `Appraised: ${value.toFixed(4)} (q = ${event.args.value}, frac ${event.args.frac})`;
    $("onchain").dataset.q = String(event.args.value);
    $("gas").textContent = receipt.gasUsed.toString();
    status("posted on-chain");
  } catch (e) {
    $("onchain").textContent = `rejected: ${errorText(e)}`;
    status(errorText(e), true);
  }
}

$("prove").addEventListener("click", () => void onProve());
$("post").addEventListener("click", () => void onPost());

(async () => {
  try {
    prover = await BrowserProver.open(buildUrl);
    const b = prover.build;
    const form = $("features");
    const n = b.model.input.shape.reduce((a, x) => a * x, 1);
    for (let i = 0; i < n; i++) {
      form.insertAdjacentHTML(
        "beforeend",
        `<div><label for="f${i}">feature ${i}</label><input id="f${i}" type="number" step="0.01" value="${DEFAULT_FEATURES[i] ?? 0}"></div>`,
      );
    }
    $("model").textContent = `${b.model.name} (${b.system}${b.devKeys ? ", development keys" : ""})`;
    if (oracleAddress) {
      signer = await connect(rpc);
      oracle = new Contract(oracleAddress, ORACLE_ABI, signer);
      $("account").textContent = await signer.getAddress();
    } else {
      $("account").textContent = "no oracle given (?oracle=0x…): proofs stay off-chain";
    }
    $<HTMLButtonElement>("prove").disabled = false;
    status("set the features, then Prove");
  } catch (e) {
    status(errorText(e), true);
  }
})();
