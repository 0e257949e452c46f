// Persistent helper threads for the kernels: run(parts, f) calls f(i) for
// every i in [0, parts), part 0 on the calling thread, and returns when all
// are done. A call allocates nothing (the task is a pointer to the caller's
// callable), so a training step stays allocation-free with threads on.
//
// The parts are claimed, not assigned: the caller takes part 0 and then
// every part no helper has claimed yet, so a helper that the scheduler has
// not run (the other core is busy) costs nothing; the caller only waits for
// parts a helper has started. Each part is computed by the same code
// whoever runs it, so results do not depend on who ran what.
//
// Waiting is bounded spinning, then yielding, then sleeping: helpers spin
// briefly after a task (the next GEMM of a step follows within
// microseconds), then sleep on a condition variable; the caller spins
// briefly for a started part, then yields, then sleeps on a futex
// (std::atomic::wait). So a loaded machine, where the spinning thread and
// the one it waits for share a core, does not collapse into one scheduler
// slice per hand-off. And when the helpers cost more time than they save,
// the caller runs the next rounds alone: for a while after a round that
// lost (judge()), and for as long as windows alone measure faster
// (helper_windows).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ketl/denormals.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include "ketl/detail/intrinsics.hpp"
#define KETL_PAUSE() _mm_pause()
#else
#define KETL_PAUSE() std::this_thread::yield()
#endif

namespace ketl::detail {

// Whether the helpers pay, judged on the whole program: judge() sees a
// round's wait, but not the time between rounds, when a spinning helper
// and a busy core's other process leave the caller a share of one core
// (two threads ran W1's batch-32 epoch 1.17x slower than one that way).
// So windows of rounds alternate: the mode that measured faster runs for
// 160 ms, then the other for 20 ms, and each window's wall time per round
// is compared with the last of the other mode's. A training step repeats
// the same rounds, so windows of many steps compare like with like; a gap
// of over 5 ms between rounds (the program did something else) is left
// out. The price on a quiet machine is the 20 ms in 180 spent on the
// slower mode. The pool's caller alone uses it (under round_m_).
struct helper_windows {
  using clock = std::chrono::steady_clock;
  bool alone = false;      // the mode that measured faster
  bool exploring = false;  // this window runs the other one
  bool started = false;
  std::size_t rounds = 0;  // the window's intervals between rounds
  clock::duration span{};  // their time
  clock::time_point last;
  clock::duration per_round[2] = {};  // helpers, alone; zero: not yet measured

  // Whether the round that starts at now runs on the caller alone.
  bool alone_next(clock::time_point now) {
    using std::chrono::milliseconds;
    // The interval since the last round is that round's, in the mode the
    // window ran it in.
    if (started && now - last <= milliseconds(5)) span += now - last, ++rounds;
    started = true;
    last = now;
    if (rounds >= 16 && span >= (exploring ? milliseconds(20) : milliseconds(160))) {
      per_round[exploring ? !alone : alone] = span / std::int64_t(rounds);
      // Switching needs a 3% lead, so noise does not flip the mode back
      // and forth.
      const auto h = per_round[0], a = per_round[1];
      if (h > h.zero() && a > a.zero()) {
        if (alone && h * 100 < a * 97) alone = false;
        if (!alone && a * 100 < h * 97) alone = true;
      }
      exploring = !exploring;
      rounds = 0;
      span = span.zero();
    }
    return exploring ? !alone : alone;
  }
};

class thread_pool {
 public:
  static thread_pool& instance() {
    static thread_pool pool;
    return pool;
  }

  // f(i) for i in [0, parts); at most parts - 1 helpers take part (they
  // are started on first use, outside any training step's timing).
  template <class F>
  void run(std::size_t parts, F& f) {
    // One round at a time: a second caller meanwhile (another thread's
    // model) runs its parts itself rather than wait.
    std::unique_lock round(round_m_, std::try_to_lock);
    const bool alone = round && parts > 1 && windows_.alone_next(std::chrono::steady_clock::now());
    if (parts <= 1 || !round || alone || skip_ > 0) {
      if (round && !alone && skip_ > 0) --skip_;
      for (std::size_t i = 0; i < parts; ++i) f(i);
      return;
    }
    // A round that must wake a helper (or start one) waits for the wake-up,
    // hundreds of microseconds on a virtual CPU: judge() leaves it out.
    bool woke = ensure_helpers(parts - 1);
    // The round's task, written while claiming is closed, then opened.
    task_.store(&f, std::memory_order_relaxed);
    fp_mode_.store(fp_mode(), std::memory_order_relaxed);  // the helpers compute as the caller
    invoke_.store([](void* p, std::size_t i) { (*static_cast<F*>(p))(i); },
                  std::memory_order_relaxed);
    parts_.store(parts, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    const std::uint64_t r = ++round_ & 0xffffffffu;
    next_.store(r << 32 | 1, std::memory_order_release);  // part 0 is the caller's
    generation_.fetch_add(1, std::memory_order_release);
    if (sleepers_.load() > 0) {
      woke = true;
      std::lock_guard lock(m_);
      cv_.notify_all();
    }
    const auto start = std::chrono::steady_clock::now();
    f(std::size_t{0});
    std::size_t mine = 1;
    for (std::size_t i; (i = claim(r)) != none;) {
      f(i);
      ++mine;
    }
    const auto own_done = std::chrono::steady_clock::now();
    // Wait for the parts helpers have started, then close claiming.
    const std::size_t others = parts - mine;
    std::size_t seen = done_.load(std::memory_order_acquire);
    for (int spin = 0; seen < others; ++spin) {
      if (spin < 2000) {
        KETL_PAUSE();
      } else if (spin < 2100) {
        std::this_thread::yield();
      } else {
        done_.wait(seen, std::memory_order_acquire);
      }
      seen = done_.load(std::memory_order_acquire);
    }
    next_.store(closed, std::memory_order_release);
    if (others > 0 && !woke)
      judge(own_done - start, std::chrono::steady_clock::now() - own_done, mine, others);
  }

  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : helpers_) t.join();
  }

 private:
  static constexpr std::uint64_t closed = ~std::uint64_t{0};
  thread_pool() = default;

  static constexpr std::size_t none = ~std::size_t{0};

  // The next unclaimed part of round r, or none when the round has none
  // left or is over. Never a bare index to compare with parts_: once round
  // r is over, parts_ may already be the next round's.
  std::size_t claim(std::uint64_t r) {
    std::uint64_t v = next_.load(std::memory_order_acquire);
    for (;;) {
      if (v == closed || v >> 32 != r) return none;
      const std::size_t part = std::size_t(v & 0xffffffffu);
      if (part >= parts_.load(std::memory_order_relaxed)) return none;
      if (next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) return part;
    }
  }

  // Whether the helpers pay, kept as a balance of time: each round adds
  // what it saved against one thread (the helpers' parts, estimated as the
  // caller's own time per part) less the caller's wait for them, and a
  // round that lost counts twice. A helper descheduled mid-part, because
  // another process holds its core, costs a scheduler slice (4 ms here)
  // and drives the balance below zero: the next rounds then run on the
  // caller alone, twice as many each time it happens again (16 up to
  // 4,096, a few epochs of the MLP's steps). On a busy core that happens
  // about once per slice of the helper's running, which is what its parts
  // save in that time, so losses must count more than savings for the pool
  // to leave; the doubling resets only once the balance reaches 20 ms. A
  // run alone leaves the balance at 1 ms, so the small losses of a quiet
  // machine's uneven rounds do not trigger it.
  void judge(std::chrono::steady_clock::duration own, std::chrono::steady_clock::duration wait,
             std::size_t mine, std::size_t others) {
    using std::chrono::microseconds;
    auto saved = own * std::int64_t(others) / std::int64_t(mine) - wait;
    if (saved < saved.zero()) saved *= 2;
    balance_ = std::min<std::chrono::steady_clock::duration>(balance_ + saved, microseconds(20000));
    if (balance_ < balance_.zero()) {
      backoff_ = std::clamp<std::size_t>(2 * backoff_, 16, 4096);
      skip_ = backoff_;
      balance_ = microseconds(1000);
    } else if (balance_ == microseconds(20000)) {
      backoff_ = 0;
    }
  }

  // Starts helpers up to n; whether it started any.
  bool ensure_helpers(std::size_t n) {
    const bool more = helpers_.size() < n;
    while (helpers_.size() < n) helpers_.emplace_back([this] { work(); });
    return more;
  }

  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      // Spin a while for the next task (pausing, then yielding), then sleep.
      std::uint64_t g = generation_.load(std::memory_order_acquire);
      for (int spin = 0; g == seen && spin < 20000; ++spin) {
        if (spin < 16000)
          KETL_PAUSE();
        else
          std::this_thread::yield();
        g = generation_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        std::unique_lock lock(m_);
        sleepers_.fetch_add(1);
        cv_.wait(lock, [&] { return generation_.load() != seen; });
        sleepers_.fetch_sub(1);
        g = generation_.load();
      }
      seen = g;
      if (stop_.load()) return;
      // Whatever round is open now: claiming checks it, so a helper that
      // woke late takes nothing from a round that has ended.
      const std::uint64_t v = next_.load(std::memory_order_acquire);
      if (v == closed) continue;
      const std::uint64_t r = v >> 32;
      for (std::size_t i; (i = claim(r)) != none;) {
        set_fp_mode(fp_mode_.load(std::memory_order_relaxed));
        invoke_.load(std::memory_order_relaxed)(task_.load(std::memory_order_relaxed), i);
        done_.fetch_add(1, std::memory_order_release);
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> helpers_;
  // The round: written while next_ is closed, published by next_'s store.
  std::atomic<void*> task_{nullptr};
  std::atomic<void (*)(void*, std::size_t)> invoke_{nullptr};
  std::atomic<std::size_t> parts_{0};
  std::atomic<unsigned> fp_mode_{0};  // the caller's denormal flags (ketl/denormals.hpp)
  std::uint64_t round_ = 0;           // the caller's count of rounds
  // Rounds to run alone, the next such run's length, and the time the
  // helpers saved (judge(); round_m_ guards them).
  std::size_t skip_ = 0, backoff_ = 0;
  std::chrono::steady_clock::duration balance_ = std::chrono::microseconds(1000);
  helper_windows windows_;
  std::atomic<std::uint64_t> next_{closed};  // round << 32 | the next part to claim
  std::atomic<std::size_t> done_{0};         // parts helpers finished this round
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};
  std::mutex m_, round_m_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};

}  // namespace ketl::detail

#undef KETL_PAUSE
