/** The files of a build folder: no Node built-in, so the browser reads the same names. */

/** The file names of a build folder, by role. */
export const FILES = {
  qmodel: "model.quant.json",
  circom: "circuit.circom",
  r1cs: "circuit.r1cs",
  wasm: "circuit_js/circuit.wasm",
  sym: "circuit.sym",
  /** Proving key of whichever system `zkml setup` made (the manifest's setup stage says which). */
  zkey: "circuit.zkey",
  vkey: "verification_key.json",
  verifierArtifact: "verifier.json",
  /** The bare snarkjs verifier alone (what a registry routes to). */
  snarkVerifierArtifact: "snark_verifier.json",
  contractsDir: "contracts",
} as const;

/** What a web page reads of a build besides manifest.json (zkml/browser loads them; `zkml publish` copies them). */
export const BROWSER_FILES = [FILES.qmodel, FILES.wasm, FILES.zkey, FILES.vkey, FILES.verifierArtifact] as const;
