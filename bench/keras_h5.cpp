// What reading a Keras .h5 file costs, with libhdf5 in a child process
// (the default, io/isolated.hpp) and in this process, and what writing one
// costs, for W1's weights (784-128-10, 416 KB) and a 4 MB model.
//   build/gcc-release/bench/bench_keras_h5 --benchmark_repetitions=9
//       --benchmark_report_aggregates_only=true   (one line)
#include <benchmark/benchmark.h>

#include <ketl/io/keras_h5.hpp>
#include <ketl/ketl.hpp>

namespace {

template <class M>
void load(benchmark::State& state, M model, const char* path) {
  model.save_weights(path);
  ketl::io::set_isolated_readers(state.range(0) != 0);
  for (auto _ : state) model.load_weights(path);
  ketl::io::set_isolated_readers(true);
}

void W1Load(benchmark::State& state) {
  load(state,
       ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                        ketl::Dense<10, ketl::Softmax>{}},
       "/tmp/ketl_bench_w1.h5");
}
void Big4MBLoad(benchmark::State& state) {
  load(state,
       ketl::Sequential{ketl::Input<784>{}, ketl::Dense<1024, ketl::Relu>{},
                        ketl::Dense<256, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}},
       "/tmp/ketl_bench_big.h5");
}
void W1Save(benchmark::State& state) {
  auto m = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<128, ketl::Relu>{},
                            ketl::Dense<10, ketl::Softmax>{}};
  for (auto _ : state) m.save_weights("/tmp/ketl_bench_w1_save.h5");
}

}  // namespace

// Arg 1: in a child process; 0: in-process.
BENCHMARK(W1Load)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(Big4MBLoad)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(W1Save)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
