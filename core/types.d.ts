declare module "circomlibjs";
declare module "snarkjs";
declare module "ffjavascript";
declare module "@iden3/binfileutils";
declare module "circom2";
declare module "solc";
declare module "circom_runtime";
