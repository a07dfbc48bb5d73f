/** The JSON schemas of the API's bodies and parameters (Ajv compiles them ahead; nothing unlisted passes). */
import { PROOF_SYSTEMS } from "../core/proof_system.js";

export const JOB_ID = "^[A-Za-z0-9-]{1,80}$";
const ADDRESS = "^0x[0-9a-fA-F]{40}$";
const DECIMAL = "^[0-9]{1,78}$";
const NAME = "^[A-Za-z0-9_-]{1,40}$";

/** A uint256 as a decimal string, or as a JSON integer while it is exact (below 2^53). */
const UINT = {
  anyOf: [
    { type: "string", pattern: DECIMAL },
    { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
} as const;

/** The fields of a proof request; any other field (an input file's `label`) is ignored and named in the answer. */
export const PROOF_BODY_FIELDS = ["input", "quantized", "context", "chainId", "contract", "sender", "beneficiary", "nonce", "snapshot"] as const;

export const proofBodySchema = {
  type: "object",
  // An input file as zkml writes it may carry more ({"input", "label", "mnistIndex"}): sent as it is, it is accepted.
  additionalProperties: true,
  maxProperties: 32,
  required: ["input"],
  properties: {
    // Flat or nested in the model's shape; checked against the model below.
    input: { type: "array", maxItems: 1 << 20 },
    // The input is the model's int8 values (what a consumer contract's modelInput() returns).
    quantized: { type: "boolean" },
    context: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,62}$" },
    chainId: UINT,
    contract: { type: "string", pattern: ADDRESS },
    sender: { type: "string", pattern: ADDRESS },
    beneficiary: { type: "string", pattern: ADDRESS },
    nonce: UINT,
    snapshot: UINT,
  },
} as const;

export const modelBodySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    build: { type: "string", pattern: NAME },
    name: { type: "string", pattern: NAME },
    onnx: { type: "string", contentEncoding: "base64", maxLength: 64 * 1024 * 1024 },
    calibration: { type: "object" },
    system: { type: "string", enum: PROOF_SYSTEMS },
  },
} as const;
