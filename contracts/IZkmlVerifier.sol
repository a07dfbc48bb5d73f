// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// The class byte of a model whose output has more than 255 values: it proves no class. A class
// output has at most 255 values, so its argmax is never 255 and "no class" is never class 0.
uint8 constant ZKML_NO_CLASS = 255;

/// @title What a dApp needs from a zkml inference verifier.
/// @notice A proof shows that model `modelId` maps a committed input to a committed output whose
/// argmax is `class` (or ZKML_NO_CLASS). The commitment is a blinded Poseidon hash of the packed
/// int8 input and output vector and their layout (see docs/CIRCUIT.md): it hides the input; the
/// values and the blinding travel off-chain with the proof. For a model compiled with a hashed
/// input or output it is instead a data statement, sha256 over the values a contract holds
/// (ZkmlData.sol): the contract recomputes it and compares.
interface IZkmlVerifier {
    /// Emitted once per accepted proof.
    event InferenceVerified(
        bytes32 indexed modelId,
        address indexed sender,
        uint256 indexed nonce,
        uint256 commitment,
        uint8 class
    );

    /// Emitted once per proof accepted through verifyInferenceFor: `caller` (a dApp contract)
    /// submitted the proof that `beneficiary` (the user who proved) made for it.
    event InferenceVerifiedFor(
        bytes32 indexed modelId,
        address indexed caller,
        address indexed beneficiary,
        uint256 nonce,
        uint256 commitment,
        uint8 class
    );

    /// Emitted once per proof accepted through verifyInferenceAt: as InferenceVerifiedFor, with
    /// the snapshot (a block number, or an id of the caller's own) the proof was made over.
    event InferenceVerifiedAt(
        bytes32 indexed modelId,
        address indexed caller,
        address indexed beneficiary,
        uint256 nonce,
        uint256 snapshot,
        uint256 commitment,
        uint8 class
    );

    error PublicSignalNotInField(uint256 index);
    error WrongContext(uint256 expected, uint256 got);
    error NonceAlreadyUsed(address sender, uint256 nonce);
    error InvalidProof();
    /// verifyInferences: the lengths disagree (proof bytes, signal pairs, nonces), or it is empty.
    error BatchShapeMismatch(uint256 proofBytes, uint256 signals, uint256 nonces);
    /// verifyInferences: item `item` failed a check of its own; `reason` is the error the
    /// single-proof path would have raised (e.g. WrongContext, NonceAlreadyUsed), ABI-encoded.
    error BatchItemRejected(uint256 item, bytes reason);
    /// verifyInferences: the batched pairing check failed, so at least one proof is invalid.
    /// zkml's SDK finds which off-chain (findInvalidItems) so the rest can be resubmitted.
    error BatchProofInvalid();

    /// Identifies the quantized model (sha256 of its model.quant.json).
    function modelId() external view returns (bytes32);

    /// The context a proof for (`sender`, `nonce`) on this contract and chain must carry.
    function contextOf(address sender, uint256 nonce) external view returns (uint256);

    function nonceUsed(address sender, uint256 nonce) external view returns (bool);

    /// The context a proof must carry when contract `caller` submits it for user `beneficiary`
    /// (verifyInferenceFor): keccak256(chainid, this contract, caller, beneficiary, nonce) >> 12.
    function contextFor(address caller, address beneficiary, uint256 nonce) external view returns (uint256);

    function nonceUsedFor(address caller, address beneficiary, uint256 nonce) external view returns (bool);

    /// The context of verifyInferenceAt: contextFor's fields and a `snapshot`,
    /// keccak256(chainid, this contract, caller, beneficiary, nonce, snapshot) >> 12.
    function contextAt(address caller, address beneficiary, uint256 nonce, uint256 snapshot) external view returns (uint256);
    /// The snarkjs proof system behind this verifier: "groth16", "plonk" or "fflonk".
    function proofSystem() external view returns (string memory);

    /// Verifies a proof made for (msg.sender, nonce), marks the nonce used and emits
    /// InferenceVerified. Reverts with one of the errors above otherwise.
    /// @param proof the proof's words, ABI-encoded: 8 for Groth16 (pA, pB, pC as the snarkjs
    /// verifier takes them), 24 for PLONK and FFLONK. zkml's SDK encodes it (encodeProof).
    /// @param pubSignals [commitment, classContext = context * 256 + class]
    function verifyInference(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce) external returns (uint8 class);

    /// The consumer-contract path: a dApp contract (msg.sender) submits a proof its user
    /// `beneficiary` made for this pair, and acts for that user if it returns. The context names
    /// both, so nobody can submit the user's proof through another contract or for another user
    /// (no front-running), and the nonce, kept per (caller, beneficiary), is used once (no
    /// replay). A dApp passes its own msg.sender as `beneficiary`. Emits InferenceVerifiedFor.
    function verifyInferenceFor(address beneficiary, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        returns (uint8 class);

    /// verifyInferenceFor for a proof over data as of `snapshot`: a block number the prover read
    /// the caller's state at, or an id the caller keeps (a sale count, a round). The caller
    /// decides what snapshot is fresh enough before it calls (its own rule: at most N blocks old,
    /// the current round); the context binds the proof to it, so a proof made over older data
    /// cannot be passed off as a fresh one. Nonces are shared with verifyInferenceFor.
    /// Emits InferenceVerifiedAt.
    function verifyInferenceAt(address beneficiary, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 snapshot)
        external
        returns (uint8 class);
    /// verifyInference for k proofs at once, all made for msg.sender: every item gets the checks
    /// of the single path (signals in the field, its context, its nonce unused, also within the
    /// batch) and its own InferenceVerified event; for Groth16 the proofs are checked together
    /// with k + 3 pairings instead of 4k. All or nothing: any failure reverts the whole batch.
    /// @param proofs the k proofs' words in a row (k * 256 bytes for Groth16, k * 768 otherwise)
    function verifyInferences(bytes calldata proofs, uint256[2][] calldata pubSignals, uint256[] calldata nonces)
        external
        returns (uint8[] memory classes);
}
