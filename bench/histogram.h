// A log-linear latency histogram in the manner of HdrHistogram: exact below 256 ns, then 128
// linear buckets per power of two, so any reported value is within 0.8% of the true one.
// Not thread-safe: each histogram belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace relayer::bench {

class Histogram {
 public:
  Histogram();

  void Record(int64_t nanos);  // negative values count as 0
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // The value at percentile p (0..100]: the highest value of the bucket holding that rank,
  // never above the largest recorded value. 0 when empty.
  int64_t Percentile(double p) const;

 private:
  static size_t IndexOf(uint64_t v);
  static uint64_t HighestIn(size_t index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace relayer::bench
