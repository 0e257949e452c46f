// Persistent helper threads for the kernels: run(parts, f) calls f(0) on the
// calling thread and f(1) .. f(parts - 1) on helpers, and returns when all
// are done. A call allocates nothing (the task is a pointer to the caller's
// callable), so a training step stays allocation-free with threads on.
//
// Helpers spin for a while after each task, because the next GEMM of a
// training step follows within microseconds; then they sleep on a
// condition variable, so an idle model costs no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KETL_PAUSE() _mm_pause()
#else
#define KETL_PAUSE() std::this_thread::yield()
#endif

namespace ketl::detail {

class thread_pool {
 public:
  static thread_pool& instance() {
    static thread_pool pool;
    return pool;
  }

  // f(i) for i in [0, parts); parts - 1 helpers must be available (they are
  // started on first use, outside any training step's timing).
  template <class F>
  void run(std::size_t parts, F& f) {
    // One round at a time: a second caller meanwhile (another thread's
    // model) runs its parts itself rather than wait.
    std::unique_lock round(round_m_, std::try_to_lock);
    if (parts <= 1 || !round) {
      for (std::size_t i = 0; i < parts; ++i) f(i);
      return;
    }
    ensure_helpers(parts - 1);
    task_ = &f;
    invoke_ = [](void* p, std::size_t i) { (*static_cast<F*>(p))(i); };
    parts_ = parts;
    // Every helper acknowledges every round, working or not, so none is
    // still reading this round's task when the next one is written.
    pending_.store(helpers_.size(), std::memory_order_relaxed);
    // Sequentially consistent with the helpers' sleepers_ increment: either
    // the caller sees a sleeper and wakes it, or the sleeper sees the round.
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard lock(m_);
      cv_.notify_all();
    }
    f(std::size_t{0});
    while (pending_.load(std::memory_order_acquire) != 0) KETL_PAUSE();
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
  thread_pool() = default;

  void ensure_helpers(std::size_t n) {
    while (helpers_.size() < n) {
      const std::size_t index = helpers_.size() + 1;  // helper k runs part k
      helpers_.emplace_back([this, index] { work(index); });
    }
  }

  void work(std::size_t index) {
    std::uint64_t seen = 0;
    for (;;) {
      // Spin a while for the next task, then sleep.
      std::uint64_t g = generation_.load(std::memory_order_acquire);
      for (int spin = 0; g == seen && spin < 200000; ++spin) {
        KETL_PAUSE();
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
      if (index < parts_) invoke_(task_, index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> helpers_;
  // Written by the caller before the generation is bumped (release), read
  // by helpers after they see it (acquire).
  void* task_ = nullptr;
  void (*invoke_)(void*, std::size_t) = nullptr;
  std::size_t parts_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::atomic<int> sleepers_{0};
  std::mutex m_, round_m_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};

}  // namespace ketl::detail

#undef KETL_PAUSE
