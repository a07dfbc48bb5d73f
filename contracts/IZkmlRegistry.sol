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

    struct ModelInput {
        /// sha256 of the quantized model (zkml's modelId).
        bytes32 modelHash;
        /// sha256 of the circuit's r1cs.
        bytes32 circuitHash;
        /// sha256 of the verification key.
        bytes32 vkeyHash;
        ProofSystem system;
        /// The bare snarkjs verifier of the circuit.
        address verifier;
        /// Private-weights models: the Poseidon commitment to the weights (the circuit's third
        /// public signal), pinned here. 0 for models whose weights are circuit constants.
        uint256 weightsCommitment;
        /// Where the model card, verification key and artifacts can be found.
        string uri;
    }

    struct Model {
        address verifier;
        ProofSystem system;
        address owner;
        uint64 registeredAt;
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

    /// keccak256(abi.encode(modelHash, circuitHash, vkeyHash, system, verifier, weightsCommitment)).
    function modelIdOf(ModelInput calldata m) external pure returns (bytes32);

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

    /// What was proven for (sender, nonce): the model and the class (the input/output
    /// commitment is in the InferenceVerified event). A dApp can let users verify here first
    /// and then act on the recorded result.
    function resultOf(address sender, uint256 nonce) external view returns (bool verified, bytes32 modelId, uint8 class);
}
