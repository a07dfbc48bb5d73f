pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "offset_bits.circom";
include "circomlib/circuits/comparators.circom";

// Requantization of an accumulator to int8:
//   out = clamp(floor((in + 2^(k-1)) / 2^k), relu ? 0 : -128, 127)      (no 2^(k-1) when k = 0)
// which rounds half up. With halfEven = 1 a tie goes to the even quotient instead, as ONNX's
// QuantizeLinear and onnxruntime's QLinear ops round: zkml uses it where the ONNX file fixed the
// scale, so the circuit equals onnxruntime bit for bit. Cost: 3 more constraints (k > 0).
// One B-bit decomposition of t = in + 2^(k-1) + 2^(B-1) gives everything: its low k bits are
// the remainder (range-checked by being bits), bits k.. are the quotient, bit B-1 is the sign.
// The caller guarantees |in + 2^(k-1)| < 2^(B-1) (the compiler derives B from the weights);
// an out-of-range accumulator cannot be decomposed and fails the proof. B <= 252: no alias.
template RequantInt8(B, k, relu, halfEven) {
    assert(B <= 252 && k >= 0 && k < B - 1);
    signal input in;
    signal output out;

    var roundingConst = k > 0 ? 1 << (k - 1) : 0;
    component bits = OffsetBits(B, roundingConst + (1 << (B - 1)));
    bits.in <== in;

    signal nonneg <== bits.out[B - 1];
    var nq = B - 1 - k;              // quotient q lies in [-2^nq, 2^nq)
    var nLow = nq < 7 ? nq : 7;      // bits of q kept as they are
    var nHigh = nq - nLow;           // bits of q above int8's 7 magnitude bits

    // The quotient's lowest bit. A tie is in + 2^(k-1) ≡ 0 (mod 2^k): the remainder bits are all
    // zero, i.e. their sum (at most k, far below p) is. An odd quotient then drops to the even one
    // below: clearing bit 0 of an odd q changes neither its sign nor its bits above 7.
    signal lsb;
    if (halfEven == 1 && k > 0) {
        var remainder = 0;
        for (var i = 0; i < k; i++) remainder += bits.out[i];
        component tie = IsZero();
        tie.in <== remainder;
        lsb <== bits.out[k] * (1 - tie.out);
    } else {
        lsb <== bits.out[k];
    }
    var low = lsb;
    for (var i = 1; i < nLow; i++) low += bits.out[k + i] * (1 << i);
    var highSum = 0;
    for (var i = 0; i < nHigh; i++) highSum += bits.out[k + 7 + i];

    if (nHigh == 0) {
        // q always fits int8: out = q, or max(q, 0).
        if (relu == 1) {
            out <== nonneg * low;
        } else {
            out <== low - (1 - nonneg) * (1 << nq);
        }
    } else {
        // q >= 0 overflows iff some high bit is set; q < 0 underflows iff some high bit is clear.
        component highZero = IsZero();
        highZero.in <== highSum;
        signal over <== 1 - highZero.out;
        signal posSat <== over * (127 - low);
        signal pos <== low + posSat;           // clamp(q, 0, 127) when q >= 0
        if (relu == 1) {
            out <== nonneg * pos;
        } else {
            component highFull = IsEqual();
            highFull.in[0] <== highSum;
            highFull.in[1] <== nHigh;
            signal under <== 1 - highFull.out;
            signal negSat <== under * low;
            signal neg <== low - 128 - negSat;  // clamp(q, -128, -1) when q < 0
            out <== neg + nonneg * (pos - neg);
        }
    }
}
