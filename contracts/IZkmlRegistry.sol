// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title A registry of zkml models and the one place a dApp verifies their inferences.
/// @notice In the spirit of ERC-7992 (verifiable ML model inference): a model is registered once
/// with the hashes that identify it and the snarkjs verifier of its circuit; any proof of an
/// inference of it is then verified here, bound to (chain, this registry, msg.sender, nonce).
///
/// Registration rules: anyone may register; the registrant is recorded as the model's owner;
/// the verifier must be a deployed contract; an entry is immutable once registered (there is
/// no update or removal), and registering the same entry again reverts.
interface IZkmlRegistry {
    enum ProofSystem {
        Groth16,
        Plonk,
        Fflonk
    }

    /// What a registrant states about a model. The registry enforces none of the hashes (it
    /// cannot see the model, circuit or key): they are CLAIMS, which anyone can check off-chain
    /// against the build folder (`zkml verify` recomputes them). What it ENFORCES: the verifier
    /// is a contract whose code hash is recorded and checked on every verification, the
    /// weights commitment is pinned into every proof check, and each (sender, nonce) is used once.
    struct ModelInput {
        /// Claim: sha256 of the quantized model (zkml's modelId of the build folder).
        bytes32 modelHash;
        /// Claim: sha256 of the circuit's r1cs.
        bytes32 circuitHash;
        /// Claim: sha256 of the verification key.
        bytes32 vkeyHash;
        ProofSystem system;
        /// Enforced: the bare snarkjs verifier of the circuit; its code hash (extcodehash) is part
        /// of the model id and checked on every verification, so a verifier destroyed and
        /// redeployed with other code at the same address is refused. A proxy's code hash does
        /// not change with its implementation: check off-chain that the recorded code hash is
        /// that of the verifier built from the verification key (zkml register does).
        address verifier;
        /// Enforced: private-weights models' Poseidon commitment to the weights (the circuit's
        /// third public signal), pinned in every proof check. 0 for weights as circuit constants.
        uint256 weightsCommitment;
        /// Claim: development keys (one party, no ceremony: forgeable by whoever made them).
        bool devKeys;
        /// Where the model card, verification key and artifacts can be found.
        string uri;
    }

    struct Model {
        address verifier;
        ProofSystem system;
        address owner;
        uint64 registeredAt;
        bool devKeys;
        /// extcodehash(verifier) at registration, checked on every verification.
        bytes32 verifierCodeHash;
        bytes32 modelHash;
        bytes32 circuitHash;
        bytes32 vkeyHash;
        uint256 weightsCommitment;
        string uri;
    }

    event ModelRegistered(bytes32 indexed modelId, address indexed owner, bytes32 modelHash, ProofSystem system, address verifier, string uri);
    event InferenceVerified(bytes32 indexed modelId, address indexed sender, uint256 indexed nonce, uint256 commitment, uint8 class);

    error ModelAlreadyRegistered(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error VerifierNotAContract(address verifier);
    error PublicSignalNotInField(uint256 index);
    error WrongContext(uint256 expected, uint256 got);
    error NonceAlreadyUsed(address sender, uint256 nonce);
    error MalformedProof(uint256 length, uint256 expected);
    error InvalidProof();
    error VerifierCodeChanged(address verifier, bytes32 registered, bytes32 current);
    error BatchShapeMismatch(uint256 proofBytes, uint256 signals, uint256 nonces);
    /// Item `item` of a batch failed a check of its own; `reason` is the single path's error, ABI-encoded.
    error BatchItemRejected(uint256 item, bytes reason);
    /// The batched pairing check failed: at least one proof is invalid (find it off-chain).
    error BatchProofInvalid();

    /// keccak256(abi.encode(modelHash, circuitHash, vkeyHash, system, verifier,
    /// extcodehash(verifier), weightsCommitment, devKeys)).
    function modelIdOf(ModelInput calldata m) external view returns (bytes32);

    function register(ModelInput calldata m) external returns (bytes32 modelId);

    function getModel(bytes32 modelId) external view returns (Model memory);

    /// The context a proof for (`sender`, `nonce`) must carry to be accepted here.
    function contextOf(address sender, uint256 nonce) external view returns (uint256);

    function nonceUsed(address sender, uint256 nonce) external view returns (bool);

    /// Verifies an inference proof of `modelId` made for (msg.sender, nonce), records it and
    /// emits InferenceVerified; reverts with one of the errors above otherwise.
    /// @param proof the proof's words, ABI-encoded (8 for Groth16, 24 for PLONK and FFLONK)
    /// @param pubSignals [commitment, classContext = context * 256 + class]
    function verifyInference(bytes32 modelId, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        returns (uint8 class);

    /// verifyInference for k proofs of `modelId` made for msg.sender, each checked and recorded
    /// as the single path does (its own event). Groth16 models whose verifier has verifyProofs
    /// (zkml's batch verifier) are checked with one batched pairing check; others one by one.
    /// All or nothing: any failure reverts the batch.
    function verifyInferences(bytes32 modelId, bytes calldata proofs, uint256[2][] calldata pubSignals, uint256[] calldata nonces)
        external
        returns (uint8[] memory classes);

    /// What was proven for (sender, nonce): the model and the class (the input/output
    /// commitment is in the InferenceVerified event). A dApp can let users verify here first
    /// and then act on the recorded result.
    function resultOf(address sender, uint256 nonce) external view returns (bool verified, bytes32 modelId, uint8 class);
}
