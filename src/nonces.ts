/**
 * Nonce reservations in a build folder: `zkml prove --rpc` picks the first nonce the contract
 * has not seen used, and two provers started at once for one sender would pick the same one
 * (the second proof then reverts with NonceAlreadyUsed). Each takes its nonce by creating a
 * file exclusively (O_EXCL: one creator wins, on one machine or a shared disk); a reservation
 * older than a day is taken to be abandoned.
 */
import { createHash } from "node:crypto";
import { mkdir, open, stat, unlink } from "node:fs/promises";
import path from "node:path";

const STALE_MS = 24 * 3600 * 1000;

export interface NonceScope {
  chainId: bigint;
  contract: string;
  sender: string;
  beneficiary?: string;
}

/** A claim function for nextUnusedNonce: true when this process now holds the nonce's reservation. */
export function nonceReservations(dir: string, scope: NonceScope): (nonce: bigint) => Promise<boolean> {
  const key = createHash("sha256")
    .update([scope.chainId, scope.contract, scope.sender, scope.beneficiary ?? ""].join("\0").toLowerCase())
    .digest("hex")
    .slice(0, 24);
  const folder = path.join(dir, "nonce-reservations");
  return async (nonce) => {
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `${key}-${nonce}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await (await open(file, "wx")).close();
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const age = Date.now() - (await stat(file)).mtimeMs;
        if (age < STALE_MS) return false;
        await unlink(file).catch(() => {});
      }
    }
    return false;
  };
}
