/**
 * Loaded with `node --import` into a measured process: at exit it appends the whole process's
 * CPU time (user + system over all its threads since it started, getrusage) to the file named
 * by ZKML_CPU_OUT. bench/cold.ts runs every command, zkml's and its anchors', under it.
 */
import { appendFileSync } from "node:fs";

const out = process.env.ZKML_CPU_OUT;
if (out) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(out, `${(user + system) / 1000}\n`);
  });
}
