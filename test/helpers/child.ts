/** Starting and stopping the servers the tests run as child processes (a hardhat node, anvil). */
import type { ChildProcess } from "node:child_process";

/**
 * Resolves, with what the child printed so far (stdout and stderr), once that matches `ready`;
 * rejects if it exits first or takes longer than `ms`.
 */
export function untilReady(child: ChildProcess, ready: RegExp, what: string, ms: number): Promise<string> {
  let log = "";
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${ms / 1000} s:\n${log}`)), ms);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(log);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${log}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited (at once if it already has). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}
