// Stateful recurrent layers: states carried between batches, reset_states,
// the fixed batch size (Input<d...>::batch<N>) and the calls that break it.
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <ketl/ketl.hpp>

#include "gradcheck.hpp"
#include "layer_calls.hpp"

using namespace ketl;

namespace {

// Steps [t0, t0 + len) of n samples of (steps, f).
template <class T>
std::vector<T> steps_of(const std::vector<T>& x, std::size_t n, std::size_t steps, std::size_t f,
                        std::size_t t0, std::size_t len) {
  std::vector<T> out;
  for (std::size_t i = 0; i < n; ++i)
    out.insert(out.end(), x.begin() + std::ptrdiff_t((i * steps + t0) * f),
               x.begin() + std::ptrdiff_t((i * steps + t0 + len) * f));
  return out;
}

template <class A, class B, class T>
void copy_weights(A& from, B& to) {
  std::vector<std::vector<T>> w;
  from.for_each_weight([&](WeightRef<T> r) { w.emplace_back(r.value.begin(), r.value.end()); });
  std::size_t k = 0;
  to.for_each_weight([&](WeightRef<T> r) {
    std::copy(w[k].begin(), w[k].end(), r.value.begin());
    ++k;
  });
}

// A stateful layer run on a sequence's two halves, one batch each, gives
// the whole sequence's outputs (the half the layer reads first is the
// second one going backwards); reset_states() starts again from zeros.
template <class Full, class Half, std::size_t S, std::size_t F>
void check_halves() {
  using T = typename Full::value_type;
  using InFull = Shape<S, F>;
  using InHalf = Shape<S / 2, F>;
  constexpr std::size_t n = 3, H = S / 2, U = Full::units;
  Full full;
  Half half;
  Random rng(5);
  full.template build<InFull>(rng);
  half.template build<InHalf>(rng);
  test::randomize<Full, T>(full, rng);
  copy_weights<Full, Half, T>(full, half);
  std::vector<T> x(n * S * F);
  for (auto& v : x) v = static_cast<T>(rng.uniform(-1.5, 1.5));
  const auto y = test::forward<InFull>(full, x, n);
  const bool back = Half::spec.go_backwards;
  const auto first = steps_of(x, n, S, F, back ? H : 0, H);
  const auto second = steps_of(x, n, S, F, back ? 0 : H, H);
  const auto y1 = test::forward<InHalf>(half, first, n);
  CHECK(half.states(0).size() == n * U);
  const auto y2 = test::forward<InHalf>(half, second, n);
  // Output position s is the s-th step run, in both.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t u = 0; u < U; ++u) {
        const T got = s < H ? y1[(i * H + s) * U + u] : y2[(i * H + s - H) * U + u];
        INFO("sample " << i << ", step " << s << ", unit " << u);
        CHECK(double(got) == Approx(double(y[(i * S + s) * U + u])).margin(1e-5));
      }
  half.reset_states();
  CHECK(test::forward<InHalf>(half, first, n) == y1);
}

// d(sum(y * r)) / d(weights, x) on a batch that starts from a carried
// state: the state is an input of the batch (truncated backpropagation
// through time, as Keras's), set the same for every evaluation.
template <class In, class L>
void check_carried_gradients() {
  constexpr std::size_t n = 2;
  using Out = typename L::template output_shape<In>;
  L layer;
  Random rng(13);
  layer.template build<In>(rng);
  test::randomize<L, double>(layer, rng);
  const auto x1 = test::random_vector(n * In::size, rng, -1.5, 1.5);
  auto x2 = test::random_vector(n * In::size, rng, -1.5, 1.5);
  const auto r = test::random_vector(n * Out::size, rng);
  test::forward<In>(layer, x1, n);
  std::vector<std::vector<double>> carried;
  for (std::size_t k = 0; k < L::state_count; ++k)
    carried.emplace_back(layer.states(k).begin(), layer.states(k).end());
  REQUIRE(std::abs(carried.back()[0]) > 0);
  auto loss = [&] {
    layer.reset_states(carried);
    const auto y = test::forward<In>(layer, x2, n);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += y[i] * r[i];
    return s;
  };
  layer.reset_states(carried);
  const auto y = test::forward<In>(layer, x2, n);
  const auto dx = test::backward<In>(layer, x2, y, r, n);
  test::check_against_differences(layer, x2, dx, loss);
}

template <class X>
X uniform_array(const typename X::shape_type& shape, Random& rng) {
  X x(shape);
  for (auto& v : x) v = float(rng.uniform(-1, 1));
  return x;
}

template <class M>
std::vector<float> flat_weights(const M& m) {
  std::vector<float> out;
  for (const auto& w : m.weights()) out.insert(out.end(), w.value.begin(), w.value.end());
  return out;
}

}  // namespace

TEST_CASE("stateful RNNs: two half sequences with the state carried are the whole sequence",
          "[recurrent][stateful]") {
  constexpr rnn seq{.return_sequences = true}, half{.return_sequences = true, .stateful = true};
  constexpr rnn back{.return_sequences = true, .go_backwards = true};
  constexpr rnn half_back{.return_sequences = true, .go_backwards = true, .stateful = true};
  check_halves<SimpleRNN<5, seq>, SimpleRNN<5, half>, 6, 3>();
  check_halves<LSTM<5, seq>, LSTM<5, half>, 6, 3>();
  check_halves<LSTM<4, back>, LSTM<4, half_back>, 8, 2>();
  check_halves<GRU<5, seq>, GRU<5, half>, 6, 3>();
  constexpr rnn seq_after{.return_sequences = true, .reset_after = true};
  constexpr rnn half_after{.return_sequences = true, .reset_after = true, .stateful = true};
  check_halves<GRU<5, seq_after>, GRU<5, half_after>, 6, 3>();
}

TEST_CASE("stateful RNNs: gradients from a carried state match finite differences",
          "[recurrent][stateful]") {
  using In = Shape<3, 3>;
  check_carried_gradients<In, SimpleRNN<4, rnn{.stateful = true}, Tanh, double>>();
  check_carried_gradients<
      In, LSTM<4, rnn{.return_sequences = true, .stateful = true}, Tanh, Sigmoid, double>>();
  check_carried_gradients<In, GRU<4, rnn{.stateful = true}, Tanh, Sigmoid, double>>();
  check_carried_gradients<In,
                          GRU<4, rnn{.go_backwards = true, .reset_after = true, .stateful = true},
                              Tanh, Sigmoid, double>>();
}

TEST_CASE("stateful RNNs: reset_states(states) checks what it is given", "[recurrent][stateful]") {
  LSTM<3, rnn{.stateful = true}> lstm;
  Random rng(1);
  lstm.build<Shape<2, 2>>(rng);
  CHECK_THROWS_WITH(lstm.reset_states({std::vector<float>(6)}),
                    Catch::Contains("expects 2 states, but it received 1"));
  CHECK_THROWS_WITH(lstm.reset_states({std::vector<float>(6), std::vector<float>(5)}),
                    Catch::Contains("each state is (batch, 3)"));
  CHECK(lstm.states(0).empty());
  lstm.reset_states({std::vector<float>(6, 1.f), std::vector<float>(6, 2.f)});
  CHECK(lstm.states(1)[5] == 2.f);
  LSTM<3> plain;
  CHECK_THROWS_WITH(plain.reset_states({std::vector<float>(3), std::vector<float>(3)}),
                    Catch::Contains("Layer must be stateful."));
}

TEST_CASE("stateful models: states across batches, reset_states, and batches that break them",
          "[recurrent][stateful]") {
  utils::set_random_seed(21);
  using Seq = LSTM<6, rnn{.return_sequences = true, .stateful = true}>;
  auto model = Sequential{Input<4, 3>::batch<2>{}, Seq{}};
  STATIC_REQUIRE(decltype(model)::network_type::fixed_batch_size == 2);
  auto whole = Sequential{Input<8, 3>{}, LSTM<6, rnn{.return_sequences = true}>{}};
  whole.set_weights(model.get_weights());
  Random rng(3);
  const auto x = uniform_array<xt::xtensor<float, 3>>({2, 8, 3}, rng);
  const xt::xtensor<float, 3> a = xt::view(x, xt::all(), xt::range(0, 4), xt::all());
  const xt::xtensor<float, 3> b = xt::view(x, xt::all(), xt::range(4, 8), xt::all());
  const xt::xtensor<float, 3> pa = model.predict(a);
  const xt::xtensor<float, 3> pb = model.predict(b);
  const xt::xtensor<float, 3> pw = whole.predict(x);
  CHECK(xt::allclose(pa, xt::view(pw, xt::all(), xt::range(0, 4), xt::all()), 1e-5, 1e-6));
  CHECK(xt::allclose(pb, xt::view(pw, xt::all(), xt::range(4, 8), xt::all()), 1e-5, 1e-6));
  model.reset_states();
  CHECK((model.predict(a) == pa));

  SECTION("the functional API: the same model, the same outputs") {
    auto in = Input<4, 3>::batch<2>{};
    auto fm = Model{in, Seq{}(in)};
    STATIC_REQUIRE(decltype(fm)::network_type::fixed_batch_size == 2);
    fm.set_weights(model.get_weights());
    CHECK((fm.predict(a) == pa));
    CHECK((fm.predict(b) == pb));
    fm.reset_states();
    CHECK((fm.predict(a) == pa));
  }

  SECTION("fit: the batch size is the model's; bad batches change no weight and no state") {
    auto m = Sequential{Input<4, 3>::batch<8>{},
                        LSTM<8, rnn{.return_sequences = true, .stateful = true}>{},
                        LSTM<8, rnn{.stateful = true}>{}, Dense<2, Softmax>{}};
    m.compile(optimizers::RMSprop{}, losses::categorical_crossentropy, metrics::accuracy);
    const auto xs = uniform_array<xt::xtensor<float, 3>>({32, 4, 3}, rng);
    xt::xtensor<float, 2> ys = xt::zeros<float>({32, 2});
    for (std::size_t i = 0; i < 32; ++i) ys(i, xs(i, 0, 0) > 0 ? 1 : 0) = 1;
    const auto h =
        m.fit(xs, ys, {.epochs = 2, .verbose = 0, .validation_split = 0.25, .shuffle = false});
    CHECK(h.history.at("val_loss").size() == 2);
    const auto w0 = flat_weights(m);
    const auto s0 = m.layer<1>().states(0);
    const std::vector<float> states0(s0.begin(), s0.end());
    REQUIRE(states0.size() == 8 * 8);
    const xt::xtensor<float, 3> x30 = xt::view(xs, xt::range(0, 30));
    const xt::xtensor<float, 2> y30 = xt::view(ys, xt::range(0, 30));
    CHECK_THROWS_WITH(m.fit(x30, y30, {.verbose = 0}),
                      Catch::Contains("divided by the batch size (8). Found: 30 samples"));
    CHECK_THROWS_WITH(m.fit(xs, ys, {.batch_size = 16, .verbose = 0}),
                      Catch::Contains("batch size is fixed at 8 (Input<...>::batch<8>); got "
                                      "batch_size 16"));
    CHECK_THROWS_AS(m.fit(xs, ys, {.verbose = 0, .validation_split = 0.2}), value_error);
    CHECK_THROWS_AS(m.evaluate(x30, y30, {.verbose = 0}), value_error);
    CHECK_THROWS_AS(m.predict(x30), value_error);
    const xt::xtensor<float, 3> x16 = xt::view(xs, xt::range(0, 16));
    const xt::xtensor<float, 2> y16 = xt::view(ys, xt::range(0, 16));
    CHECK_THROWS_WITH(m.train_on_batch(x16, y16), Catch::Contains("fixed at 8"));
    CHECK_THROWS_AS(m.predict_on_batch(x16), value_error);
    CHECK(flat_weights(m) == w0);
    const auto s1 = m.layer<1>().states(0);
    CHECK(std::vector<float>(s1.begin(), s1.end()) == states0);
    // Whole batches of 8 run.
    CHECK(m.evaluate(xs, ys, {.verbose = 0}).size() == 2);
    CHECK(m.train_on_batch(xt::xtensor<float, 3>(xt::view(xs, xt::range(0, 8))),
                           xt::xtensor<float, 2>(xt::view(ys, xt::range(0, 8))))
              .size() == 2);
  }

  SECTION("reset_states on a model without stateful layers does nothing") {
    auto plain = Sequential{Input<4, 3>{}, LSTM<2>{}};
    const auto p = plain.predict(a);
    plain.reset_states();
    CHECK((plain.predict(a) == p));
  }
}

TEST_CASE("the README's stateful model: Bidirectional, dropout, a fixed batch",
          "[recurrent][stateful]") {
  auto streams =
      Sequential{Input<8, 16>::batch<32>{},
                 Bidirectional<LSTM<32, rnn{.return_sequences = true, .stateful = true}>>{},
                 LSTM<32, rnn{.stateful = true}>{{.dropout = 0.2f}}, Dense<10, Softmax>{}};
  // 2 * 4 * 32 * (16 + 32 + 1), 4 * 32 * (64 + 32 + 1), 33 * 10: Keras's counts.
  STATIC_REQUIRE(decltype(streams)::param_count == 12544 + 12416 + 330);
  Random rng(9);
  const auto x = uniform_array<xt::xtensor<float, 3>>({32, 8, 16}, rng);
  const xt::xtensor<float, 2> first = streams.predict(x);
  CHECK(streams.layer<1>().forward_layer().states(0).size() == 32 * 32);
  CHECK(streams.layer<1>().backward_layer().states(1).size() == 32 * 32);
  CHECK((streams.predict(x) != first));  // the states moved on
  streams.reset_states();
  CHECK((streams.predict(x) == first));
  // Its weights (forward_lstm/..., backward_lstm/...) through a file.
  const std::string path =
      (std::filesystem::temp_directory_path() / "ketl_test_stateful_readme.npz").string();
  streams.save_weights(path);
  auto copy = Sequential{Input<8, 16>::batch<32>{},
                         Bidirectional<LSTM<32, rnn{.return_sequences = true, .stateful = true}>>{},
                         LSTM<32, rnn{.stateful = true}>{{.dropout = 0.2f}}, Dense<10, Softmax>{}};
  copy.load_weights(path);
  std::filesystem::remove(path);
  CHECK((copy.predict(x) == first));
}
