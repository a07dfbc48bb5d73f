/** What the example's pages share: element lookup, the status line, the wallet or RPC signer. */
import { BrowserProvider, JsonRpcProvider, type Eip1193Provider, type Signer } from "ethers";
import { isZkmlError } from "../../browser/index.js";

export const params = new URLSearchParams(location.search);

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function status(text: string, error = false): void {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

export function errorText(e: unknown): string {
  return isZkmlError(e) ? e.oneLine() : String((e as Error).message ?? e);
}

/** An injected wallet (EIP-1193) if there is one, else the JSON-RPC node's first account. */
export async function connect(rpc: string): Promise<Signer> {
  const injected = (window as { ethereum?: Eip1193Provider }).ethereum;
  // cacheTimeout -1: a call that reverted must not "revert" again from ethers' cache after a change.
  const provider = injected ? new BrowserProvider(injected) : new JsonRpcProvider(rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
  return provider.getSigner();
}
