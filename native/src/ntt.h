// Radix-2 NTT over Fr (natural order in and out), its inverse, and the Groth16 quotient's
// evaluations on the shifted coset, as snarkjs computes them: A, B, C = A·B at the domain's
// points, each interpolated and evaluated at inc·ωʲ, then A·B − C.
#pragma once
#include <thread>
#include <vector>
#include "field.h"

namespace zkml {

inline void bitReverse(Fr* a, size_t n) {
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
}

// a ← its evaluations at ω^0..ω^(n-1), ω of order n (Montgomery form).
inline void ntt(Fr* a, size_t n, const Fr& omega) {
  if (n <= 1) return;
  bitReverse(a, n);
  std::vector<Fr> tw(n / 2);
  tw[0] = Fr::one();
  for (size_t i = 1; i < n / 2; i++) tw[i] = tw[i - 1] * omega;
  for (size_t len = 2; len <= n; len <<= 1) {
    size_t h = len / 2, step = n / len;
    for (size_t i = 0; i < n; i += len) {
      for (size_t j = 0; j < h; j++) {
        Fr u = a[i + j], v = a[i + j + h] * tw[j * step];
        a[i + j] = u + v;
        a[i + j + h] = u - v;
      }
    }
  }
}

inline Fr frFromU64(uint64_t v) { return Fr::fromNormal(Fr{{v, 0, 0, 0}}); }

inline void intt(Fr* a, size_t n, const Fr& omega) {
  ntt(a, n, omega.inverse());
  Fr invN = frFromU64(n).inverse();
  for (size_t i = 0; i < n; i++) a[i] = a[i] * invN;
}

// Interpolate on the domain, multiply coefficient i by incⁱ, evaluate on the domain again.
inline void toCoset(Fr* a, size_t n, const Fr& omega, const Fr& inc) {
  intt(a, n, omega);
  Fr k = Fr::one();
  for (size_t i = 0; i < n; i++) {
    a[i] = a[i] * k;
    k = k * inc;
  }
  ntt(a, n, omega);
}

// The Groth16 quotient's MSM scalars (normal form): (A·B − C) on the coset. coefs is the
// zkey's section 4 (count, then matrix, row, signal, k = x·R² per entry), checked here.
// Returns false if an entry is out of range.
inline bool groth16Quotient(const uint8_t* coefs, size_t coefsLen, const uint8_t* witness, size_t nVars, size_t d, const Fr& omega,
                            const Fr& inc, uint8_t* out) {
  if (coefsLen < 4) return false;
  uint32_t count;
  std::memcpy(&count, coefs, 4);
  if (4 + (size_t)count * 44 != coefsLen) return false;
  std::vector<Fr> abc(3 * d, Fr::zero());
  Fr* A = abc.data();
  Fr* B = A + d;
  Fr* C = B + d;
  for (size_t i = 0; i < count; i++) {
    const uint8_t* e = coefs + 4 + i * 44;
    uint32_t m, row, signal;
    std::memcpy(&m, e, 4);
    std::memcpy(&row, e + 4, 4);
    std::memcpy(&signal, e + 8, 4);
    if (m > 1 || row >= d || signal >= nVars) return false;
    // k = x·R² and w in normal form: their Montgomery product is x·w in Montgomery form.
    Fr term = Fr::load(e + 12) * Fr::load(witness + 32 * (size_t)signal);
    Fr* target = m == 0 ? A : B;
    target[row] = target[row] + term;
  }
  for (size_t r = 0; r < d; r++) C[r] = A[r] * B[r];
  std::thread ta(toCoset, A, d, omega, inc), tb(toCoset, B, d, omega, inc);
  toCoset(C, d, omega, inc);
  ta.join();
  tb.join();
  for (size_t r = 0; r < d; r++) (A[r] * B[r] - C[r]).toNormal().store(out + 32 * r);
  return true;
}

}  // namespace zkml
