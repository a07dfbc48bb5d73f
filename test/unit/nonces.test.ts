/** Nonce reservations: provers started at once for one sender take different nonces; and the error when there is no verifier to ask. */
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeOf } from "../../core/errors.js";
import { deployedVerifier } from "../../src/deployments.js";
import { nonceReservations } from "../../src/nonces.js";
import { nextUnusedNonce } from "../../verifier/chain.js";

const scope = { chainId: 31337n, contract: "0x" + "11".repeat(20), sender: "0x" + "22".repeat(20) };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "zkml-nonces-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The first nonce from 0 that `claim` takes, as nextUnusedNonce scans (here nothing is used on-chain). */
async function firstClaimed(claim: (n: bigint) => Promise<boolean>): Promise<bigint> {
  for (let n = 0n; ; n++) if (await claim(n)) return n;
}

describe("nonce reservations", () => {
  it("eight provers at once for one sender get eight different nonces, 0 to 7", async () => {
    const got = await Promise.all(Array.from({ length: 8 }, () => firstClaimed(nonceReservations(dir, scope))));
    expect([...got].sort((a, b) => Number(a - b))).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });

  it("another sender, contract, chain or beneficiary has nonces of its own", async () => {
    for (const other of [
      { ...scope, sender: "0x" + "33".repeat(20) },
      { ...scope, contract: "0x" + "44".repeat(20) },
      { ...scope, chainId: 1n },
      { ...scope, beneficiary: "0x" + "55".repeat(20) },
    ]) {
      expect(await firstClaimed(nonceReservations(dir, other))).toBe(0n);
    }
  });

  it("a reservation older than a day is taken to be abandoned", async () => {
    const folder = path.join(dir, "nonce-reservations");
    const claim = nonceReservations(dir, { ...scope, chainId: 5n });
    expect(await claim(0n)).toBe(true);
    expect(await claim(0n)).toBe(false);
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const f of (await readdir(folder)).filter((x) => x.endsWith("-0"))) await utimes(path.join(folder, f), old, old);
    expect(await claim(0n)).toBe(true);
  });
});

describe("no verifier where one is looked for", () => {
  it("is NO_VERIFIER (exit 2) for a build with none recorded for the chain and for an address with no contract", async () => {
    await expect(deployedVerifier(dir, 31337n, "vkey")).rejects.toMatchObject({ code: "NO_VERIFIER" });
    const empty = { getCode: async () => "0x" } as unknown as Parameters<typeof nextUnusedNonce>[0];
    await expect(nextUnusedNonce(empty, scope.contract, scope.sender)).rejects.toMatchObject({ code: "NO_VERIFIER" });
    expect(exitCodeOf("NO_VERIFIER")).toBe(2);
  });
});
