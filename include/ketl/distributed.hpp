// Data-parallel training over MPI, Horovod's shape (docs/distributed.md):
//
//   int main(int argc, char** argv) {
//     ketl::distributed::init(argc, argv);
//     Net model;
//     model.compile(ketl::optimizers::Adam{}, "categorical_crossentropy", ketl::metrics::accuracy,
//                   ketl::distributed::DataParallel());
//     model.fit(x, y, {.batch_size = 16});   // 16 rows per rank and step
//   }
//
// and `mpirun -np 2 ./train`. The only ketl header that needs MPI: the
// engine sees the ranks through ketl::Collective (collective.hpp).
#pragma once

// MPI's C API only: the C++ bindings (deprecated since MPI 2.2) that mpi.h
// would pull in do not compile warning-free.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ketl/collective.hpp"
#include "ketl/error.hpp"

namespace ketl::distributed {

// An MPI communicator as a ketl::Collective. MPI's own errors abort the
// job (MPI_ERRORS_ARE_FATAL, MPI's default): a collective that fails
// half-way cannot be recovered from by the ranks that are waiting in it.
class MpiCollective final : public Collective {
 public:
  explicit MpiCollective(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {}
  int rank() const override {
    int r = 0;
    MPI_Comm_rank(comm_, &r);
    return r;
  }
  int size() const override {
    int s = 0;
    MPI_Comm_size(comm_, &s);
    return s;
  }
  void sum(double* p, std::size_t n) override { reduce(p, n, MPI_DOUBLE, MPI_SUM); }
  void sum(float* p, std::size_t n) override { reduce(p, n, MPI_FLOAT, MPI_SUM); }
  void max(double* p, std::size_t n) override { reduce(p, n, MPI_DOUBLE, MPI_MAX); }
  void broadcast(void* p, std::size_t bytes, int root) override {
    auto* b = static_cast<char*>(p);
    for (std::size_t done = 0; done < bytes;) {
      const int c = chunk(bytes - done);
      MPI_Bcast(b + done, c, MPI_BYTE, root, comm_);
      done += std::size_t(c);
    }
  }
  void gather(void* all, const std::size_t* counts) override {
    const auto n = std::size_t(size());
    std::vector<int> c(n), at(n);
    std::size_t off = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (counts[r] > std::size_t(INT_MAX) || off > std::size_t(INT_MAX))
        throw value_error("ketl: distributed: a gather of more than 2 GB (MPI counts are int)");
      c[r] = int(counts[r]), at[r] = int(off);
      off += counts[r];
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, c.data(), at.data(), MPI_BYTE, comm_);
  }

 private:
  static int chunk(std::size_t left) { return int(std::min<std::size_t>(left, 1u << 30)); }
  template <class V>
  void reduce(V* p, std::size_t n, MPI_Datatype type, MPI_Op op) {
    // MPI counts are int: a larger buffer goes in 2^30-element pieces.
    for (std::size_t done = 0; done < n;) {
      const int c = chunk(n - done);
      MPI_Allreduce(MPI_IN_PLACE, p + done, c, type, op, comm_);
      done += std::size_t(c);
    }
  }
  MPI_Comm comm_;
};

// MPI_Init, once, if the program has not initialised MPI itself; MPI is
// finalised at exit. Threads: ketl calls MPI from the thread that calls
// fit, so MPI_THREAD_FUNNELED is enough.
inline void init(int& argc, char**& argv) {
  int done = 0;
  MPI_Initialized(&done);
  if (done) return;
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw error("ketl: distributed::init: MPI_Init_thread failed");
  std::atexit([] {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  });
}

// Every process of the job (MPI_COMM_WORLD).
inline std::shared_ptr<Collective> world() {
  static const auto w = std::make_shared<MpiCollective>(MPI_COMM_WORLD);
  return w;
}
inline int rank() { return world()->rank(); }
inline int size() { return world()->size(); }

// The compile() option: fit, evaluate, predict and the *_on_batch calls
// run on every rank of the world as one model.
inline ::ketl::DataParallel DataParallel(Shard data = Shard::split) { return {world(), data}; }

}  // namespace ketl::distributed
