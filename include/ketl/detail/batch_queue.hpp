// The background workers of the generator methods (Keras's enqueuers).
//
// Every batch has a ticket, 0, 1, 2, ...; workers take tickets in order and
// fill a ring of `capacity` slots, and get() hands the batches out in
// ticket order. A worker may not take ticket t until t < taken + capacity,
// so at most `capacity` batches are made or waiting at once (Keras's
// max_queue_size). A generator is called under a lock, in ticket order; a
// Sequence's operator[] runs in parallel, on the indices of the current
// pass (an epoch's order, shuffled or not).
//
// Passes: the tickets of pass p + 1 are only handed out after get() has
// handed out all of pass p and the caller is done with them (its next
// get(), or finish()); between the two, `between_passes` runs with no
// worker inside the source: Keras's on_epoch_end, then a new order.
//
// With workers == 0, get() makes each batch on the calling thread.
//
// A worker's exception is rethrown by the get() that reaches its ticket,
// after every worker is stopped and joined. The destructor stops and joins
// them too, so no exit path leaves a thread behind.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "ketl/data_source.hpp"

namespace ketl::detail {

template <class T>
class batch_queue {
 public:
  struct config {
    std::size_t workers = 0;
    std::size_t capacity = 10;
    bool serial = true;           // a generator: one call at a time, in ticket order
    std::size_t pass_length = 0;  // a Sequence's size(); 0: no passes
  };
  // ticket -> batch; nullopt when the source has ended.
  using produce_fn = std::function<std::optional<Batch<T>>(std::size_t)>;

  batch_queue(config c, produce_fn produce, std::function<void()> between_passes = {})
      : cfg_(c),
        produce_(std::move(produce)),
        between_passes_(std::move(between_passes)),
        slots_(std::max<std::size_t>(c.capacity, 1)) {
    cfg_.capacity = slots_.size();
    threads_.reserve(cfg_.workers);
    try {
      for (std::size_t i = 0; i < cfg_.workers; ++i) threads_.emplace_back([this] { work(); });
    } catch (...) {
      stop();
      throw;
    }
  }
  batch_queue(const batch_queue&) = delete;
  batch_queue& operator=(const batch_queue&) = delete;
  ~batch_queue() { stop(); }

  // The next batch in ticket order; nullopt once the source has ended.
  std::optional<Batch<T>> get() {
    if (ended_) return std::nullopt;
    open_next_pass_if_due();
    slot s;
    if (cfg_.workers == 0) {
      fill(s, taken_);
      ++taken_;
    } else {
      std::unique_lock lock(m_);
      consumer_cv_.wait(lock, [&] { return slots_[taken_ % cfg_.capacity].filled; });
      s = std::move(slots_[taken_ % cfg_.capacity]);
      slots_[taken_ % cfg_.capacity] = slot{};
      ++taken_;
      lock.unlock();
      producer_cv_.notify_all();
    }
    if (s.error) {
      stop();
      std::rethrow_exception(s.error);
    }
    if (!s.batch) ended_ = true;
    return std::move(s.batch);
  }

  // The caller is done: a pass that has just been handed out in full ends
  // (on_epoch_end), as Keras's enqueuer ends each pass.
  void finish() {
    stop();
    if (!ended_ && cfg_.pass_length && taken_ == opened_ * cfg_.pass_length && between_passes_)
      between_passes_();
  }

  // Stops and joins every worker; idempotent.
  void stop() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    producer_cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  struct slot {
    std::optional<Batch<T>> batch = std::nullopt;
    std::exception_ptr error = nullptr;
    bool filled = false;
  };

  void fill(slot& s, std::size_t ticket) {
    try {
      s.batch = produce_(ticket);
    } catch (...) {
      s.error = std::current_exception();
    }
    s.filled = true;
  }

  bool may_take(std::size_t t) const {
    return t < taken_ + cfg_.capacity && (!cfg_.pass_length || t < opened_ * cfg_.pass_length);
  }

  void open_next_pass_if_due() {
    if (!cfg_.pass_length || taken_ < opened_ * cfg_.pass_length) return;
    // Every worker is waiting for a ticket of the next pass: none is inside
    // the source, so between_passes may touch it.
    if (between_passes_) between_passes_();
    {
      std::lock_guard lock(m_);
      ++opened_;
    }
    producer_cv_.notify_all();
  }

  void work() {
    for (;;) {
      std::unique_lock serial(serial_m_, std::defer_lock);
      if (cfg_.serial) serial.lock();
      std::size_t ticket = 0;
      {
        std::unique_lock lock(m_);
        producer_cv_.wait(lock, [&] { return stopping_ || source_done_ || may_take(issued_); });
        if (stopping_ || source_done_) return;
        ticket = issued_++;
      }
      slot s;
      fill(s, ticket);
      if (serial.owns_lock()) serial.unlock();
      {
        std::lock_guard lock(m_);
        // After an error or the end, no later ticket is made.
        if (s.error || !s.batch) source_done_ = true;
        slots_[ticket % cfg_.capacity] = std::move(s);
      }
      consumer_cv_.notify_one();
      producer_cv_.notify_all();
    }
  }

  config cfg_;
  produce_fn produce_;
  std::function<void()> between_passes_;
  std::vector<slot> slots_;
  std::vector<std::thread> threads_;
  std::mutex m_, serial_m_;
  std::condition_variable producer_cv_, consumer_cv_;
  // Guarded by m_ when there are workers.
  std::size_t issued_ = 0;
  std::size_t opened_ = 1;  // passes whose tickets may be handed out
  bool stopping_ = false;
  bool source_done_ = false;
  // The consumer's own.
  std::size_t taken_ = 0;
  bool ended_ = false;
};

}  // namespace ketl::detail
