// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlRegistry} from "./IZkmlRegistry.sol";

/// @title zkml's model registry: registration, routing to each model's snarkjs verifier,
/// context binding, replay protection and a record of every verified inference.
contract ZkmlRegistry is IZkmlRegistry {
    uint256 internal constant FIELD_R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// What verifyInference needs, in one storage slot: the verifier, the selector of its
    /// verifyProof (which depends on the system and the number of public signals) and the
    /// proof length. The rest of the entry lives in `models`.
    struct Route {
        address verifier;
        bytes4 selector;
        uint16 proofBytes;
        bool pinsWeights;
        uint32 index;
    }

    mapping(bytes32 => Model) private models;
    mapping(bytes32 => Route) private routes;
    /// Registration order: a result refers to its model by index, to fit in one slot.
    bytes32[] public modelIds;
    /// A 32-bit record per (sender, nonce), eight to a storage slot so that a sender counting
    /// its nonces up writes a fresh slot once every 8 proofs: bit 31 set once verified (so the
    /// nonce is used), bits 8..30 the model's index, bits 0..7 the class. The commitment is in
    /// the event.
    mapping(address => mapping(uint256 => uint256)) private results;
    uint256 private constant VERIFIED = 1 << 31;
    uint256 private constant MAX_MODELS = 1 << 23;
    /// zkml's Groth16 batch verifier: verifyProofs(bytes proofs, uint256[] flatSignals).
    bytes4 private constant VERIFY_PROOFS = bytes4(keccak256("verifyProofs(bytes,uint256[])"));

    function modelIdOf(ModelInput calldata m) public view override returns (bytes32) {
        return keccak256(abi.encode(m.modelHash, m.circuitHash, m.vkeyHash, m.system, m.verifier, m.verifier.codehash, m.weightsCommitment, m.devKeys));
    }

    function register(ModelInput calldata m) external override returns (bytes32 modelId) {
        modelId = modelIdOf(m);
        if (routes[modelId].verifier != address(0)) revert ModelAlreadyRegistered(modelId);
        if (m.verifier.code.length == 0) revert VerifierNotAContract(m.verifier);
        if (m.weightsCommitment >= FIELD_R) revert PublicSignalNotInField(2);
        require(modelIds.length < MAX_MODELS, "registry full");
        bool pins = m.weightsCommitment != 0;
        routes[modelId] = Route({
            verifier: m.verifier,
            selector: _selector(m.system, pins ? 3 : 2),
            proofBytes: _proofBytes(m.system),
            pinsWeights: pins,
            index: uint32(modelIds.length)
        });
        modelIds.push(modelId);
        models[modelId] = Model({
            verifier: m.verifier,
            system: m.system,
            owner: msg.sender,
            registeredAt: uint64(block.timestamp),
            devKeys: m.devKeys,
            verifierCodeHash: m.verifier.codehash,
            modelHash: m.modelHash,
            circuitHash: m.circuitHash,
            vkeyHash: m.vkeyHash,
            weightsCommitment: m.weightsCommitment,
            uri: m.uri
        });
        emit ModelRegistered(modelId, msg.sender, m.modelHash, m.system, m.verifier, m.uri);
    }

    function getModel(bytes32 modelId) external view override returns (Model memory) {
        if (routes[modelId].verifier == address(0)) revert UnknownModel(modelId);
        return models[modelId];
    }

    function contextOf(address sender, uint256 nonce) public view override returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), sender, nonce))) >> 12;
    }

    function _record(address sender, uint256 nonce) internal view returns (uint256) {
        return (results[sender][nonce >> 3] >> ((nonce & 7) * 32)) & 0xffffffff;
    }

    function nonceUsed(address sender, uint256 nonce) external view override returns (bool) {
        return _record(sender, nonce) != 0;
    }

    function resultOf(address sender, uint256 nonce) external view override returns (bool verified, bytes32 modelId, uint8 class) {
        uint256 r = _record(sender, nonce);
        if (r == 0) return (false, bytes32(0), 0);
        return (true, modelIds[(r >> 8) & (MAX_MODELS - 1)], uint8(r));
    }

    function verifyInference(bytes32 modelId, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        override
        returns (uint8 class)
    {
        Route memory route = routes[modelId];
        if (route.verifier == address(0)) revert UnknownModel(modelId);
        if (proof.length != route.proofBytes) revert MalformedProof(proof.length, route.proofBytes);
        if (pubSignals[0] >= FIELD_R) revert PublicSignalNotInField(0);
        if (pubSignals[1] >= FIELD_R) revert PublicSignalNotInField(1);
        uint256 expected = contextOf(msg.sender, nonce);
        if (pubSignals[1] >> 8 != expected) revert WrongContext(expected, pubSignals[1] >> 8);
        mapping(uint256 => uint256) storage senderResults = results[msg.sender];
        uint256 shift = (nonce & 7) * 32;
        uint256 slot = senderResults[nonce >> 3];
        if ((slot >> shift) & 0xffffffff != 0) revert NonceAlreadyUsed(msg.sender, nonce);
        // The code that verifies must be the code registered (a metamorphic redeploy is refused).
        // extcodehash warms the verifier's account, so the call below pays 100, not 2,600.
        bytes32 registeredCode = models[modelId].verifierCodeHash;
        if (route.verifier.codehash != registeredCode) revert VerifierCodeChanged(route.verifier, registeredCode, route.verifier.codehash);
        uint256 pinned = route.pinsWeights ? models[modelId].weightsCommitment : 0;
        if (!_callVerifier(route, proof, pubSignals, pinned)) revert InvalidProof();
        class = uint8(pubSignals[1] & 0xff);
        senderResults[nonce >> 3] = slot | ((VERIFIED | (uint256(route.index) << 8) | class) << shift);
        emit InferenceVerified(modelId, msg.sender, nonce, pubSignals[0], class);
    }

    function verifyInferences(bytes32 modelId, bytes calldata proofs, uint256[2][] calldata pubSignals, uint256[] calldata nonces)
        external
        override
        returns (uint8[] memory classes)
    {
        Route memory route = routes[modelId];
        if (route.verifier == address(0)) revert UnknownModel(modelId);
        uint256 k = nonces.length;
        if (k == 0 || pubSignals.length != k || proofs.length != k * route.proofBytes) {
            revert BatchShapeMismatch(proofs.length, pubSignals.length, k);
        }
        bytes32 registeredCode = models[modelId].verifierCodeHash;
        if (route.verifier.codehash != registeredCode) revert VerifierCodeChanged(route.verifier, registeredCode, route.verifier.codehash);
        classes = _recordBatch(modelId, route.index, pubSignals, nonces);
        uint256 pinned = route.pinsWeights ? models[modelId].weightsCommitment : 0;
        if (k > 1 && route.proofBytes == 256) {
            (bool called, bool ok) = _callBatchVerifier(route, proofs, pubSignals, pinned);
            if (called) {
                if (!ok) revert BatchProofInvalid();
                return classes;
            }
            // A Groth16 verifier without verifyProofs (not zkml's batch verifier): one by one.
        }
        uint256 n = route.proofBytes;
        for (uint256 i = 0; i < k; i++) {
            if (!_callVerifier(route, proofs[i * n:(i + 1) * n], pubSignals[i], pinned)) {
                revert BatchItemRejected(i, abi.encodeWithSelector(InvalidProof.selector));
            }
        }
    }

    /// A batch's per-item checks (signals, context, nonce unused even within the batch), its
    /// records and events; the proofs are checked after (a failure reverts all of it).
    function _recordBatch(bytes32 modelId, uint32 index, uint256[2][] calldata pubSignals, uint256[] calldata nonces)
        internal
        returns (uint8[] memory classes)
    {
        classes = new uint8[](nonces.length);
        mapping(uint256 => uint256) storage senderResults = results[msg.sender];
        for (uint256 i = 0; i < nonces.length; i++) {
            uint256 classContext = pubSignals[i][1];
            uint256 nonce = nonces[i];
            if (pubSignals[i][0] >= FIELD_R) revert BatchItemRejected(i, abi.encodeWithSelector(PublicSignalNotInField.selector, 0));
            if (classContext >= FIELD_R) revert BatchItemRejected(i, abi.encodeWithSelector(PublicSignalNotInField.selector, 1));
            uint256 expected = contextOf(msg.sender, nonce);
            if (classContext >> 8 != expected) {
                revert BatchItemRejected(i, abi.encodeWithSelector(WrongContext.selector, expected, classContext >> 8));
            }
            uint256 shift = (nonce & 7) * 32;
            uint256 slot = senderResults[nonce >> 3];
            if ((slot >> shift) & 0xffffffff != 0) revert BatchItemRejected(i, abi.encodeWithSelector(NonceAlreadyUsed.selector, msg.sender, nonce));
            classes[i] = uint8(classContext & 0xff);
            senderResults[nonce >> 3] = slot | ((VERIFIED | (uint256(index) << 8) | classes[i]) << shift);
            emit InferenceVerified(modelId, msg.sender, nonce, pubSignals[i][0], classes[i]);
        }
    }

    /// verifyProofs(proofs, signals) on the verifier, the signals laid out flat with the pinned
    /// weights commitment. `called` is false when the verifier has no such function.
    function _callBatchVerifier(Route memory route, bytes calldata proofs, uint256[2][] calldata pubSignals, uint256 pinned)
        internal
        view
        returns (bool called, bool ok)
    {
        uint256 n = route.pinsWeights ? 3 : 2;
        uint256[] memory flat = new uint256[](pubSignals.length * n);
        for (uint256 i = 0; i < pubSignals.length; i++) {
            flat[i * n] = pubSignals[i][0];
            flat[i * n + 1] = pubSignals[i][1];
            if (n == 3) flat[i * n + 2] = pinned;
        }
        (bool success, bytes memory ret) = route.verifier.staticcall(abi.encodeWithSelector(VERIFY_PROOFS, proofs, flat));
        if (!success || ret.length != 32) return (false, false);
        return (true, abi.decode(ret, (uint256)) == 1);
    }

    /// Every verifyProof argument is a static array, so the call is the selector followed by
    /// the proof words and the public signals, copied from calldata as they are.
    function _callVerifier(Route memory route, bytes calldata proof, uint256[2] calldata pubSignals, uint256 pinned)
        internal
        view
        returns (bool ok)
    {
        address verifier = route.verifier;
        bytes4 selector = route.selector;
        uint256 n = proof.length;
        bool pins = route.pinsWeights;
        assembly {
            let p := mload(0x40)
            mstore(p, selector)
            calldatacopy(add(p, 4), proof.offset, n)
            calldatacopy(add(add(p, 4), n), pubSignals, 64)
            let len := add(68, n)
            if pins {
                mstore(add(p, len), pinned)
                len := add(len, 32)
            }
            let success := staticcall(gas(), verifier, p, len, p, 0x20)
            ok := and(success, and(eq(returndatasize(), 0x20), eq(mload(p), 1)))
        }
    }

    function _selector(ProofSystem system, uint256 nPublic) internal pure returns (bytes4) {
        bytes1 n = bytes1(uint8(48 + nPublic));
        if (system == ProofSystem.Groth16) {
            return bytes4(keccak256(abi.encodePacked("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", n, "])")));
        }
        if (system == ProofSystem.Plonk) return bytes4(keccak256(abi.encodePacked("verifyProof(uint256[24],uint256[", n, "])")));
        if (system == ProofSystem.Fflonk) return bytes4(keccak256(abi.encodePacked("verifyProof(bytes32[24],uint256[", n, "])")));
        // Each system is routed by name: one added to the enum without a route here is refused, not sent FFLONK's way.
        revert("unknown proof system");
    }

    /// The proof's length in bytes for its system's verifier (8 or 24 words).
    function _proofBytes(ProofSystem system) internal pure returns (uint16) {
        if (system == ProofSystem.Groth16) return 256;
        if (system == ProofSystem.Plonk || system == ProofSystem.Fflonk) return 768;
        revert("unknown proof system");
    }
}
