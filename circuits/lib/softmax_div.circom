pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// One softmax output: p = floor((256·e + S) / 2S), e/S rounded half up at 2^-7, for an exact
// exponential e in [0, S] and the row's exact sum S >= 1 (S < 2^(rBits-1)), then 128 (a row of one
// dominant value) saturated to 127. The division's remainder r is pinned to [0, 2S) by two
// rBits-bit decompositions and p to [0, 255] by its bits, so the equation holds over the integers
// (every term is far below the field) and p is the one quotient: 2 rBits + 9 constraints.
template SoftmaxDiv(rBits) {
    signal input e;
    signal input sum;
    signal output out;
    signal p;
    signal r;

    p <-- (256 * e + sum) \ (2 * sum);
    r <-- (256 * e + sum) % (2 * sum);
    256 * e + sum === 2 * sum * p + r;
    component rLow = Num2Bits(rBits);
    rLow.in <== r;
    component rHigh = Num2Bits(rBits);
    rHigh.in <== 2 * sum - 1 - r;
    component pBits = Num2Bits(8);
    pBits.in <== p;
    // p <= 128 (e <= S), so bit 7 is set only for 128, which saturates to 127.
    out <== p - pBits.out[7];
}
