// The sync points of data-parallel training (engine/parallel_fit.hpp):
// rank_sync, the header each starts with, which carries a failure or a
// stop from any rank to all; and the ranks' parts of a batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "ketl/callback.hpp"
#include "ketl/collective.hpp"
#include "ketl/layer.hpp"

namespace ketl::engine {

namespace detail {

// The header every sync point of a data-parallel call starts with: one
// allreduce of two numbers, whether a rank has failed and whether one asks
// to stop training. A rank that fails joins the others at their next
// header with its failure, so none of them waits for a payload that never
// comes; all then throw the first failed rank's message.
class rank_sync {
 public:
  explicit rank_sync(Collective& g) : g_(g) {}
  // Whether some rank asked to stop (its model.stop_training).
  bool header(bool stop) {
    double h[2] = {0.0, stop ? 1.0 : 0.0};
    g_.max(h, 2);
    if (h[0] > 0) agree_on_failure(g_.size() - static_cast<int>(h[0]), {});
    return h[1] > 0;
  }
  // This rank failed with e: the others hear of it at their next header.
  [[noreturn]] void fail(const std::exception_ptr& e) {
    std::string what = "an exception that is not a std::exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
    double h[2] = {double(g_.size() - g_.rank()), 0.0};  // max: the first failed rank
    g_.max(h, 2);
    agree_on_failure(g_.size() - static_cast<int>(h[0]), std::move(what));
  }

 private:
  [[noreturn]] void agree_on_failure(int failed, std::string what) {
    std::uint64_t len = what.size();
    g_.broadcast(&len, sizeof len, failed);
    what.resize(len);
    if (len) g_.broadcast(what.data(), len, failed);
    throw distributed_error(failed, "ketl: rank " + std::to_string(failed) + " of " +
                                        std::to_string(g_.size()) + " failed: " + what);
  }
  Collective& g_;
};

// Rank r's rows [first, last) of m rows cut over `size` ranks in rank order.
inline std::pair<std::size_t, std::size_t> part_of(std::size_t m, std::size_t r, std::size_t size) {
  return {m * r / size, m * (r + 1) / size};
}

// The callbacks that run on this rank: on ranks other than 0, none whose
// type is rank_zero_only (those that write files or print).
inline std::vector<CallbackRef> rank_callbacks(const std::vector<CallbackRef>& all,
                                               std::size_t rank) {
  std::vector<CallbackRef> mine;
  for (const auto& cb : all)
    if (rank == 0 || !cb.rank_zero_only()) mine.push_back(cb);
  return mine;
}

// Non-trainable state that moves in training (no gradient, not frozen):
// averaged over the ranks at every step, so that every rank keeps one model.
template <class T>
bool is_moving_state(const WeightRef<T>& w) {
  return !w.trainable && w.grad.empty();
}

}  // namespace detail

}  // namespace ketl::engine
