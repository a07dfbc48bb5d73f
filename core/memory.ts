/**
 * Peak resident memory of this process so far, in MB. On Linux from VmHWM, which belongs to the
 * address space this program got at exec: getrusage's maxRSS survives exec, so a process spawned
 * by a big parent (the bench) would report the parent's size, not its own.
 */
import { readFileSync } from "node:fs";

/** This process's peak resident set size so far, in MB (the kernel's high-water mark). */
export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
