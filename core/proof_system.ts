/**
 * The proof systems zkml sets up, proves and verifies with snarkjs. Groth16 needs a
 * circuit-specific phase 2; PLONK and FFLONK need only the universal powers of tau, at the
 * price of slower proving and (PLONK) costlier verification: see docs/DESIGN.md.
 */
import { ZkmlError } from "./errors.js";

/** The snarkjs proof systems zkml sets up, proves and verifies with. */
export const PROOF_SYSTEMS = ["groth16", "plonk", "fflonk"] as const;
export type ProofSystem = (typeof PROOF_SYSTEMS)[number];

/** A proof system's name (groth16 when undefined); anything else is a USAGE ZkmlError listing them. */
export function parseProofSystem(value: string | undefined): ProofSystem {
  if (value === undefined) return "groth16";
  if ((PROOF_SYSTEMS as readonly string[]).includes(value)) return value as ProofSystem;
  throw new ZkmlError("USAGE", `unknown proof system "${value}"`, `use one of ${PROOF_SYSTEMS.join(", ")}`);
}
