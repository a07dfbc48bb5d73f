// Groth16 development keys' scalars, drawn from an r1cs: the QAP evaluated at τ (Lagrange
// values over the domain), u/v/w per wire, and what each key section multiplies the generator
// by; and the zkey's coefficient section. Every count and index of the r1cs bytes is checked
// against the sizes given before it is used.
#pragma once
#include <cstring>
#include <vector>
#include "field.h"

namespace zkml {

// 1/x for every x (none zero), one inversion for the lot.
inline void batchInverse(std::vector<Fr>& xs) {
  std::vector<Fr> scratch(xs.size());
  batchInvert(xs.data(), scratch.data(), xs.size());
}

inline Fr powU64(Fr b, uint64_t e) {
  Fr r = Fr::one();
  while (e) {
    if (e & 1) r = r * b;
    b = b.sq();
    e >>= 1;
  }
  return r;
}

// L_j(τ) over the n-th roots of unity, for j = first, first + step, … (count of them):
// ω^j·(τⁿ − 1) / (n·(τ − ω^j)). False if τ is on the domain.
inline bool lagrangeAt(const Fr& tau, uint64_t n, const Fr& omega, uint64_t first, uint64_t step, size_t count, std::vector<Fr>& out) {
  Fr z = powU64(tau, n) - Fr::one();
  if (z.isZero()) return false;
  Fr nInv = Fr::fromNormal(Fr{{n, 0, 0, 0}}).inverse();
  Fr w = powU64(omega, first), wStep = powU64(omega, step);
  std::vector<Fr> points(count), den(count);
  for (size_t k = 0; k < count; k++) {
    points[k] = w;
    den[k] = tau - w;
    w = w * wStep;
  }
  batchInverse(den);
  Fr zn = z * nInv;
  out.resize(count);
  for (size_t k = 0; k < count; k++) out[k] = points[k] * zn * den[k];
  return true;
}

// Walks an r1cs constraints section: for each constraint j, calls term(matrix, j, wire, coef)
// for every term of A (0), B (1) and C (2). False if the bytes do not hold exactly nConstraints
// constraints of 32-byte coefficients over wires below nWires.
template <class Term>
bool forEachTerm(const uint8_t* bytes, size_t len, size_t nConstraints, size_t nWires, Term term) {
  size_t pos = 0;
  for (size_t j = 0; j < nConstraints; j++) {
    for (int m = 0; m < 3; m++) {
      if (pos + 4 > len) return false;
      uint32_t terms;
      std::memcpy(&terms, bytes + pos, 4);
      pos += 4;
      if ((len - pos) / 36 < terms) return false;
      for (uint32_t t = 0; t < terms; t++) {
        uint32_t wire;
        std::memcpy(&wire, bytes + pos, 4);
        if (wire >= nWires) return false;
        Fr k = Fr::load(bytes + pos + 4);
        if (Fr::geqMod(k.l)) return false;
        term(m, j, wire, k);
        pos += 36;
      }
    }
  }
  return pos == len;
}

struct KeyScalars {
  std::vector<Fr> u, v, ic, c, h;  // normal form when returned
  Fr alpha, beta, delta;
};

// secrets: τ, α, β, δ (normal form, below r). Returns an empty message on success.
inline const char* groth16KeyScalars(const uint8_t* r1cs, size_t len, size_t nConstraints, size_t nWires, size_t nPublic, unsigned power,
                                     const Fr& omega, const Fr& omega2, const uint8_t* secrets, KeyScalars& out) {
  const uint64_t d = 1ULL << power;
  // Sizes before allocation: every constraint takes at least 12 bytes (three term counts).
  if (nWires > (1u << 26) || nConstraints > len / 12) return "the r1cs's sizes do not fit its bytes or zkml's limits";
  if (nConstraints + nPublic + 1 > d) return "the domain is smaller than the constraints and public inputs";
  if (nPublic + 1 > nWires) return "more public inputs than wires";
  Fr tau = Fr::fromNormal(Fr::load(secrets)), alpha = Fr::fromNormal(Fr::load(secrets + 32));
  Fr beta = Fr::fromNormal(Fr::load(secrets + 64)), delta = Fr::fromNormal(Fr::load(secrets + 96));
  std::vector<Fr> L;
  if (!lagrangeAt(tau, d, omega, 0, 1, nConstraints + nPublic + 1, L)) return "tau is on the domain";
  std::vector<Fr> u(nWires, Fr::zero()), v(nWires, Fr::zero()), w(nWires, Fr::zero());
  bool ok = forEachTerm(r1cs, len, nConstraints, nWires, [&](int m, size_t j, uint32_t wire, const Fr& k) {
    Fr t = Fr::fromNormal(k) * L[j];
    std::vector<Fr>& target = m == 0 ? u : m == 1 ? v : w;
    target[wire] = target[wire] + t;
  });
  if (!ok) return "the r1cs constraints section is malformed";
  // The extra rows that make the public inputs independent (snarkjs: A[n + s][s] = 1).
  for (size_t s = 0; s <= nPublic; s++) u[s] = u[s] + L[nConstraints + s];
  std::vector<Fr> odd;
  if (!lagrangeAt(tau, 2 * d, omega2, 1, 2, d, odd)) return "tau is on the domain";
  Fr deltaInv = delta.inverse();
  out.ic.resize(nPublic + 1);
  out.c.resize(nWires - nPublic - 1);
  for (size_t s = 0; s < nWires; s++) {
    Fr combined = beta * u[s] + alpha * v[s] + w[s];
    if (s <= nPublic) out.ic[s] = combined.toNormal();
    else out.c[s - nPublic - 1] = (combined * deltaInv).toNormal();
    u[s] = u[s].toNormal();
    v[s] = v[s].toNormal();
  }
  out.h.resize(d);
  for (uint64_t i = 0; i < d; i++) out.h[i] = (odd[i] * deltaInv).toNormal();
  out.u = std::move(u);
  out.v = std::move(v);
  out.alpha = alpha.toNormal();
  out.beta = beta.toNormal();
  out.delta = delta.toNormal();
  wipe(&tau, sizeof tau);
  wipe(&deltaInv, sizeof deltaInv);
  wipe(L.data(), L.size() * sizeof(Fr));
  wipe(odd.data(), odd.size() * sizeof(Fr));
  wipe(w.data(), w.size() * sizeof(Fr));
  return "";
}

// The zkey's section 4: A and B terms (and the public inputs' extra rows) as snarkjs stores
// them: count, then (matrix, row, wire, k·R² mod r). Empty on malformed bytes.
inline std::vector<uint8_t> groth16CoefficientSection(const uint8_t* r1cs, size_t len, size_t nConstraints, size_t nWires, size_t nPublic) {
  if (nConstraints > len / 12) return {};
  std::vector<uint8_t> out(4);
  uint32_t count = 0;
  auto push = [&](uint32_t m, uint32_t row, uint32_t wire, const Fr& kR2) {
    size_t at = out.size();
    out.resize(at + 44);
    std::memcpy(&out[at], &m, 4);
    std::memcpy(&out[at + 4], &row, 4);
    std::memcpy(&out[at + 8], &wire, 4);
    kR2.store(&out[at + 12]);
    count++;
  };
  bool ok = forEachTerm(r1cs, len, nConstraints, nWires, [&](int m, size_t j, uint32_t wire, const Fr& k) {
    if (m < 2) push((uint32_t)m, (uint32_t)j, wire, Fr::fromNormal(Fr::fromNormal(k)));
  });
  if (!ok) return {};
  for (size_t s = 0; s <= nPublic; s++) push(0, (uint32_t)(nConstraints + s), (uint32_t)s, Fr::fromNormal(Fr::one()));
  std::memcpy(out.data(), &count, 4);
  return out;
}

}  // namespace zkml
