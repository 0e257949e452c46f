// ketl::Collective: the processes that train one model together, as the
// engine sees them. The engine never includes MPI: it talks to this
// interface, and ketl/distributed.hpp implements it over MPI. The
// DataParallel compile option (below) hands one to compile().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include "ketl/error.hpp"

namespace ketl {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // In place, over every rank; every rank calls each one in the same order
  // with the same count.
  virtual void sum(double* p, std::size_t n) = 0;
  virtual void sum(float* p, std::size_t n) = 0;
  virtual void max(double* p, std::size_t n) = 0;
  virtual void broadcast(void* p, std::size_t bytes, int root) = 0;
  // all holds every rank's part, rank by rank, counts[r] bytes for rank r
  // (known to every rank); each rank has filled its own part, and gets the
  // others'.
  virtual void gather(void* all, const std::size_t* counts) = 0;
};

// One rank failed during a data-parallel call: every rank throws this, with
// the failing rank and its own message, instead of waiting for it forever.
struct distributed_error : error {
  distributed_error(int failed_rank, const std::string& what) : error(what), rank(failed_rank) {}
  int rank;
};

// How fit's arrays are spread over the ranks.
enum class Shard {
  // Every rank holds the same arrays: each global batch (batch_size rows per
  // rank) is cut into the ranks' parts in rank order, so the ranks see
  // what one process would with batch_size * size().
  split,
  // Each rank holds its own arrays (its shard): it trains on its own rows,
  // and every epoch has the steps of the smallest shard.
  local,
};

// compile(..., ketl::distributed::DataParallel()) and fit trains one model
// on every rank of `group` (ketl/distributed.hpp; docs/distributed.md).
struct DataParallel {
  std::shared_ptr<Collective> group;
  Shard data = Shard::split;
};

namespace detail {
template <class A>
inline constexpr bool is_data_parallel = std::is_same_v<A, ketl::DataParallel>;
}  // namespace detail

}  // namespace ketl
