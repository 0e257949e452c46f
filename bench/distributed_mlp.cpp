// Data-parallel training's speed (issue 20): one epoch of W1 (784-128-10)
// or the demo's MLP (784-256-128-10) on the peers' 60,000 Fashion-MNIST
// rows, plain SGD, no shuffling, one thread a process. Run it on 1 and on
// N processes (bench/distributed.sh alternates them); the global batch is
// the same, each rank taking global / N rows a step.
//
// Usage: mpirun -np N bench_distributed_mlp <w1|demo> <global batch> <data directory>
// Prints, on rank 0: model, ranks, global batch, epoch seconds, samples/s,
// and the share of the epoch each rank spent in the step's collectives
// (the gradients' allreduce; the small syncs; its median over ranks).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <ketl/distributed.hpp>
#include <ketl/ketl.hpp>

#include "peers/data.hpp"

namespace {
using clock_type = std::chrono::steady_clock;

// The world, timing each call: the gradients' allreduce (the float sum)
// apart from the small syncs (headers, shares, values).
class TimedCollective final : public ketl::Collective {
 public:
  explicit TimedCollective(std::shared_ptr<ketl::Collective> g) : g_(std::move(g)) {}
  int rank() const override { return g_->rank(); }
  int size() const override { return g_->size(); }
  void sum(double* p, std::size_t n) override {
    timed(small, [&] { g_->sum(p, n); });
  }
  void sum(float* p, std::size_t n) override {
    timed(grads, [&] { g_->sum(p, n); });
  }
  void max(double* p, std::size_t n) override {
    timed(small, [&] { g_->max(p, n); });
  }
  void broadcast(void* p, std::size_t b, int root) override { g_->broadcast(p, b, root); }
  void gather(void* all, const std::size_t* counts) override { g_->gather(all, counts); }
  double grads = 0, small = 0;

 private:
  template <class F>
  void timed(double& total, F&& f) {
    const auto t0 = clock_type::now();
    f();
    total += std::chrono::duration<double>(clock_type::now() - t0).count();
  }
  std::shared_ptr<ketl::Collective> g_;
};

template <class Model>
void run(Model model, const char* name, std::size_t global, const peers::Workload& w) {
  namespace dist = ketl::distributed;
  const auto ranks = std::size_t(dist::size());
  xt::xtensor<float, 2> x = xt::adapt(w.x, std::array<std::size_t, 2>{peers::kSamples, peers::kIn});
  xt::xtensor<std::uint8_t, 1> labels = xt::adapt(w.y, std::array<std::size_t, 1>{peers::kSamples});
  const auto y = ketl::utils::to_categorical(labels, 10);
  auto timed = std::make_shared<TimedCollective>(dist::world());
  if (ranks > 1)
    model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy,
                  ketl::DataParallel{timed});
  else
    model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  const auto start = clock_type::now();
  const auto h =
      model.fit(x, y, {.batch_size = global / ranks, .epochs = 1, .verbose = 0, .shuffle = false});
  const double t = std::chrono::duration<double>(clock_type::now() - start).count();
  // Each rank's shares, gathered as doubles; rank 0 prints the median.
  std::vector<double> share(2 * ranks);
  share[std::size_t(dist::rank())] = timed->grads / t;
  share[ranks + std::size_t(dist::rank())] = timed->small / t;
  dist::world()->sum(share.data(), share.size());
  auto median = [&](std::size_t at) {
    std::vector<double> v(share.begin() + std::ptrdiff_t(at),
                          share.begin() + std::ptrdiff_t(at + ranks));
    std::sort(v.begin(), v.end());
    return ranks % 2 ? v[ranks / 2] : (v[ranks / 2 - 1] + v[ranks / 2]) / 2;
  };
  if (dist::rank() == 0)
    std::printf(
        "%s ranks %zu batch %zu epoch %.4f s %.0f samples/s allreduce %.1f%% syncs %.1f%% "
        "loss %.4f\n",
        name, ranks, global, t, double(peers::kSamples) / t, 100 * median(0), 100 * median(ranks),
        h.history.at("loss")[0]);
}
}  // namespace

int main(int argc, char** argv) {
  ketl::distributed::init(argc, argv);
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <w1|demo> <global batch> <data directory>\n", argv[0]);
    return 2;
  }
  const std::string which = argv[1];
  const std::size_t global = std::strtoul(argv[2], nullptr, 10);
  const auto w = peers::load(argv[3]);
  ketl::utils::set_random_seed(1);
  if (which == "w1")
    run(ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                         ketl::Dense<10, ketl::Softmax>{}},
        "w1", global, w);
  else
    run(ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                         ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}},
        "demo", global, w);
}
