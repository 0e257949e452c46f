// Reproducible randomness. std::uniform_real_distribution and friends are
// implementation-defined, so g++/libstdc++ and clang++/libc++ would train
// different models from one seed; ketl draws its own numbers from
// xoshiro256** instead, the same bits on every platform.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ketl {

class Random {
 public:
  using result_type = std::uint64_t;

  explicit Random(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    // splitmix64 spreads any seed, 0 included, over the whole state.
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s = z ^ (z >> 31);
    }
    has_spare_ = false;
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), from the top 53 bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = max() - max() % n;
    std::uint64_t r;
    do r = (*this)();
    while (r >= limit);
    return r % n;
  }

  // Standard normal, Marsaglia's polar method.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

  // Normal redrawn outside two standard deviations, as tf.truncated_normal.
  double truncated_normal(double mean, double stddev) {
    double z;
    do z = normal();
    while (z < -2.0 || z > 2.0);
    return mean + stddev * z;
  }

  // Skips k numbers: the generator is where k calls would have left it.
  void discard(std::uint64_t k) {
    while (k--) (void)(*this)();
  }

  // Data-parallel training (engine/parallel_fit.hpp): this generator stands
  // for one rank's rows of a global batch, with `before` and `after` rows
  // of the other ranks around its own `mine`. A layer that draws a block of
  // numbers proportional to its rows, as Dropout's masks, draws through
  // block(): it skips the other ranks' parts, so its numbers are the ones a
  // single process would draw for these rows, and every rank's generator
  // ends the block in the same state. mine == 0: no slice (one process).
  void set_slice(std::size_t before, std::size_t mine, std::size_t after) {
    slice_ = {before, mine, after};
  }
  // f(i) for i in [0, count), count being this rank's part of the block.
  template <class F>
  void block(std::size_t count, F&& f) {
    if (slice_.mine) discard(count / slice_.mine * slice_.before);
    for (std::size_t i = 0; i < count; ++i) f(i);
    if (slice_.mine) discard(count / slice_.mine * slice_.after);
  }

  // The generator's state alone (not its slice), to copy between ranks.
  struct state_type {
    std::uint64_t s[4];
    double spare;
    std::uint64_t has_spare;
  };
  state_type state() const { return {{s_[0], s_[1], s_[2], s_[3]}, spare_, has_spare_ ? 1u : 0u}; }
  void set_state(const state_type& st) {
    std::copy(st.s, st.s + 4, s_);
    spare_ = st.spare;
    has_spare_ = st.has_spare != 0;
  }

  // Fisher-Yates, with our own `below` so the order is the same everywhere.
  template <class It>
  void shuffle(It first, It last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const auto j = below(i);
      using std::swap;
      swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
  struct {
    std::size_t before = 0, mine = 0, after = 0;
  } slice_;
};

namespace detail {
// Models draw their seeds from here, so two models in one program differ (as
// in Keras) while the program as a whole is reproducible.
inline std::atomic<std::uint64_t>& seed_counter() {
  static std::atomic<std::uint64_t> counter{0x6B65746CULL};  // "ketl"
  return counter;
}
inline std::uint64_t next_model_seed() {
  return seed_counter().fetch_add(0x9E3779B97F4A7C15ull) ^ 0xD1B54A32D192ED03ull;
}
}  // namespace detail

namespace utils {
// tf.keras.utils.set_random_seed: every model built after this call draws its
// weights, dropout masks and shuffles from this seed.
inline void set_random_seed(std::uint64_t seed) { detail::seed_counter() = seed; }
}  // namespace utils

}  // namespace ketl
