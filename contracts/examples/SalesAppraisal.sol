// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ZkmlData} from "../ZkmlData.sol";
import {IZkmlHashedModel} from "./IZkmlDataModel.sol";
import {SalesLedger} from "./SalesLedger.sol";

/// @title Example consumer: an appraisal oracle over the sales a marketplace recorded.
/// @notice The model (examples/sales-appraisal) maps the last 8 sale prices to a price. Its input
/// and output are hashed: this contract reads the sales itself, quantizes them exactly as zkml
/// does (ZkmlData.quantize), and accepts a posted price only when the proof's statement is the
/// one of *these* sales and *that* price, made for the current sale count. A prover who changed
/// a sale, used other decimals, or proved before the latest sale is refused.
contract SalesAppraisal {
    uint256 public constant SALES = 8;
    /// Prices are wei; the model reads them in ether.
    uint256 public constant DENOM = 1 ether;

    SalesLedger public immutable ledger;
    IZkmlHashedModel public immutable model;
    int256 public immutable inputFrac;
    bool public immutable nonNegative;

    struct Appraisal {
        int256 value;
        uint256 snapshot;
        address poster;
    }

    Appraisal public latest;

    error StaleSnapshot(uint256 proven, uint256 current);
    error NotOurData(uint256 expected, uint256 got);

    event Appraised(int256 value, uint256 snapshot, address poster);

    constructor(SalesLedger ledger_, IZkmlHashedModel model_) {
        ledger = ledger_;
        model = model_;
        inputFrac = model_.INPUT_FRAC();
        nonNegative = model_.INPUT_NONNEGATIVE();
    }

    /// The model's input as this contract sees it now, and the snapshot (sale count) it is of:
    /// what `zkml prove --from-chain` proves over.
    function modelInput() public view returns (int256[] memory input, uint256 snapshot) {
        uint256[] memory prices = ledger.lastSales(SALES);
        input = new int256[](SALES);
        for (uint256 i = 0; i < SALES; i++) input[i] = ZkmlData.quantize(int256(prices[i]), 0, DENOM, inputFrac, nonNegative);
        snapshot = ledger.saleCount();
    }

    /// Stores `value` (the model's output integer) once the proof shows the model maps the
    /// current last sales to it. The poster is the proof's beneficiary.
    function post(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 snapshot, int256 value) external {
        (int256[] memory input, uint256 current) = modelInput();
        if (snapshot != current) revert StaleSnapshot(snapshot, current);
        int256[] memory output = new int256[](1);
        output[0] = value;
        uint256 expected = model.statementOf(input, output);
        if (pubSignals[0] != expected) revert NotOurData(expected, pubSignals[0]);
        model.verifyInferenceAt(msg.sender, proof, pubSignals, nonce, snapshot);
        latest = Appraisal({value: value, snapshot: snapshot, poster: msg.sender});
        emit Appraised(value, snapshot, msg.sender);
    }
}
