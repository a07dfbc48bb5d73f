import { checkCircuit } from "../../src/index.js";
import { ms, requirePositional, type Verb } from "../io.js";

export const checkVerb: Verb = {
  name: "check",
  usage: "zkml check DIR [--json]",
  help: `Computes an honest witness of DIR's circuit for a seeded random input and checks, wire by wire:
  unused        a wire (not an input) in no constraint: it can take any value;
  unpinned      changing the wire alone breaks no constraint;
  undetermined  the inputs do not fix the wire through the constraints (a free <-- hint, even
                one copied into a public output, shows up here);
and that the public signals pass. Known exceptions (circomlib IsZero's inverse at 0) are
counted apart with the reason they are sound. Exit 1 lists the wires at fault by signal name.`,
  options: {},
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "check");
    const r = await checkCircuit(dir);
    const ok = r.pinned;
    ctx.say(`${ok ? "pinned" : "NOT PINNED"}: ${r.wires} wires (${r.inputs} inputs), ${r.constraints} constraints (${ms(r.ms)})`);
    ctx.say(
      `  unused ${r.counts.unused}, unpinned ${r.counts.unpinned}, undetermined ${r.counts.undetermined}; known exceptions ${r.counts.excepted}${r.excepted.length ? ` (${[...new Set(r.excepted.map((e) => e.gadget))].join(", ")})` : ""}`,
    );
    if (!r.satisfied) ctx.say(`  the honest witness does not satisfy the constraints: a zkml bug, please report it`);
    if (!r.publicPinned) ctx.say(`  a public signal is not pinned: a proof could claim another value for it`);
    for (const p of r.problems.slice(0, 20)) ctx.say(`  ${p.problem}: wire ${p.wire}${p.name ? ` (${p.name})` : ""}`);
    if (r.problems.length > 20) ctx.say(`  … and ${r.problems.length - 20} more`);
    ctx.result({ ...r, excepted: r.excepted.length });
    return ok ? 0 : 1;
  },
};
