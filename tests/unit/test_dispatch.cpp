// The float GEMM's run-time choice of instruction set (detail/gemm_dispatch.hpp),
// in ketl_portable_tests: built for baseline x86-64, as a program without
// -march is, so that the AVX2 or AVX-512 copy runs where the CPU has it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include <ketl/ketl.hpp>

#include "gemm_reference.hpp"

using namespace gemm_test;
using ketl::detail::gemm_isa;

namespace {
std::size_t isa_bits(gemm_isa i) {
  switch (i) {
    case gemm_isa::avx2:
      return 256;
    case gemm_isa::avx512:
      return 512;
    default:
      return ketl::detail::simd::batch<float>::size * 32;
  }
}

bool cpu_runs(gemm_isa i) {
#if KETL_GEMM_DISPATCH
  const auto cpu = xsimd::available_architectures();
  if (i == gemm_isa::avx2) return cpu.fma3_avx2;
  if (i == gemm_isa::avx512) return cpu.avx512f;
#endif
  return i == gemm_isa::compiled;
}

// Restores the automatic choice however a test ends.
struct Force {
  explicit Force(gemm_isa i) { ketl::detail::forced_gemm_isa() = int(i); }
  ~Force() { ketl::detail::forced_gemm_isa() = -1; }
};
}  // namespace

TEST_CASE("the dispatch picks the widest arch the CPU runs", "[dispatch]") {
  const auto cpu = ketl::cpu_features();
  const gemm_isa active = ketl::detail::active_gemm_isa();
  INFO("compiled " << cpu.compiled << ", CPU's best " << cpu.best << ", GEMM " << cpu.gemm);
  CHECK(cpu_runs(active));
  CHECK(cpu.gemm == ketl::detail::gemm_isa_name(active));
  // Never narrower than the program's own arch or than the CPU's best.
  CHECK(isa_bits(active) >= cpu.compiled_bits);
  CHECK(isa_bits(active) >= std::min<std::size_t>(cpu.best_bits, 512));
  // And nothing is dispatched when the program's flags already reach the CPU's best.
  if (!cpu.narrower_than_cpu()) CHECK(isa_bits(active) == cpu.compiled_bits);
}

TEST_CASE("every arch the CPU runs computes the naive loop's GEMM", "[dispatch][gemm]") {
  ketl::Random rng(13);
  std::vector<float> bias(80);
  for (auto& v : bias) v = float(rng.uniform(-2, 2));
  const bias_relu<float> epi{bias.data()};
  const ketl::detail::bias_activation<ketl::Relu, float> relu{bias.data(), {}};
  const ketl::detail::bias_activation<ketl::Linear, float> linear{bias.data(), {}};
  for (const gemm_isa i : {gemm_isa::compiled, gemm_isa::avx2, gemm_isa::avx512}) {
    if (i != gemm_isa::compiled && (!ketl::detail::sgemm_for(i) || !cpu_runs(i))) {
      WARN("no " << ketl::detail::gemm_isa_name(i) << " copy here, or the CPU lacks it");
      continue;
    }
    Force force(i);
    INFO("arch " << ketl::detail::gemm_isa_name(i));
    for (std::size_t m : {1, 2, 3, 5, 6, 7, 11, 12, 13, 32, 200})
      for (std::size_t n : {1, 10, 16, 33, 70})
        for (bool t : {false, true}) {
          check_gemm<float>(m, n, 300, t, false);
          check_gemm<float>(m, n, 31, t, true, epi, bias.data());
          check_gemm<float>(m, n, 300, t, true, epi, bias.data(), 128);  // packed B
          check_gemm_bt<float>(m, n, 300, t, m % 2 == 0, 301);
          check_gemm_bt<float>(m, n, 37, t, true, 37, epi, bias.data());
          // Dense's bias_activation: the bias folded into the accumulators.
          check_gemm<float>(m, n, 300, t, m % 3 == 0, relu, bias.data());
          check_gemm_bt<float>(m, n, 37, t, m % 3 == 1, 40, linear, bias.data(), false);
        }
  }
}

// A whole training run through the dispatched GEMM agrees with one through
// the program's own arch, up to rounding (FMA against separate multiply and
// add where the program's arch has no FMA).
TEST_CASE("training through the dispatched GEMM agrees with the program's own arch",
          "[dispatch][training]") {
  using namespace ketl;
  set_arch_warning(false);  // this program is built narrow on purpose
  xt::xtensor<float, 2> x = xt::zeros<float>({256, 64});
  xt::xtensor<float, 2> y = xt::zeros<float>({256, 10});
  Random rng(9);
  for (auto& v : x) v = float(rng.uniform());
  for (std::size_t i = 0; i < 256; ++i) y(i, rng.below(10)) = 1;
  auto train = [&](gemm_isa i) {
    Force force(i);
    utils::set_random_seed(4);
    auto model = Sequential{Input<64>{}, Dense<48, Relu>{}, Dense<10, Softmax>{}};
    model.compile(optimizers::SGD{.lr = 0.1f}, losses::categorical_crossentropy);
    return model.fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 0}).history.at("loss");
  };
  const auto own = train(gemm_isa::compiled);
  const auto active = train(ketl::detail::active_gemm_isa());
  REQUIRE(own.size() == 3);
  CHECK(own[2] < own[0]);
  for (std::size_t e = 0; e < 3; ++e) CHECK(active[e] == Approx(own[e]).epsilon(1e-4));
}
