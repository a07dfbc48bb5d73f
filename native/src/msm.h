// Pippenger multi-scalar multiplication Σ sᵢ·Pᵢ over affine bases, with signed c-bit digits
// (buckets ±1..2^(c-1); a scalar above r/2 is replaced by r − s with its point negated, so the
// small negative values a witness is full of cost what small positive ones cost). Windows are
// shared out over the threads; each thread keeps its own buckets.
#pragma once
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include "curve.h"

namespace zkml {

struct Scalar {
  uint64_t l[4];
};

// s mod r, then the smaller of s and r − s (neg says which): below 2^253.
inline bool reduceScalar(Scalar& s) {
  const uint64_t* r = FrParams::mod;
  while (Fr::geqMod(s.l)) Fr::subMod(s.l);
  // half = (r − 1) / 2
  static const uint64_t half[4] = {(r[0] >> 1) | (r[1] << 63), (r[1] >> 1) | (r[2] << 63), (r[2] >> 1) | (r[3] << 63), r[3] >> 1};
  bool above = false;
  for (int i = 3; i >= 0; i--) {
    if (s.l[i] != half[i]) {
      above = s.l[i] > half[i];
      break;
    }
  }
  if (!above) return false;
  u128 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)r[i] - s.l[i] - (uint64_t)borrow;
    s.l[i] = (uint64_t)d;
    borrow = (d >> 64) & 1;
  }
  return true;
}

inline uint32_t bitsAt(const Scalar& s, unsigned at, unsigned c) {
  unsigned limb = at / 64, off = at % 64;
  if (limb >= 4) return 0;
  uint64_t v = s.l[limb] >> off;
  if (off + c > 64 && limb + 1 < 4) v |= s.l[limb + 1] << (64 - off);
  return (uint32_t)(v & ((1ULL << c) - 1));
}

inline unsigned threadCount(unsigned requested) {
  if (requested) return requested;
  unsigned h = std::thread::hardware_concurrency();
  return h ? h : 1;
}

// The window size with the least work per thread: windows × (points + bucket sums), for
// scalars of up to `bits` bits (a signed digit's carry needs one more).
inline unsigned windowBits(size_t n, unsigned threads, unsigned bits = 253) {
  unsigned best = 2;
  double bestCost = 1e300;
  for (unsigned c = 2; c <= 16; c++) {
    unsigned windows = (bits + 1 + c - 1) / c;
    unsigned perThread = (windows + threads - 1) / threads;
    double cost = perThread * ((double)n + 1.4 * (double)(1u << c));
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

// One window's buckets. The window's points go into runs, one run a bucket (negated for a
// negative digit); then rounds of pairwise affine additions halve every run at once, and all of a
// round's denominators share one inversion (Montgomery's trick). An affine addition costs ~6
// multiplications where a Jacobian mixed one costs ~11, and since pairs are disjoint no point
// waits for a bucket another holds: a witness's digits, crowded into a few buckets, batch as
// well as random ones. Points come in chunks whose sums carry into the next, so the runs stay in
// cache however many points there are.
template <class F>
class SortedBuckets {
 public:
  explicit SortedBuckets(size_t count) : start_(count + 1), len_(count), carry_(count), hasCarry_(count) {}

  // Σ_k (k+1)·bucket_k, where digits[i] ≠ 0 puts baseAt(i), or its negation, in bucket |d| − 1.
  template <class BaseAt>
  Jacobian<F> window(const int32_t* digits, size_t n, BaseAt baseAt) {
    std::fill(hasCarry_.begin(), hasCarry_.end(), 0);
    for (size_t from = 0; from < n; from += kChunk) chunk(digits, from, std::min(n, from + kChunk), baseAt);
    Jacobian<F> running = Jacobian<F>::infinity(), total = Jacobian<F>::infinity();
    for (size_t k = len_.size(); k-- > 0;) {
      if (hasCarry_[k]) running = running.addMixed(carry_[k]);
      total = total.add(running);
    }
    return total;
  }

 private:
  // Used below kSortedBuckets buckets: a chunk then holds 8 points a bucket or more on average.
  static constexpr size_t kChunk = 1 << 14;

  template <class BaseAt>
  void chunk(const int32_t* digits, size_t from, size_t to, BaseAt baseAt) {
    const size_t K = len_.size();
    for (size_t k = 0; k < K; k++) len_[k] = hasCarry_[k];
    for (size_t i = from; i < to; i++) {
      const int32_t d = digits[i];
      if (d) len_[(size_t)(d > 0 ? d : -d) - 1]++;
    }
    start_[0] = 0;
    for (size_t k = 0; k < K; k++) start_[k + 1] = start_[k] + len_[k];
    const size_t m = start_[K];
    if (pts_.size() < m) {
      pts_.resize(m);
      den_.resize(m / 2 + 1);
      prefix_.resize(m / 2 + 1);
    }
    for (size_t k = 0; k < K; k++) {
      len_[k] = 0;
      if (hasCarry_[k]) pts_[start_[k] + len_[k]++] = carry_[k];
    }
    for (size_t i = from; i < to; i++) {
      const int32_t d = digits[i];
      if (!d) continue;
      const size_t k = (size_t)(d > 0 ? d : -d) - 1;
      const Affine<F>& p = baseAt(i);
      pts_[start_[k] + len_[k]++] = d > 0 ? p : p.neg();
    }
    while (halveRuns()) {
    }
    for (size_t k = 0; k < K; k++) {
      hasCarry_[k] = len_[k] && !pts_[start_[k]].isInfinity();
      if (hasCarry_[k]) carry_[k] = pts_[start_[k]];
    }
  }

  // One round: pair (2j, 2j+1) of every run goes to slot j, an odd run's last point to the slot
  // after. False when no run had two points.
  bool halveRuns() {
    const size_t K = len_.size();
    size_t pairs = 0;
    for (size_t k = 0; k < K; k++) {
      const Affine<F>* run = pts_.data() + start_[k];
      for (size_t j = 0; j + 1 < len_[k]; j += 2) den_[pairs++] = slopeDenominator(run[j], run[j + 1]);
    }
    if (pairs == 0) return false;
    batchInvert(den_.data(), prefix_.data(), pairs);
    // Ascending, so slot j/2 is written only after the points it held were read.
    pairs = 0;
    for (size_t k = 0; k < K; k++) {
      const size_t L = len_[k];
      Affine<F>* run = pts_.data() + start_[k];
      for (size_t j = 0; j + 1 < L; j += 2) run[j / 2] = affineSum(run[j], run[j + 1], den_[pairs++]);
      if (L & 1) run[L / 2] = run[L - 1];
      len_[k] = (L + 1) / 2;
    }
    return true;
  }

  std::vector<size_t> start_, len_;
  std::vector<Affine<F>> carry_;
  std::vector<uint8_t> hasCarry_;
  std::vector<Affine<F>> pts_;
  std::vector<F> den_, prefix_;
};

// One window's buckets, for many buckets (kSortedBuckets and more). Each point is added to its
// bucket as it comes, affine and batched: a batch's 512 denominators share one inversion
// (Montgomery's trick), so an addition costs ~6 multiplications where a Jacobian mixed addition
// costs ~11. A point for a bucket already waiting in the batch, rare among this many buckets,
// goes to that bucket's Jacobian overflow instead.
template <class F>
class BatchedBuckets {
 public:
  explicit BatchedBuckets(size_t count)
      : aff_(count), state_(count), over_(count), hasOver_(count), cap_(512) {
    idx_.resize(cap_);
    pts_.resize(cap_);
    den_.resize(cap_);
    prefix_.resize(cap_);
  }

  // As SortedBuckets::window.
  template <class BaseAt>
  Jacobian<F> window(const int32_t* digits, size_t n, BaseAt baseAt) {
    reset();
    for (size_t i = 0; i < n; i++) {
      const int32_t d = digits[i];
      if (d > 0) add(d - 1, baseAt(i));
      else if (d < 0) add(-d - 1, baseAt(i).neg());
    }
    return sum();
  }

 private:
  void reset() {
    std::fill(state_.begin(), state_.end(), EMPTY);
    std::fill(hasOver_.begin(), hasOver_.end(), 0);
    m_ = 0;
  }

  void add(size_t k, const Affine<F>& p) {
    if (p.isInfinity()) return;
    if (state_[k] == EMPTY) {
      aff_[k] = p;
      state_[k] = FULL;
    } else if (state_[k] == BUSY) {
      over_[k] = hasOver_[k] ? over_[k].addMixed(p) : Jacobian<F>{p.x, p.y, F::one()};
      hasOver_[k] = 1;
    } else {
      state_[k] = BUSY;
      idx_[m_] = (uint32_t)k;
      pts_[m_] = p;
      if (++m_ == cap_) flush();
    }
  }

  // Σ_k (k+1)·bucket_k by running sums.
  Jacobian<F> sum() {
    flush();
    Jacobian<F> running = Jacobian<F>::infinity(), total = Jacobian<F>::infinity();
    for (size_t k = aff_.size(); k-- > 0;) {
      if (state_[k] == FULL) running = running.addMixed(aff_[k]);
      if (hasOver_[k]) running = running.add(over_[k]);
      total = total.add(running);
    }
    return total;
  }

  enum : uint8_t { EMPTY = 0, FULL = 1, BUSY = 2 };

  void flush() {
    if (m_ == 0) return;
    for (size_t i = 0; i < m_; i++) den_[i] = slopeDenominator(aff_[idx_[i]], pts_[i]);
    batchInvert(den_.data(), prefix_.data(), m_);
    for (size_t i = 0; i < m_; i++) {
      const size_t k = idx_[i];
      aff_[k] = affineSum(aff_[k], pts_[i], den_[i]);
      state_[k] = aff_[k].isInfinity() ? EMPTY : FULL;  // a point and its negation cancel
    }
    m_ = 0;
  }

  std::vector<Affine<F>> aff_;
  std::vector<uint8_t> state_;
  std::vector<Jacobian<F>> over_;
  std::vector<uint8_t> hasOver_;
  size_t cap_, m_ = 0;
  std::vector<uint32_t> idx_;
  std::vector<Affine<F>> pts_;
  std::vector<F> den_, prefix_;
};

// Below this many buckets (the windows of small n, and of a witness's few full-width values),
// batching points as they come fills small batches before two meet in one bucket, and every
// batch pays an inversion; SortedBuckets pairs them instead. Above it, batches of 512 rarely
// meet, and adding as they come keeps the points in cache where sorting them moves them all.
// G1 on two threads, sorted vs batched: 8,192 points 24.7 vs 30.4 ms; 65,536 points 177 vs
// 166 ms (scratch measurements on the benchmarks' machine).
constexpr size_t kSortedBuckets = 4096;

inline unsigned bitLength(const Scalar& s) {
  for (int i = 3; i >= 0; i--)
    if (s.l[i]) return 64 * i + 64 - __builtin_clzll(s.l[i]);
  return 0;
}

// Σ over the points `idx` names (all when empty) of their reduced scalars, each below 2^bits.
template <class F>
Jacobian<F> msmPass(const Affine<F>* bases, const std::vector<Scalar>& red, const std::vector<uint8_t>& neg, const std::vector<uint32_t>& idx,
                    unsigned bits, unsigned threads) {
  const size_t n = idx.empty() ? red.size() : idx.size();
  if (n == 0) return Jacobian<F>::infinity();
  if (n < 256) threads = 1;
  const unsigned c = windowBits(n, threads, bits);
  const unsigned windows = (bits + 1 + c - 1) / c;
  const int32_t half = 1 << (c - 1);
  // Digits window-major, so each window's pass reads them in order.
  std::vector<int32_t> digits((size_t)windows * n);
  for (size_t i = 0; i < n; i++) {
    const size_t j = idx.empty() ? i : idx[i];
    int32_t carry = 0;
    for (unsigned w = 0; w < windows; w++) {
      int32_t d = (int32_t)bitsAt(red[j], w * c, c) + carry;
      carry = 0;
      if (d > half) {
        d -= (1 << c);
        carry = 1;
      }
      digits[(size_t)w * n + i] = neg[j] ? -d : d;
    }
  }
  std::vector<Jacobian<F>> windowSums(windows, Jacobian<F>::infinity());
  auto baseAt = [&](size_t i) -> const Affine<F>& { return bases[idx.empty() ? i : idx[i]]; };
  auto windowsOf = [&](unsigned t, auto& buckets) {
    for (unsigned w = t; w < windows; w += threads) windowSums[w] = buckets.window(digits.data() + (size_t)w * n, n, baseAt);
  };
  auto work = [&](unsigned t) {
    if ((size_t)half < kSortedBuckets) {
      SortedBuckets<F> buckets(half);
      windowsOf(t, buckets);
    } else {
      BatchedBuckets<F> buckets(half);
      windowsOf(t, buckets);
    }
  };
  if (threads == 1 || windows == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min(threads, windows); t++) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  Jacobian<F> acc = windowSums[windows - 1];
  for (int w = (int)windows - 2; w >= 0; w--) {
    for (unsigned b = 0; b < c; b++) acc = acc.dbl();
    acc = acc.add(windowSums[w]);
  }
  return acc;
}

// Scalars above this many bits (after reduction) go to a pass of their own: a witness is mostly
// small values with a few full-width ones (hashes, commitments), and one pass over all of them
// would pay every window's bucket sums for those few.
constexpr unsigned kSmallScalarBits = 64;

template <class F>
Jacobian<F> msm(const Affine<F>* bases, const uint8_t* scalarBytes, size_t n, unsigned threads) {
  threads = threadCount(threads);
  std::vector<Scalar> red(n);
  std::vector<uint8_t> neg(n);
  std::vector<uint32_t> small, large;
  unsigned smallBits = 0, largeBits = 0;
  for (size_t i = 0; i < n; i++) {
    std::memcpy(red[i].l, scalarBytes + 32 * i, 32);
    neg[i] = reduceScalar(red[i]);
    const unsigned b = bitLength(red[i]);
    if (b <= kSmallScalarBits) {
      small.push_back((uint32_t)i);
      smallBits = std::max(smallBits, b);
    } else {
      large.push_back((uint32_t)i);
      largeBits = std::max(largeBits, b);
    }
  }
  const std::vector<uint32_t> all;
  if (large.empty()) return msmPass<F>(bases, red, neg, all, std::max(smallBits, 1u), threads);
  if (small.size() < large.size()) return msmPass<F>(bases, red, neg, all, largeBits, threads);
  return msmPass<F>(bases, red, neg, small, std::max(smallBits, 1u), threads).add(msmPass<F>(bases, red, neg, large, largeBits, threads));
}

// The fixed-base table's shape: a scalar's 32 bytes, each a window of 256 multiples.
constexpr size_t kByteWindows = 32, kByteValues = 256;

// d·2^(8j)·G for the 32 byte-windows j and d < 256, affine: built once per generator and kept,
// since a key's sections each multiply the same generator (a small model's setup built it eight
// times over). Shared by the threads that call in (workers included), read-only once built.
template <class F>
std::shared_ptr<const std::vector<Affine<F>>> fixedBaseTable(const Affine<F>& g) {
  static std::mutex mu;
  static Affine<F> cachedFor;
  static std::shared_ptr<const std::vector<Affine<F>>> cached;
  std::lock_guard<std::mutex> lock(mu);
  if (cached && cachedFor.x == g.x && cachedFor.y == g.y) return cached;
  const size_t W = kByteWindows, D = kByteValues;
  std::vector<Jacobian<F>> tj(W * D);
  Jacobian<F> base = Jacobian<F>::fromAffine(g);
  for (size_t j = 0; j < W; j++) {
    Jacobian<F> acc = Jacobian<F>::infinity();
    tj[j * D] = acc;
    for (size_t d = 1; d < D; d++) {
      acc = acc.add(base);
      tj[j * D + d] = acc;
    }
    for (int b = 0; b < 8; b++) base = base.dbl();
  }
  auto table = std::make_shared<std::vector<Affine<F>>>(W * D);
  batchToAffine(tj.data(), table->data(), W * D);
  cachedFor = g;
  cached = table;
  return cached;
}

// sᵢ·G for each scalar, as affine points ((0, 0) for infinity): 32 byte-windows of the table of
// d·2^(8j)·G, so each point is at most 32 mixed additions; one inversion per thread's share.
template <class F>
void fixedBaseMul(const Affine<F>& g, const uint8_t* scalarBytes, size_t n, Affine<F>* out, unsigned threads) {
  threads = threadCount(threads);
  const size_t W = kByteWindows, D = kByteValues;
  const auto tablePtr = fixedBaseTable(g);
  const std::vector<Affine<F>>& table = *tablePtr;
  if (n < 64) threads = 1;
  auto work = [&](size_t from, size_t to) {
    const size_t CHUNK = 1024;
    std::vector<Jacobian<F>> acc(CHUNK);
    for (size_t start = from; start < to; start += CHUNK) {
      size_t m = std::min(CHUNK, to - start);
      for (size_t i = 0; i < m; i++) {
        const uint8_t* s = scalarBytes + 32 * (start + i);
        Jacobian<F> a = Jacobian<F>::infinity();
        for (size_t j = 0; j < W; j++) {
          if (s[j]) a = a.addMixed(table[j * D + s[j]]);
        }
        acc[i] = a;
      }
      batchToAffine(acc.data(), out + start, m);
    }
    wipe(acc.data(), acc.size() * sizeof(Jacobian<F>));
  };
  if (threads == 1) {
    work(0, n);
    return;
  }
  std::vector<std::thread> pool;
  size_t per = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; t++) {
    size_t from = std::min(n, t * per), to = std::min(n, from + per);
    if (from < to) pool.emplace_back(work, from, to);
  }
  for (auto& th : pool) th.join();
}

}  // namespace zkml
