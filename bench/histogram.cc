#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace relayer::bench {

namespace {
constexpr int kSubBits = 7;  // 128 linear buckets per power of two
constexpr uint64_t kSub = 1u << kSubBits;
constexpr uint64_t kExact = 2 * kSub;  // values below 256 have a bucket each
constexpr int kTopMagnitude = 62;
constexpr size_t kBuckets = kExact + (kTopMagnitude - kSubBits) * kSub;
}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::IndexOf(uint64_t v) {
  if (v < kExact) return v;
  const int magnitude = 63 - std::countl_zero(v);  // >= 8
  const int shift = magnitude - kSubBits;
  const uint64_t sub = v >> shift;  // in [128, 256)
  return kExact + static_cast<size_t>(magnitude - kSubBits - 1) * kSub + (sub - kSub);
}

uint64_t Histogram::HighestIn(size_t index) {
  if (index < kExact) return index;
  const size_t rest = index - kExact;
  const int magnitude = static_cast<int>(rest / kSub) + kSubBits + 1;
  const uint64_t sub = kSub + rest % kSub;
  const int shift = magnitude - kSubBits;
  return (sub << shift) + ((uint64_t{1} << shift) - 1);
}

void Histogram::Record(int64_t nanos) {
  const uint64_t v = nanos < 0 ? 0 : static_cast<uint64_t>(nanos);
  counts_[std::min(IndexOf(v), kBuckets - 1)]++;
  count_++;
  sum_ += v;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
}

int64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(p, 0.0, 100.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(clamped / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min<int64_t>(static_cast<int64_t>(HighestIn(i)), max_);
  }
  return max_;
}

}  // namespace relayer::bench
