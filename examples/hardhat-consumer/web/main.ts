// The starter's web page: proves the tiny MLP on the input in the text box, in a Web Worker, and
// shows the class, the off-chain check and the calldata a wallet would send (verifyInference).
//   npm run web         # publishes zkml/tiny to web/public/models/tiny, then serves the page (vite)
import { BrowserProver, encodeProof } from "zkml/browser";

const input = document.getElementById("input") as HTMLTextAreaElement;
const result = document.getElementById("result") as HTMLPreElement;
const button = document.getElementById("prove") as HTMLButtonElement;
// The bundled example input (node_modules/zkml/examples/tiny-mlp/input.json).
input.value = "0.676, 0.097, -0.784, 0.179, 0.48, -0.136, -0.6, -0.138, 0.078, -0.98, -0.484, 0.301, -0.475, -0.397, 0.615, -0.924";

const prover = BrowserProver.open(new URL("models/tiny/", document.baseURI).href);

button.addEventListener("click", async () => {
  button.disabled = true;
  result.textContent = "proving…";
  try {
    const values = input.value.split(",").map((v) => Number(v.trim()));
    const { proof, verified, timingsMs } = await (await prover).prove(values);
    result.textContent = [
      `class ${proof.output.class} (${verified ? "proof verified" : "PROOF INVALID"}) in ${Math.round(timingsMs.total)} ms`,
      `proof bytes for verifyInference: ${(await encodeProof(proof)).slice(0, 66)}…`,
    ].join("\n");
    result.dataset.class = String(proof.output.class);
    result.dataset.verified = String(verified);
  } catch (e) {
    result.textContent = `failed: ${(e as Error).message}`;
    result.dataset.error = (e as Error).message;
  } finally {
    button.disabled = false;
  }
});
