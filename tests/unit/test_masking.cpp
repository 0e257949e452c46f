// Masks, Keras's way: Masking and Embedding(mask_zero) mark padding steps,
// and the recurrent layers after them skip those steps, keeping the state
// and the output of the step before (Keras 2.2.4's K.rnn with a mask).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>
#include <ketl/ketl.hpp>

#include "functional_helpers.hpp"
#include "gradcheck.hpp"
#include "layer_calls.hpp"

using namespace ketl;

namespace {

constexpr std::size_t S = 6, F = 3;
// Three samples' masks over 6 steps: padding after, before, and in the
// middle and at both ends.
const std::vector<int> kMask = {1, 1, 1, 1, 0, 0,  //
                                0, 0, 1, 1, 1, 1,  //
                                0, 1, 0, 1, 1, 0};
constexpr std::size_t kN = 3;

template <class T>
std::vector<T> mask_values() {
  return std::vector<T>(kMask.begin(), kMask.end());
}

// Sample i's real steps, in order: what the layer sees once padding is
// skipped.
template <class T>
std::vector<T> real_steps(const std::vector<T>& x, std::size_t i) {
  std::vector<T> out;
  for (std::size_t t = 0; t < S; ++t)
    if (kMask[i * S + t])
      out.insert(out.end(), x.begin() + std::ptrdiff_t((i * S + t) * F),
                 x.begin() + std::ptrdiff_t((i * S + t + 1) * F));
  return out;
}

// The layer run on sample i's real steps alone (k of them), unmasked.
template <std::size_t K, class L, class T>
std::vector<T> run_compact(L& layer, const std::vector<T>& x) {
  return test::forward<Shape<K, F>>(layer, x, 1);
}
template <class L, class T>
std::vector<T> run_compact(L& layer, const std::vector<T>& x, std::size_t k) {
  switch (k) {
    case 3:
      return run_compact<3>(layer, x);
    case 4:
      return run_compact<4>(layer, x);
    default:
      FAIL("no compact length " << k);
      return {};
  }
}

// The layer built for (S, F) samples, its weights at random.
template <class T, class L>
void build_random(L& layer, Random& rng) {
  layer.template build<Shape<S, F>>(rng);
  test::randomize<L, T>(layer, rng);
}

// A masked sequence gives what its real steps alone give: the last output
// (return_sequences = false), or at each step the output of the last real
// step so far (zeros before the first), in the order the layer runs.
template <class L>
void check_skips_padding() {
  using T = double;
  L layer;
  Random rng(3);
  build_random<T>(layer, rng);
  const auto x = test::random_vector(kN * S * F, rng);
  const auto m = mask_values<T>();
  const auto y = test::forward<Shape<S, F>>(layer, x, kN, m.data());
  constexpr std::size_t U = L::units;
  for (std::size_t i = 0; i < kN; ++i) {
    INFO("sample " << i);
    std::size_t k = 0;
    for (std::size_t t = 0; t < S; ++t) k += kMask[i * S + t];
    const auto want = run_compact(layer, real_steps(x, i), k);
    if constexpr (!L::return_sequences) {
      for (std::size_t u = 0; u < U; ++u) CHECK(y[i * U + u] == Approx(want[u]).margin(1e-12));
    } else {
      // Step s reads time t; the real steps seen so far, j, give the output.
      std::size_t j = 0;
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t t = L::go_backwards ? S - 1 - s : s;
        j += kMask[i * S + t];
        INFO("step " << s);
        for (std::size_t u = 0; u < U; ++u) {
          const double expect = j == 0 ? 0.0 : want[(j - 1) * U + u];
          CHECK(y[(i * S + s) * U + u] == Approx(expect).margin(1e-12));
        }
      }
    }
  }
}

template <class L>
void check_masked_gradients() {
  using T = double;
  L layer;
  Random rng(7);
  build_random<T>(layer, rng);
  auto x = test::random_vector(kN * S * F, rng, -1.5, 1.5);
  const auto m = mask_values<T>();
  using Out = typename L::template output_shape<Shape<S, F>>;
  const auto r = test::random_vector(kN * Out::size, rng);
  auto loss = [&] {
    const auto y = test::forward<Shape<S, F>>(layer, x, kN, m.data());
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += y[i] * r[i];
    return s;
  };
  const auto y = test::forward<Shape<S, F>>(layer, x, kN, m.data());
  const auto dx = test::backward<Shape<S, F>>(layer, x, y, r, kN, m.data());
  // A padding step's input has no gradient.
  for (std::size_t p = 0; p < kN * S; ++p)
    if (!kMask[p])
      for (std::size_t f = 0; f < F; ++f) CHECK(dx[p * F + f] == 0.0);
  test::check_against_differences(layer, x, dx, loss);
}

}  // namespace

TEST_CASE("Masking: padding steps become zeros and carry mask 0", "[masking]") {
  Masking masking{-1.0f};
  using In = Shape<3, 2>;
  const std::vector<float> x = {1, 2, -1, -1, -1, 0.5f};
  const auto y = test::forward<In>(masking, x, 1);
  CHECK(y == std::vector<float>{1, 2, 0, 0, -1, 0.5f});
  const auto& mask = test::scratch_of<In, Masking, float>();
  CHECK(std::vector<float>(mask.begin(), mask.begin() + 3) == std::vector<float>{1, 0, 1});
  const auto dx = test::backward<In>(masking, x, y, {1, 2, 3, 4, 5, 6}, 1);
  CHECK(dx == std::vector<float>{1, 2, 0, 0, 5, 6});
  CHECK(Masking{{.mask_value = 2.5f, .name = "pad"}}.mask_value() == 2.5f);
}

TEST_CASE("Embedding mask_zero: index 0 is padding, and still looks up row 0", "[masking]") {
  Embedding<4, 2, embedding{.mask_zero = true}> emb;
  STATIC_REQUIRE(detail::makes_mask<decltype(emb)>);
  STATIC_REQUIRE(!detail::makes_mask<Embedding<4, 2>>);
  using In = IndexShape<3>;
  Random rng(1);
  emb.build<In>(rng);
  const std::vector<float> x = {2, 0, 3};
  const auto y = test::forward<In>(emb, x, 1);
  const auto table = emb.embeddings();
  CHECK(y == std::vector<float>{table[4], table[5], table[0], table[1], table[6], table[7]});
  const auto& mask = test::scratch_of<In, decltype(emb), float>();
  CHECK(std::vector<float>(mask.begin(), mask.begin() + 3) == std::vector<float>{1, 0, 1});
}

TEST_CASE("masked recurrent layers skip padding steps as Keras 2.2.4's K.rnn", "[masking]") {
  using D = double;
  check_skips_padding<SimpleRNN<4, rnn{}, Tanh, D>>();
  check_skips_padding<SimpleRNN<4, rnn{.return_sequences = true}, Tanh, D>>();
  check_skips_padding<LSTM<4, rnn{}, Tanh, HardSigmoid, D>>();
  check_skips_padding<LSTM<4, rnn{.return_sequences = true}, Tanh, HardSigmoid, D>>();
  check_skips_padding<
      LSTM<4, rnn{.return_sequences = true, .go_backwards = true}, Tanh, HardSigmoid, D>>();
  check_skips_padding<GRU<4, rnn{.return_sequences = true}, Tanh, HardSigmoid, D>>();
  check_skips_padding<GRU<4, rnn{.go_backwards = true, .reset_after = true}, Tanh, Sigmoid, D>>();
}

TEST_CASE("masked recurrent layers: gradients match finite differences", "[masking]") {
  using D = double;
  check_masked_gradients<SimpleRNN<3, rnn{.return_sequences = true}, Tanh, D>>();
  check_masked_gradients<LSTM<3, rnn{}, Tanh, HardSigmoid, D>>();
  check_masked_gradients<
      LSTM<3, rnn{.return_sequences = true, .go_backwards = true}, Tanh, Sigmoid, D>>();
  check_masked_gradients<GRU<3, rnn{.return_sequences = true}, Tanh, HardSigmoid, D>>();
  check_masked_gradients<GRU<3, rnn{.reset_after = true}, Tanh, Sigmoid, D>>();
  check_masked_gradients<Bidirectional<LSTM<3, rnn{.return_sequences = true}, Tanh, Sigmoid, D>,
                                       merge_mode::concat>>();
}

namespace {
// Token sequences whose padding (0) sits before, after or around the same
// real tokens give the same prediction: the RNNs skip it.
template <class Model>
void check_padding_invariance(Model& model) {
  xt::xtensor<int, 2> x = {{0, 0, 0, 5, 2, 7}, {5, 2, 7, 0, 0, 0}, {0, 5, 0, 2, 7, 0}};
  const xt::xtensor<float, 2> p = model.predict(x);
  for (std::size_t i = 1; i < 3; ++i)
    for (std::size_t j = 0; j < p.shape()[1]; ++j) CHECK(p(i, j) == Approx(p(0, j)).margin(1e-6));
  // Other real tokens change the result by far more than the tolerance
  // above (the check is not met by a model that ignores its input).
  xt::xtensor<int, 2> other = {{0, 0, 5, 2, 9, 1}};
  const xt::xtensor<float, 2> q = model.predict(other);
  double diff = 0;
  for (std::size_t j = 0; j < p.shape()[1]; ++j) diff += std::abs(q(0, j) - p(0, j));
  CHECK(diff > 1e-5);
}
}  // namespace

TEST_CASE("Embedding(mask_zero) through stacked and bidirectional RNNs in a model", "[masking]") {
  utils::set_random_seed(4);
  auto model = Sequential{Input<6>::of<std::int32_t>{},
                          Embedding<10, 4, embedding{.mask_zero = true}>{},
                          Bidirectional<LSTM<5, rnn{.return_sequences = true}>>{},
                          TimeDistributed<Dense<3, Tanh>>{},
                          Dropout{0.2f},
                          GRU<4>{},
                          Dense<2, Softmax>{}};
  check_padding_invariance(model);

  // The functional spelling, the same check.
  auto tokens = Input<6>::of<std::int32_t>{};
  auto h = Embedding<10, 4, embedding{.mask_zero = true}>{}(tokens);
  auto out = Dense<2, Softmax>{}(LSTM<5>{}(SimpleRNN<4, rnn{.return_sequences = true}>{}(h)));
  auto fmodel = Model(tokens, out);
  check_padding_invariance(fmodel);
}

TEST_CASE("Masking in a model that learns from padded sequences", "[masking]") {
  // The label is whether the first real step's feature is positive; each
  // sequence has 1 to 5 real steps after padding of -1 rows.
  constexpr std::size_t n = 256, steps = 6;
  xt::xtensor<float, 3> x = xt::zeros<float>({n, steps, std::size_t{2}});
  xt::xtensor<int, 1> y = xt::zeros<int>({n});
  Random rng(9);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t pad = std::size_t(rng.uniform(1, steps));
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t f = 0; f < 2; ++f)
        x(i, t, f) = t < pad ? -1.0f : float(rng.uniform(-0.9, 0.9));
    y(i) = x(i, pad, 0) > 0 ? 1 : 0;
  }
  auto model = Sequential{Input<steps, 2>{}, Masking{-1.0f}, LSTM<8, rnn{.go_backwards = true}>{},
                          Dense<2, Softmax>{}};
  model.compile(optimizers::Adam{.lr = 0.02f}, losses::sparse_categorical_crossentropy,
                metrics::accuracy);
  const auto before = model.get_weights();
  model.fit(x, y, {.batch_size = 32, .epochs = 25, .verbose = 0});
  CHECK(model.evaluate(x, y, {.verbose = 0})[1] > 0.9);
  CHECK(model.get_weights() != before);
}

namespace {
// Keras 2.2.4's weighted_masked_objective, step by step, in double: each
// (sample, step) value v times the mask over mean(mask); with weights, the
// mean over the steps (unless temporal), times the weights, over the
// fraction of non-zero weights; then the mean of what is left.
double keras_masked_mean(const std::vector<double>& v, const std::vector<double>& mask,
                         const std::vector<double>& w, bool temporal, std::size_t n,
                         std::size_t steps) {
  double mean_mask = 0;
  for (double m : mask) mean_mask += m / double(mask.size());
  std::vector<double> score(n * steps);
  for (std::size_t r = 0; r < n * steps; ++r) score[r] = v[r] * mask[r] / mean_mask;
  if (w.empty()) {
    double s = 0;
    for (double x : score) s += x / double(score.size());
    return s;
  }
  double nonzero = 0;
  for (double x : w) nonzero += (x != 0) / double(w.size());
  double s = 0;
  if (temporal) {
    for (std::size_t r = 0; r < n * steps; ++r) s += score[r] * w[r] / nonzero / double(n * steps);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      double per_sample = 0;
      for (std::size_t t = 0; t < steps; ++t) per_sample += score[i * steps + t] / double(steps);
      s += per_sample * w[i] / nonzero / double(n);
    }
  }
  return s;
}

// The masked-output model of the tests below: a sequence in, Masking, an
// LSTM that returns its sequence and a softmax per step, in double. Steps
// of kMask's padding are all-zero rows; targets are one-hot per step.
struct masked_output_data {
  xt::xtensor<double, 3> x = xt::zeros<double>({kN, S, F});
  xt::xtensor<double, 3> y = xt::zeros<double>({kN, S, std::size_t{3}});
  std::vector<double> mask = std::vector<double>(kMask.begin(), kMask.end());
  masked_output_data() {
    Random rng(21);
    for (std::size_t r = 0; r < kN * S; ++r) {
      if (kMask[r])
        for (std::size_t f = 0; f < F; ++f) x(r / S, r % S, f) = rng.uniform(0.1, 1.0);
      y(r / S, r % S, rng.below(3)) = 1;
    }
  }
};
auto masked_output_model() {
  utils::set_random_seed(8);
  return Sequential{Input<S, F>{}, Masking{0.0f},
                    LSTM<4, rnn{.return_sequences = true}, Tanh, HardSigmoid, double>{},
                    Dense<3, Softmax, double>{}};
}

// Each (sample, step)'s cross-entropy and accuracy from predict.
template <class M>
void per_step_values(M& model, const masked_output_data& d, std::vector<double>& ce,
                     std::vector<double>& acc) {
  const auto p = model.predict(d.x, {.verbose = 0});
  ce.assign(kN * S, 0.0), acc.assign(kN * S, 0.0);
  for (std::size_t r = 0; r < kN * S; ++r) {
    std::size_t best = 0, label = 0;
    for (std::size_t c = 0; c < 3; ++c) {
      const double pc = std::clamp(double(p(r / S, r % S, c)), 1e-7, 1 - 1e-7);
      ce[r] -= d.y(r / S, r % S, c) * std::log(pc);
      if (p(r / S, r % S, c) > p(r / S, r % S, best)) best = c;
      if (d.y(r / S, r % S, c) > d.y(r / S, r % S, label)) label = c;
    }
    acc[r] = best == label;
  }
}
}  // namespace

TEST_CASE("a masked output's loss and metrics are Keras 2.2.4's masked means", "[masking]") {
  masked_output_data d;
  auto model = masked_output_model();
  model.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy,
                ketl::weighted_metrics(metrics::accuracy));
  std::vector<double> ce, acc;
  per_step_values(model, d, ce, acc);
  const auto r = model.evaluate(d.x, d.y, {.verbose = 0});
  CHECK(r[0] == Approx(keras_masked_mean(ce, d.mask, {}, false, kN, S)).epsilon(1e-9));
  CHECK(r[1] == Approx(keras_masked_mean(acc, d.mask, {}, false, kN, S)).epsilon(1e-9));
  CHECK(r[2] == Approx(r[1]).epsilon(1e-12));
  // Not the unmasked mean: the padding steps' predictions are not ignored
  // by chance.
  double plain = 0;
  for (double v : ce) plain += v / double(ce.size());
  CHECK(std::abs(r[0] - plain) > 1e-3);

  // Sample weights, one zero: the loss and the weighted metric weigh the
  // masked means; the plain metric stays the masked mean.
  const std::vector<double> w = {2.0, 0.0, 0.5};
  xt::xtensor<double, 1> sw = xt::adapt(w, {kN});
  const auto rw = model.evaluate(d.x, d.y, {.verbose = 0, .sample_weight = sw});
  CHECK(rw[0] == Approx(keras_masked_mean(ce, d.mask, w, false, kN, S)).epsilon(1e-9));
  CHECK(rw[1] == Approx(r[1]).epsilon(1e-12));
  CHECK(rw[2] == Approx(keras_masked_mean(acc, d.mask, w, false, kN, S)).epsilon(1e-9));

  // Temporal sample weights (ketl::temporal), one per step.
  std::vector<double> tw(kN * S);
  Random rng(3);
  for (auto& v : tw) v = rng.below(3) == 0 ? 0.0 : rng.uniform(0.5, 2.0);
  auto tmodel = masked_output_model();
  tmodel.compile(optimizers::SGD{}, losses::categorical_crossentropy, ketl::temporal);
  xt::xtensor<double, 2> tsw = xt::adapt(tw, {kN, S});
  per_step_values(tmodel, d, ce, acc);
  const auto rt = tmodel.evaluate(d.x, d.y, {.verbose = 0, .sample_weight = tsw});
  CHECK(rt[0] == Approx(keras_masked_mean(ce, d.mask, tw, true, kN, S)).epsilon(1e-9));

  // The functional spelling, with the Sequential model's weights: the same.
  auto in = Input<S, F>{};
  auto seq = LSTM<4, rnn{.return_sequences = true}, Tanh, HardSigmoid, double>{}(Masking{}(in));
  auto fmodel = Model(in, Dense<3, Softmax, double>{}(seq));
  fmodel.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy);
  fmodel.set_weights(model.get_weights());
  const auto rf = fmodel.evaluate(d.x, d.y, {.verbose = 0});
  CHECK(rf[0] == Approx(r[0]).epsilon(1e-12));
  CHECK(rf[1] == Approx(r[1]).epsilon(1e-12));
}

TEST_CASE("a masked output's padding steps change neither the loss nor the step", "[masking]") {
  masked_output_data d;
  auto a = masked_output_model();
  auto b = masked_output_model();
  a.compile(optimizers::SGD{.lr = 0.5f}, losses::categorical_crossentropy, metrics::accuracy);
  b.compile(optimizers::SGD{.lr = 0.5f}, losses::categorical_crossentropy, metrics::accuracy);
  // Other targets at every padding step.
  auto y2 = d.y;
  for (std::size_t r = 0; r < kN * S; ++r)
    if (!kMask[r])
      for (std::size_t c = 0; c < 3; ++c) y2(r / S, r % S, c) = c == 2 ? 1.0 : 0.0;
  const auto ra = a.train_on_batch(d.x, d.y);
  const auto rb = b.train_on_batch(d.x, y2);
  CHECK(ra == rb);
  CHECK(a.get_weights() == b.get_weights());
}

TEST_CASE("a masked output's gradient matches finite differences of its loss", "[masking]") {
  // One SGD step of rate lr moves each weight by -lr * dL/dw; the loss is
  // evaluate()'s, the masked mean.
  masked_output_data d;
  auto model = masked_output_model();
  constexpr double lr = 1e-3;
  model.compile(optimizers::SGD{.lr = float(lr)}, losses::categorical_crossentropy);
  const auto w0 = model.get_weights();
  model.train_on_batch(d.x, d.y);
  const auto w1 = model.get_weights();
  auto w = w0;
  std::size_t checked = 0;
  for (std::size_t a = 0; a < w.size(); ++a)
    for (std::size_t i = 0; i < w[a].size(); ++i) {
      const double keep = w[a].flat(i), h = 1e-5;
      w[a].flat(i) = keep + h;
      model.set_weights(w);
      const double up = model.evaluate(d.x, d.y, {.verbose = 0})[0];
      w[a].flat(i) = keep - h;
      model.set_weights(w);
      const double down = model.evaluate(d.x, d.y, {.verbose = 0})[0];
      w[a].flat(i) = keep;
      const double numeric = (up - down) / (2 * h);
      const double step = (w0[a].flat(i) - w1[a].flat(i)) / lr;
      INFO("weight array " << a << " element " << i);
      CHECK(step == Approx(numeric).margin(1e-6).epsilon(1e-4));
      ++checked;
    }
  CHECK(checked == 3 * 16 + 4 * 16 + 16 + 4 * 3 + 3);
}

TEST_CASE("merge layers merge their inputs' masks as Keras's", "[masking][functional]") {
  // The masks by hand: two samples, 3 and 2 steps; the second input has
  // none (all ones).
  const std::vector<float> m0 = {1, 0, 1, 0, 1, 1};
  const std::vector<float> m2 = {1, 1, 0, 1};
  const float* masks[3] = {m0.data(), nullptr, m2.data()};
  const std::size_t same[3] = {3, 3, 3};
  std::vector<float> out(6);
  const std::vector<float> m2x3 = {1, 1, 0, 0, 1, 1};
  const float* and_masks[3] = {m0.data(), nullptr, m2x3.data()};
  models::detail::merge_masks(and_masks, same, 3, 2, false, out.data());
  CHECK(out == std::vector<float>{1, 0, 0, 0, 1, 1});
  const std::size_t steps[3] = {3, 1, 2};
  out.assign(12, -1);
  models::detail::merge_masks(masks, steps, 3, 2, true, out.data());
  CHECK(out == std::vector<float>{1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1});

  // In models: two masked branches added, or concatenated on the feature
  // axis, or on the time axis; each still sees padding only where the
  // tokens are 0.
  utils::set_random_seed(5);
  {
    auto tokens = Input<6>::of<std::int32_t>{};
    auto h = Embedding<10, 4, embedding{.mask_zero = true}>{}(tokens);
    auto a = LSTM<3, rnn{.return_sequences = true}>{}(h);
    auto b = GRU<3, rnn{.return_sequences = true}>{}(h);
    auto model = Model(tokens, Dense<2, Softmax>{}(SimpleRNN<4>{}(Add{}(a, b))));
    check_padding_invariance(model);
  }
  {
    auto tokens = Input<6>::of<std::int32_t>{};
    auto h = Embedding<10, 4, embedding{.mask_zero = true}>{}(tokens);
    auto both = Concatenate{}(LSTM<3, rnn{.return_sequences = true}>{}(h), h);
    auto model = Model(tokens, Dense<2, Softmax>{}(GRU<4>{}(both)));
    check_padding_invariance(model);
  }
  {
    // Time axis: the padded sequence, then itself again: 12 steps whose
    // mask is the tokens' twice.
    auto tokens = Input<6>::of<std::int32_t>{};
    auto h = Embedding<10, 4, embedding{.mask_zero = true}>{}(tokens);
    auto twice = Concatenate<1>{}(h, h);
    auto model = Model(tokens, Dense<2, Softmax>{}(LSTM<4>{}(twice)));
    check_padding_invariance(model);
  }
}

TEST_CASE("a masked merge: gradients match finite differences", "[masking][functional]") {
  // Two sequences, one masked by Masking and one not, summed and
  // concatenated; the mask reaches the RNNs after them.
  using D = double;
  utils::set_random_seed(7);
  auto x = Input<5, 2>{};
  auto z = Input<5, 2>{};
  auto mx = Masking{}(x);
  auto s = Add{}(SimpleRNN<2, rnn{.return_sequences = true}, Tanh, D>{}(mx), z);
  auto c = Concatenate{}(s, mx);
  auto model = Model(inputs(x, z), outputs(GRU<3, rnn{}, Tanh, Sigmoid, D>{}(c)));
  Random rng(15);
  xt::xtensor<D, 3> a = xt::xtensor<D, 3>::from_shape({3, 5, 2});
  xt::xtensor<D, 3> b = xt::xtensor<D, 3>::from_shape({3, 5, 2});
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (auto& v : b) v = rng.uniform(-1, 1);
  for (std::size_t t : {0, 3}) a(1, t, 0) = a(1, t, 1) = 0;  // padding
  test::check_model_gradient(model, 3, rng, a, b);
  // z's values at a padded step of x change nothing: the merged mask skips it.
  auto b2 = b;
  b2(1, 3, 0) += 1, b2(1, 0, 1) -= 1;
  const auto p = model.predict(std::tuple{a, b}), q = model.predict(std::tuple{a, b2});
  for (std::size_t u = 0; u < 3; ++u) CHECK(q(1, u) == Approx(p(1, u)).epsilon(1e-12));
}
