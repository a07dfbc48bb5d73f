// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// What the examples use of a data-statement model's verifier (zkml setup generates it per
/// model; its statementOf takes the sides the model hashes).
interface IZkmlDataModel {
    function INPUT_FRAC() external view returns (int256);
    function INPUT_NONNEGATIVE() external view returns (bool);
    function verifyInferenceAt(address beneficiary, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 snapshot)
        external
        returns (uint8 class);
}

/// Both sides hashed: the statement of an input and its output values.
interface IZkmlHashedModel is IZkmlDataModel {
    function statementOf(int256[] memory input, int256[] memory output) external pure returns (uint256);
}

/// Input hashed, output private: the output travels as its commitment.
interface IZkmlHashedInputModel is IZkmlDataModel {
    function statementOf(int256[] memory input, uint256 outputCommitment) external pure returns (uint256);
}
