/** The SDK as tests use it, plus constants tests need. */
export * from "../../src/index.js";
export { FIELD_R as FIELD_R_FOR_TESTS } from "../../core/field.js";
