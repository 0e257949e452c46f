// categorical_crossentropy + its gradient + categorical_accuracy + top-5
// accuracy over N = 1,000,000 samples x 10 classes, several ways, in one run:
//   (a) ketl's fused pass (the one the training step runs);
//   (b) the same loss, gradient and metrics as separate xtensor expressions;
//   (c) a naive scalar loop, one pass, no SIMD;
//   (d) a plain read of the same bytes (y_true and y_pred): the bandwidth bound;
//   (e) the softmax step, (f) (a)'s parts alone;
//   (g) a hand-written SIMD kernel for this one loss, in the same layout;
//   (h) the log alone, xsimd's and ketl's.
// Bytes processed are the bytes of y_true and y_pred in every case.
//
//   ./build/gcc-release/bench/bench_loss_metrics --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>

#include <ketl/ketl.hpp>
#include <xtensor/xsort.hpp>

namespace {
constexpr std::size_t kRows = 1'000'000, kCols = 10;

struct Data {
  xt::xtensor<float, 2> yt, yp, grad;
  Data() {
    ketl::Random rng(7);
    yt = xt::zeros<float>({kRows, kCols});
    yp = xt::xtensor<float, 2>::from_shape({kRows, kCols});
    grad = xt::zeros<float>({kRows, kCols});
    for (std::size_t r = 0; r < kRows; ++r) {
      float sum = 0;
      for (std::size_t j = 0; j < kCols; ++j) sum += yp(r, j) = float(rng.uniform(0.01, 1.0));
      for (std::size_t j = 0; j < kCols; ++j) yp(r, j) /= sum;
      yt(r, rng.below(kCols)) = 1.0f;
    }
  }
};
Data& data() {
  static Data d;
  return d;
}
void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * 2 * kRows * kCols * sizeof(float)));
}

// The metrics (a) and (e) compute beside the loss.
auto metric_kernels() {
  return std::make_tuple(
      ketl::detail::make_metric_kernel(ketl::metrics::categorical_accuracy),
      ketl::detail::make_metric_kernel(ketl::metrics::top_k_categorical_accuracy));
}

void BM_a_fused(benchmark::State& state) {
  auto& d = data();
  auto loss = ketl::detail::make_loss_kernel(ketl::losses::categorical_crossentropy);
  auto metrics = metric_kernels();
  double out[3];
  for (auto _ : state) {
    ketl::detail::fused_pass(loss, metrics, d.yt.data(), d.yp.data(), kRows, kCols, kCols,
                             d.grad.data(), out);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.counters["loss"] = out[0];
  state.counters["acc"] = out[1];
  set_bytes(state);
}

// (e) What the training step runs for categorical_crossentropy on a softmax
// output: the loss and metrics without the derived gradient, then dL/dz in
// closed form (detail/softmax_crossentropy.hpp), which also replaces the
// softmax's backward pass.
void BM_e_softmax_step(benchmark::State& state) {
  auto& d = data();
  auto loss = ketl::detail::make_loss_kernel(ketl::losses::categorical_crossentropy);
  auto metrics = metric_kernels();
  double out[3];
  std::size_t fallback = 0;
  for (auto _ : state) {
    ketl::detail::fused_pass(loss, metrics, d.yt.data(), d.yp.data(), kRows, kCols, kCols,
                             static_cast<float*>(nullptr), out);
    ketl::detail::softmax_crossentropy_grad(d.yt.data(), d.yp.data(), kRows, kCols, false, 0.0,
                                            1.0f / float(kRows), static_cast<const float*>(nullptr),
                                            d.grad.data(), [&](std::size_t, float) { ++fallback; });
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.counters["loss"] = out[0];
  state.counters["fallback_rows"] = double(fallback);
  set_bytes(state);
}

// (f) Where (a)'s time goes: its parts alone, in the same pass. part 0:
// the loss value of the lanes alone (the rows through the 8 x 8 or 16 x 16
// transposes, the renormalisation and a log per class); 1: with the
// gradient; 2: the value with categorical_accuracy; 3: with top-5; 4: mse's
// value, the same transposes with next to no arithmetic.
void BM_f_parts(benchmark::State& state) {
  auto& d = data();
  auto cce = ketl::detail::make_loss_kernel(ketl::losses::categorical_crossentropy);
  auto mse = ketl::detail::make_loss_kernel(ketl::losses::mean_squared_error);
  auto acc = std::make_tuple(ketl::detail::make_metric_kernel(ketl::metrics::categorical_accuracy));
  auto top =
      std::make_tuple(ketl::detail::make_metric_kernel(ketl::metrics::top_k_categorical_accuracy));
  std::tuple<> none;
  const auto part = state.range(0);
  double out[3];
  float* const grad = part == 1 ? d.grad.data() : nullptr;
  auto run = [&](auto& loss, auto& metrics) {
    ketl::detail::fused_pass(loss, metrics, d.yt.data(), d.yp.data(), kRows, kCols, kCols, grad,
                             out);
  };
  for (auto _ : state) {
    if (part == 2)
      run(cce, acc);
    else if (part == 3)
      run(cce, top);
    else if (part == 4)
      run(mse, none);
    else
      run(cce, none);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}

void BM_b_xtensor_expressions(benchmark::State& state) {
  auto& d = data();
  const float eps = 1e-7f;
  for (auto _ : state) {
    // Evaluated before broadcasting: xtensor 0.24.3's lazy keep_dims reducer is wrong.
    xt::xtensor<float, 1> s = xt::sum(d.yp, {1});
    xt::xtensor<float, 2> p = d.yp / xt::view(s, xt::all(), xt::newaxis());
    xt::xtensor<float, 2> pc = xt::clip(p, eps, 1 - eps);
    const float loss = xt::mean(xt::sum(-d.yt * xt::log(pc), {1}))();
    xt::xtensor<float, 2> through = xt::cast<float>(p >= eps && p <= 1 - eps);
    xt::xtensor<float, 1> passed = xt::sum(d.yt * through, {1});
    d.grad =
        (xt::where(through > 0.f, -d.yt / p, 0.f) + xt::view(passed, xt::all(), xt::newaxis())) /
        xt::view(s, xt::all(), xt::newaxis()) / float(kRows);
    xt::xtensor<std::size_t, 1> target = xt::argmax(d.yt, 1);
    xt::xtensor<std::size_t, 1> guess = xt::argmax(d.yp, 1);
    const double acc = xt::mean(xt::cast<double>(xt::equal(target, guess)))();
    xt::xtensor<float, 1> pt = xt::zeros<float>({kRows});
    for (std::size_t r = 0; r < kRows; ++r) pt(r) = d.yp(r, target(r));
    xt::xtensor<float, 1> higher =
        xt::sum(xt::cast<float>(d.yp > xt::view(pt, xt::all(), xt::newaxis())), {1});
    const double top5 = xt::mean(xt::cast<double>(higher < 5.0f))();
    benchmark::DoNotOptimize(loss);
    benchmark::DoNotOptimize(acc);
    benchmark::DoNotOptimize(top5);
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}

void BM_c_scalar_loop(benchmark::State& state) {
  auto& d = data();
  const float eps = 1e-7f;
  for (auto _ : state) {
    double loss = 0, acc = 0, top5 = 0;
    for (std::size_t r = 0; r < kRows; ++r) {
      const float* t = d.yt.data() + r * kCols;
      const float* p = d.yp.data() + r * kCols;
      float* g = d.grad.data() + r * kCols;
      float s = 0, passed = 0, l = 0;
      for (std::size_t j = 0; j < kCols; ++j) s += p[j];
      for (std::size_t j = 0; j < kCols; ++j) {
        const float q = p[j] / s, qc = std::min(std::max(q, eps), 1 - eps);
        l -= t[j] * std::log(qc);
        if (q >= eps && q <= 1 - eps) passed += t[j];
      }
      std::size_t bt = 0, bp = 0;
      for (std::size_t j = 0; j < kCols; ++j) {
        const float q = p[j] / s;
        g[j] = ((q >= eps && q <= 1 - eps ? -t[j] / q : 0.0f) + passed) / s / float(kRows);
        if (t[j] > t[bt]) bt = j;
        if (p[j] > p[bp]) bp = j;
      }
      std::size_t higher = 0;
      for (std::size_t j = 0; j < kCols; ++j) higher += p[j] > p[bt];
      loss += l, acc += bt == bp, top5 += higher < 5;
    }
    benchmark::DoNotOptimize(loss);
    benchmark::DoNotOptimize(acc);
    benchmark::DoNotOptimize(top5);
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}

void BM_d_plain_read(benchmark::State& state) {
  auto& d = data();
  using V = xsimd::batch<float>;
  for (auto _ : state) {
    V acc_a(0.f), acc_b(0.f);
    const float* a = d.yt.data();
    const float* b = d.yp.data();
    for (std::size_t i = 0; i + V::size <= kRows * kCols; i += V::size) {
      acc_a += V::load_unaligned(a + i);
      acc_b += V::load_unaligned(b + i);
    }
    float s = ketl::detail::simd::reduce_add(acc_a + acc_b);
    benchmark::DoNotOptimize(s);
  }
  set_bytes(state);
}

// (g) The floor for (a)'s design: the same loss, gradient and metrics hand
// written for this one loss, in the same lanes layout (the same transposes
// in and out), with the gradient in closed form: one division for the
// sum's reciprocal per row and one per element (t / q).
void BM_g_hand_written_lanes(benchmark::State& state) {
  auto& d = data();
  using V = xsimd::batch<float>;
  constexpr std::size_t W = V::size;
  std::vector<float, xsimd::aligned_allocator<float, 64>> scratch(3 * kCols * W);
  float* const p = scratch.data();
  float* const t = p + kCols * W;
  float* const g = t + kCols * W;
  const V lo(1e-7f), hi(1.0f - 1e-7f), scale(1.0f / float(kRows));
  for (auto _ : state) {
    V loss(0.f), acc(0.f), top5(0.f);
    for (std::size_t r = 0; r < kRows; r += W) {
      ketl::detail::rows_to_lanes<xsimd::default_arch>(d.yp.data() + r * kCols, kCols, p);
      ketl::detail::rows_to_lanes<xsimd::default_arch>(d.yt.data() + r * kCols, kCols, t);
      V sum(0.f), target_p(0.f);
      for (std::size_t j = 0; j < kCols; ++j) {
        sum += V::load_aligned(p + j * W);
        target_p += V::load_aligned(p + j * W) * V::load_aligned(t + j * W);
      }
      const V inv = V(1.f) / sum;
      V l(0.f), passed(0.f), best_p = V::load_aligned(p), best_t = V::load_aligned(t);
      V guess(0.f), truth(0.f), higher(0.f);
      for (std::size_t j = 0; j < kCols; ++j) {
        const V pj = V::load_aligned(p + j * W), tj = V::load_aligned(t + j * W);
        const V q = pj * inv, qc = xsimd::min(hi, xsimd::max(lo, q));
        l += tj * ketl::detail::fast_log(qc);  // the log (a) takes
        const auto inside = q >= lo && q <= hi;
        const V dq = xsimd::select(inside, tj / qc, V(0.f));  // -dL/dq
        passed += dq * q;
        dq.store_aligned(g + j * W);
        const V col(static_cast<float>(j));
        guess = xsimd::select(pj > best_p, col, guess);
        best_p = xsimd::max(best_p, pj);
        truth = xsimd::select(tj > best_t, col, truth);
        best_t = xsimd::max(best_t, tj);
        higher += xsimd::select(pj > target_p, V(1.f), V(0.f));
      }
      loss -= l;
      acc += xsimd::select(guess == truth, V(1.f), V(0.f));
      top5 += xsimd::select(higher < V(5.f), V(1.f), V(0.f));
      const V k = scale * inv;
      for (std::size_t j = 0; j < kCols; ++j)
        ((passed - V::load_aligned(g + j * W)) * k).store_aligned(g + j * W);
      ketl::detail::lanes_to_rows<xsimd::default_arch>(g, kCols, d.grad.data() + r * kCols);
    }
    float out[3] = {ketl::detail::simd::reduce_add(loss), ketl::detail::simd::reduce_add(acc),
                    ketl::detail::simd::reduce_add(top5)};
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  set_bytes(state);
}

// (h) One log per element of y_pred (10 M floats): 0 xsimd::log, 1 ketl's
// division-free log (detail/fast_log.hpp), which the fused pass takes.
void BM_h_log(benchmark::State& state) {
  auto& d = data();
  using V = xsimd::batch<float>;
  const bool fast = state.range(0) == 1;
  for (auto _ : state) {
    V acc(0.f);
    for (std::size_t i = 0; i + V::size <= kRows * kCols; i += V::size) {
      const V x = V::load_unaligned(d.yp.data() + i);
      acc += fast ? ketl::detail::fast_log(x) : xsimd::log(x);
    }
    float s = ketl::detail::simd::reduce_add(acc);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * kRows * kCols * sizeof(float)));
}
}  // namespace

BENCHMARK(BM_a_fused)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_b_xtensor_expressions)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_c_scalar_loop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_d_plain_read)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_e_softmax_step)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_f_parts)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_g_hand_written_lanes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_h_log)->DenseRange(0, 1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
