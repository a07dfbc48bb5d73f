// BN254's prime fields in Montgomery form on four 64-bit limbs (R = 2^256), the layout
// ffjavascript keeps in memory (little-endian words), so its buffers are read in place.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace zkml {

typedef unsigned __int128 u128;

struct FqParams {
  static constexpr uint64_t mod[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr uint64_t inv = 0x87d20782e4866389ULL;
  static constexpr uint64_t r2[4] = {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL};
  static constexpr uint64_t one[4] = {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL};
};

struct FrParams {
  static constexpr uint64_t mod[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr uint64_t inv = 0xc2e1f593efffffffULL;
  static constexpr uint64_t r2[4] = {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL};
  static constexpr uint64_t one[4] = {0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL};
};

// Add and subtract with carry, and a·b + c + d: 64-bit words, the carry in and out 0 or 1.
#if defined(__x86_64__)
inline uint64_t adc(uint64_t a, uint64_t b, uint64_t carry, uint64_t& out) {
  unsigned long long r;
  uint64_t c = _addcarry_u64((unsigned char)carry, a, b, &r);
  out = r;
  return c;
}
inline uint64_t sbb(uint64_t a, uint64_t b, uint64_t borrow, uint64_t& out) {
  unsigned long long r;
  uint64_t c = _subborrow_u64((unsigned char)borrow, a, b, &r);
  out = r;
  return c;
}
#else
inline uint64_t adc(uint64_t a, uint64_t b, uint64_t carry, uint64_t& out) {
  u128 t = (u128)a + b + carry;
  out = (uint64_t)t;
  return (uint64_t)(t >> 64);
}
inline uint64_t sbb(uint64_t a, uint64_t b, uint64_t borrow, uint64_t& out) {
  u128 t = (u128)a - b - borrow;
  out = (uint64_t)t;
  return (uint64_t)(t >> 64) & 1;
}
#endif
inline uint64_t mac(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t& hi) {
  u128 t = (u128)a * b;
  uint64_t lo, h = (uint64_t)(t >> 64);
  h += adc((uint64_t)t, c, 0, lo);
  h += adc(lo, d, 0, lo);
  hi = h;
  return lo;
}

#if defined(__x86_64__)
// MULX, ADCX and ADOX (BMI2 and ADX, every x86-64 since 2014): the product below in two carry
// chains, faster than the portable one. Checked once when the addon loads; ZKML_NATIVE_NO_ADX=1
// takes the portable path (for its tests).
inline const bool kHasAdx = __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("adx") && !std::getenv("ZKML_NATIVE_NO_ADX");

// One round of the product: t += a·b[off/8] in two carry chains; A takes the top word.
#define ZKML_MONT_ROUND(OFF)               \
  "movq " #OFF "(%[b]), %%rdx\n\t"          \
  "xorq %%rax, %%rax\n\t"                   \
  "mulxq 0(%[a]), %%rax, %[A]\n\t"          \
  "adoxq %%rax, %[t0]\n\t"                  \
  "adcxq %[A], %[t1]\n\t"                   \
  "mulxq 8(%[a]), %%rax, %[A]\n\t"          \
  "adoxq %%rax, %[t1]\n\t"                  \
  "adcxq %[A], %[t2]\n\t"                   \
  "mulxq 16(%[a]), %%rax, %[A]\n\t"         \
  "adoxq %%rax, %[t2]\n\t"                  \
  "adcxq %[A], %[t3]\n\t"                   \
  "mulxq 24(%[a]), %%rax, %[A]\n\t"         \
  "adoxq %%rax, %[t3]\n\t"                  \
  "movq $0, %%rax\n\t"                      \
  "adcxq %%rax, %[A]\n\t"                   \
  "adoxq %%rax, %[A]\n\t"

// One reduction: m = t0·inv, t = (t + m·p) / 2^64, the top word A folded into t3.
#define ZKML_MONT_REDUCE                   \
  "movq %[inv], %%rdx\n\t"                  \
  "imulq %[t0], %%rdx\n\t"                  \
  "xorq %%rax, %%rax\n\t"                   \
  "mulxq %[p0], %%rax, %[s]\n\t"            \
  "adcxq %[t0], %%rax\n\t"                  \
  "movq %[s], %[t0]\n\t"                    \
  "adcxq %[t1], %[t0]\n\t"                  \
  "mulxq %[p1], %%rax, %[t1]\n\t"           \
  "adoxq %%rax, %[t0]\n\t"                  \
  "adcxq %[t2], %[t1]\n\t"                  \
  "mulxq %[p2], %%rax, %[t2]\n\t"           \
  "adoxq %%rax, %[t1]\n\t"                  \
  "adcxq %[t3], %[t2]\n\t"                  \
  "mulxq %[p3], %%rax, %[t3]\n\t"           \
  "adoxq %%rax, %[t2]\n\t"                  \
  "movq $0, %%rax\n\t"                      \
  "adcxq %%rax, %[t3]\n\t"                  \
  "adoxq %[A], %[t3]\n\t"

// t ← a·b·2^-256 before the final subtraction (CIOS, no extra carry word: the modulus is below 2^254).
inline void montMulAdx(uint64_t t[4], const uint64_t* a, const uint64_t* b, const uint64_t* mod, uint64_t inv) {
  uint64_t t0, t1, t2, t3, A, s;
  __asm__(
      // t = a·b0, then a reduction; then three rounds of t += a·bi and a reduction.
        "movq 0(%[b]), %%rdx\n\t"
        "xorq %%rax, %%rax\n\t"
        "mulxq 0(%[a]), %[t0], %[t1]\n\t"
        "mulxq 8(%[a]), %%rax, %[t2]\n\t"
        "adoxq %%rax, %[t1]\n\t"
        "mulxq 16(%[a]), %%rax, %[t3]\n\t"
        "adoxq %%rax, %[t2]\n\t"
        "mulxq 24(%[a]), %%rax, %[A]\n\t"
        "adoxq %%rax, %[t3]\n\t"
        "movq $0, %%rax\n\t"
        "adoxq %%rax, %[A]\n\t"
      ZKML_MONT_REDUCE ZKML_MONT_ROUND(8) ZKML_MONT_REDUCE ZKML_MONT_ROUND(16) ZKML_MONT_REDUCE ZKML_MONT_ROUND(24) ZKML_MONT_REDUCE
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [A] "=&r"(A), [s] "=&r"(s)
      : [a] "r"(a), [b] "r"(b), [p0] "m"(mod[0]), [p1] "m"(mod[1]), [p2] "m"(mod[2]), [p3] "m"(mod[3]), [inv] "m"(inv),
        // The words read through a and b, named so the compiler need not assume all memory is.
        "m"(*(const uint64_t(*)[4])a), "m"(*(const uint64_t(*)[4])b)
      : "rax", "rdx", "cc");
  t[0] = t0;
  t[1] = t1;
  t[2] = t2;
  t[3] = t3;
}
#endif

template <class P>
struct Fp {
  uint64_t l[4];

  static Fp zero() { return Fp{{0, 0, 0, 0}}; }
  static Fp one() { return Fp{{P::one[0], P::one[1], P::one[2], P::one[3]}}; }
  static Fp load(const uint8_t* bytes) {
    Fp r;
    std::memcpy(r.l, bytes, 32);
    return r;
  }
  void store(uint8_t* bytes) const { std::memcpy(bytes, l, 32); }

  bool isZero() const { return (l[0] | l[1] | l[2] | l[3]) == 0; }
  bool operator==(const Fp& o) const { return l[0] == o.l[0] && l[1] == o.l[1] && l[2] == o.l[2] && l[3] == o.l[3]; }
  bool operator!=(const Fp& o) const { return !(*this == o); }

  // x ≥ modulus, for a value held in four limbs.
  static bool geqMod(const uint64_t* x) {
    for (int i = 3; i >= 0; i--) {
      if (x[i] != P::mod[i]) return x[i] > P::mod[i];
    }
    return true;
  }
  static void subMod(uint64_t* x) {
    u128 borrow = 0;
    for (int i = 0; i < 4; i++) {
      u128 d = (u128)x[i] - P::mod[i] - (uint64_t)borrow;
      x[i] = (uint64_t)d;
      borrow = (d >> 64) & 1;
    }
  }
  // x − modulus where x is at least the modulus, else x.
  static Fp reduceOnce(uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3) {
    uint64_t d0, d1, d2, d3;
    uint64_t br = sbb(t0, P::mod[0], 0, d0);
    br = sbb(t1, P::mod[1], br, d1);
    br = sbb(t2, P::mod[2], br, d2);
    br = sbb(t3, P::mod[3], br, d3);
    if (br) return Fp{{t0, t1, t2, t3}};
    return Fp{{d0, d1, d2, d3}};
  }

  friend Fp operator+(const Fp& a, const Fp& b) {
    uint64_t r0, r1, r2, r3;
    uint64_t c = adc(a.l[0], b.l[0], 0, r0);
    c = adc(a.l[1], b.l[1], c, r1);
    c = adc(a.l[2], b.l[2], c, r2);
    adc(a.l[3], b.l[3], c, r3);
    // Both below the modulus (< 2^254): the sum fits four limbs.
    return reduceOnce(r0, r1, r2, r3);
  }
  friend Fp operator-(const Fp& a, const Fp& b) {
    uint64_t r0, r1, r2, r3;
    uint64_t br = sbb(a.l[0], b.l[0], 0, r0);
    br = sbb(a.l[1], b.l[1], br, r1);
    br = sbb(a.l[2], b.l[2], br, r2);
    br = sbb(a.l[3], b.l[3], br, r3);
    if (br) {
      uint64_t c = adc(r0, P::mod[0], 0, r0);
      c = adc(r1, P::mod[1], c, r1);
      c = adc(r2, P::mod[2], c, r2);
      adc(r3, P::mod[3], c, r3);
    }
    return Fp{{r0, r1, r2, r3}};
  }
  Fp neg() const { return isZero() ? *this : zero() - *this; }
  Fp dbl() const { return *this + *this; }

  // Montgomery product a·b·2^-256: CIOS without the extra carry word, which a modulus below
  // 2^254 allows (its top limb leaves room for the intermediate sums).
  friend Fp operator*(const Fp& a, const Fp& b) {
#if defined(__x86_64__)
    if (kHasAdx) {
      uint64_t t[4];
      montMulAdx(t, a.l, b.l, P::mod, P::inv);
      return reduceOnce(t[0], t[1], t[2], t[3]);
    }
#endif
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
      const uint64_t bi = b.l[i];
      uint64_t A, C;
      t0 = mac(a.l[0], bi, t0, 0, A);
      const uint64_t m = t0 * P::inv;
      mac(m, P::mod[0], t0, 0, C);
      t1 = mac(a.l[1], bi, t1, A, A);
      t0 = mac(m, P::mod[1], t1, C, C);
      t2 = mac(a.l[2], bi, t2, A, A);
      t1 = mac(m, P::mod[2], t2, C, C);
      t3 = mac(a.l[3], bi, t3, A, A);
      t2 = mac(m, P::mod[3], t3, C, C);
      t3 = C + A;
    }
    return reduceOnce(t0, t1, t2, t3);
  }
  Fp sq() const { return *this * *this; }

  // From and to the normal (non-Montgomery) form.
  static Fp fromNormal(const Fp& x) { return x * Fp{{P::r2[0], P::r2[1], P::r2[2], P::r2[3]}}; }
  Fp toNormal() const { return *this * Fp{{1, 0, 0, 0}}; }

  Fp pow(const uint64_t e[4]) const {
    Fp r = one();
    for (int i = 3; i >= 0; i--) {
      for (int b = 63; b >= 0; b--) {
        r = r.sq();
        if ((e[i] >> b) & 1) r = r * *this;
      }
    }
    return r;
  }
  // 1/x by Fermat (x^(p-2)); 0 for 0.
  Fp inverse() const {
    uint64_t e[4] = {P::mod[0] - 2, P::mod[1], P::mod[2], P::mod[3]};
    return pow(e);
  }
};

typedef Fp<FqParams> Fq;
typedef Fp<FrParams> Fr;

// Fq2 = Fq[u]/(u^2 + 1): c0 + c1·u, stored c0 then c1 (ffjavascript's layout).
struct Fq2 {
  Fq c0, c1;

  static Fq2 zero() { return Fq2{Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return Fq2{Fq::one(), Fq::zero()}; }
  static Fq2 load(const uint8_t* bytes) { return Fq2{Fq::load(bytes), Fq::load(bytes + 32)}; }
  void store(uint8_t* bytes) const {
    c0.store(bytes);
    c1.store(bytes + 32);
  }
  bool isZero() const { return c0.isZero() && c1.isZero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fq2& o) const { return !(*this == o); }
  friend Fq2 operator+(const Fq2& a, const Fq2& b) { return Fq2{a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fq2 operator-(const Fq2& a, const Fq2& b) { return Fq2{a.c0 - b.c0, a.c1 - b.c1}; }
  Fq2 neg() const { return Fq2{c0.neg(), c1.neg()}; }
  Fq2 dbl() const { return *this + *this; }
  friend Fq2 operator*(const Fq2& a, const Fq2& b) {
    Fq v0 = a.c0 * b.c0;
    Fq v1 = a.c1 * b.c1;
    return Fq2{v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1};
  }
  Fq2 sq() const {
    Fq ab = c0 * c1;
    return Fq2{(c0 + c1) * (c0 - c1), ab + ab};
  }
  Fq2 inverse() const {
    Fq t = (c0.sq() + c1.sq()).inverse();
    return Fq2{c0 * t, (c1 * t).neg()};
  }
};

// xs[i] ← 1/xs[i] for every i (none zero) with one inversion (Montgomery's trick); scratch
// holds n values.
template <class F>
void batchInvert(F* xs, F* scratch, size_t n) {
  F acc = F::one();
  for (size_t i = 0; i < n; i++) {
    scratch[i] = acc;
    acc = acc * xs[i];
  }
  F inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    const F x = xs[i];
    xs[i] = inv * scratch[i];
    inv = inv * x;
  }
}

// Overwrites memory the compiler may not elide (secrets of development keys).
inline void wipe(void* p, size_t n) {
  volatile uint8_t* v = (volatile uint8_t*)p;
  while (n--) *v++ = 0;
}

}  // namespace zkml
