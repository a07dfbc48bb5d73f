/**
 * The on-chain data page: the SalesAppraisal example contract's own input (the last sales its
 * ledger recorded, quantized on-chain by ZkmlData) read through the wallet, the sales model's
 * price proved in the browser over exactly those values, and posted; the contract checks the
 * proof's data statement against its sales and the snapshot. Query: build (default ./sales/),
 * oracle (the SalesAppraisal address), rpc (when no wallet is injected).
 */
import { Contract, type Signer } from "ethers";
import { BrowserProver, contextAt, encodeProof, type BrowserProveResult } from "../../browser/index.js";
import { $, connect, errorText, params, status } from "./page.js";

const ORACLE_ABI = [
  "function model() view returns (address)",
  "function modelInput() view returns (int256[] input, uint256 snapshot)",
  "function post(bytes proof, uint256[2] pubSignals, uint256 nonce, uint256 snapshot, int256 value)",
  "event Appraised(int256 value, uint256 snapshot, address poster)",
];
const VERIFIER_ABI = ["function nonceUsedFor(address caller, address beneficiary, uint256 nonce) view returns (bool)"];

const buildUrl = new URL(params.get("build") ?? "./sales/", location.href).href;
const oracleAddress = params.get("oracle");
const rpc = params.get("rpc") ?? "http://127.0.0.1:8545";

let prover: BrowserProver | undefined;
let signer: Signer | undefined;
let oracle: Contract | undefined;
let last: { result: BrowserProveResult; nonce: bigint; snapshot: bigint } | undefined;

/** The first nonce of (oracle, user) the verifier has not seen used. */
async function nextNonce(verifier: Contract, user: string): Promise<bigint> {
  for (let n = 0n; ; n++) if (!(await verifier.getFunction("nonceUsedFor")(oracleAddress, user, n))) return n;
}

async function onProve() {
  if (!prover || !oracle || !signer) return;
  $<HTMLButtonElement>("post").disabled = true;
  try {
    status("reading the sales…");
    const [input, snapshot] = (await oracle.getFunction("modelInput")()) as [bigint[], bigint];
    $("input").textContent = input.join(", ");
    $("snapshot").textContent = `${snapshot} sales`;
    const verifierAddress = (await oracle.getFunction("model")()) as string;
    const user = await signer.getAddress();
    const nonce = await nextNonce(new Contract(verifierAddress, VERIFIER_ABI, signer), user);
    const chainId = (await signer.provider!.getNetwork()).chainId;
    const context = contextAt(chainId, verifierAddress, oracleAddress!, user, nonce, snapshot);
    const result = await prover.proveQuantized(input.map(Number), context, (s) => status(`${s}…`));
    last = { result, nonce, snapshot };
    const out = result.proof.output;
    $("value").textContent = `${out.dequantized[0]!.toFixed(4)} ether`;
    $("value").dataset.q = String(out.values[0]);
    $("timings").textContent = `witness ${result.timingsMs.witness.toFixed(0)} ms, prove ${result.timingsMs.prove.toFixed(0)} ms`;
    status(result.verified ? "proved: post it" : "the proof did not verify", !result.verified);
    $<HTMLButtonElement>("post").disabled = !result.verified;
  } catch (e) {
    status(errorText(e), true);
  }
}

async function onPost() {
  if (!last || !oracle) return;
  status("posting…");
  try {
    const proof = last.result.proof;
    const value = BigInt(proof.output.values[0]!);
    const tx = await oracle.getFunction("post")(await encodeProof(proof), proof.publicSignals.slice(0, 2).map(BigInt), last.nonce, last.snapshot, value);
    const receipt = await tx.wait();
    $("onchain").textContent = `stored: q = ${value} at snapshot ${last.snapshot}`;
    $("onchain").dataset.q = String(value);
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
    $("model").textContent = `${b.model.name} (${b.system}${b.devKeys ? ", development keys" : ""}; input ${b.model.input.visibility ?? "private"})`;
    if (!oracleAddress) throw new Error("no appraisal contract given (?oracle=0x…)");
    signer = await connect(rpc);
    oracle = new Contract(oracleAddress, ORACLE_ABI, signer);
    $("account").textContent = await signer.getAddress();
    $<HTMLButtonElement>("prove").disabled = false;
    status("ready: read the sales and prove");
  } catch (e) {
    status(errorText(e), true);
  }
})();
