/**
 * DIR/deployments.json: where a build's contracts live on each chain, written by `zkml deploy`,
 * `zkml register` and the Hardhat plugin, read to fill in addresses and to notice a key that
 * changed since its verifier was deployed (a re-run `zkml setup` makes new keys: proofs made
 * with them fail on the old verifier with a bare InvalidProof).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../core/errors.js";
import { writeFileAtomic } from "../core/manifest.js";

export interface DeploymentRecord {
  /** The model's verifier (zkml deploy). */
  address?: string;
  contract?: string;
  txHash?: string;
  /** sha256 of the verification_key.json the verifier at `address` was generated from. */
  vkey?: string;
  /** A registry the model is registered in (zkml register), its id there and its bare verifier. */
  registry?: string;
  modelId?: string;
  verifier?: string;
  at?: string;
}

const FILE = "deployments.json";

function parse(text: string, file: string): Record<string, DeploymentRecord> {
  let all: unknown;
  try {
    all = JSON.parse(text);
  } catch {
    throw new ZkmlError("STALE_ARTIFACT", `${file} is not JSON`, "delete it and deploy again");
  }
  if (typeof all !== "object" || all === null || Array.isArray(all)) throw new ZkmlError("STALE_ARTIFACT", `${file}: expected an object of chain ids`);
  return all as Record<string, DeploymentRecord>;
}

/** The record of `dir` for `chainId`, if any. */
export async function readDeployment(dir: string, chainId: bigint): Promise<DeploymentRecord | undefined> {
  const file = path.join(dir, FILE);
  if (!existsSync(file)) return undefined;
  return parse(await readFile(file, "utf8"), file)[chainId.toString()];
}

/** Merge `fields` into the record of `dir` for `chainId` (the file written atomically). */
export async function recordDeployment(dir: string, chainId: bigint, fields: DeploymentRecord): Promise<void> {
  const file = path.join(dir, FILE);
  const all = existsSync(file) ? parse(await readFile(file, "utf8"), file) : {};
  all[chainId.toString()] = { ...all[chainId.toString()], ...fields, at: new Date().toISOString() };
  await writeFileAtomic(file, JSON.stringify(all, null, 2) + "\n");
}

/**
 * The verifier address recorded for `chainId`, refused when the build's key changed since it
 * was deployed (its proofs would fail there with InvalidProof).
 */
export async function deployedVerifier(dir: string, chainId: bigint, currentVkey: string): Promise<string> {
  const r = await readDeployment(dir, chainId);
  if (!r?.address) {
    throw new ZkmlError(
      "NO_VERIFIER",
      `no verifier of ${dir} is recorded for chain ${chainId} in ${path.join(dir, FILE)}`,
      "deploy it (zkml deploy DIR --rpc URL), or name the contract (--address ADDR, or --registry ADDR)",
    );
  }
  checkDeployedKey(dir, chainId, r, currentVkey);
  return r.address;
}

/** Throws when the verifier recorded for `chainId` was made from another verification key than the build's. */
export function checkDeployedKey(dir: string, chainId: bigint, r: DeploymentRecord, currentVkey: string): void {
  if (r.vkey && r.vkey !== currentVkey) {
    throw new ZkmlError(
      "STALE_ARTIFACT",
      `the verifier at ${r.address} on chain ${chainId} was deployed with another verification key than ${dir} has now (keys made again by zkml setup since ${r.at ?? "the deploy"}): it would reject every proof of this build with InvalidProof`,
      "deploy the build again (zkml deploy), or restore the keys it was deployed with",
    );
  }
}
