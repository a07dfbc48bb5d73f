/** The JSON schemas of the API's bodies and parameters (Ajv compiles them ahead; nothing unlisted passes). */
import { PROOF_SYSTEMS } from "../core/proof_system.js";

export const JOB_ID = "^[A-Za-z0-9-]{1,80}$";
const ADDRESS = "^0x[0-9a-fA-F]{40}$";
const DECIMAL = "^[0-9]{1,78}$";
const NAME = "^[A-Za-z0-9_-]{1,40}$";

export const proofBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["input"],
  properties: {
    // Flat or nested in the model's shape; checked against the model below.
    input: { type: "array", maxItems: 1 << 20 },
    context: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,62}$" },
    chainId: { type: "string", pattern: DECIMAL },
    contract: { type: "string", pattern: ADDRESS },
    sender: { type: "string", pattern: ADDRESS },
    beneficiary: { type: "string", pattern: ADDRESS },
    nonce: { type: "string", pattern: DECIMAL },
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
