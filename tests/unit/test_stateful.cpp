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
#include "functional_helpers.hpp"
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

// ---- return_state and initial_state (Keras's seq2seq spelling) ------------

namespace {

// The layer called on {x, h0[, c0]} (initial_state), all its outputs in one
// buffer: (n, output), then (n, units) per state with return_state.
template <class In, class L, class T>
std::vector<T> forward_with_states(L& layer, const std::vector<T>& x,
                                   const std::vector<std::vector<T>>& states, std::size_t n) {
  using Call = detail::type_list<In, Shape<L::units>, Shape<L::units>>;
  using Call1 = detail::type_list<In, Shape<L::units>>;
  using C = std::conditional_t<L::state_count == 2, Call, Call1>;
  using Out = typename L::template output_shape<C>;
  std::vector<T> y(n * Out::size);
  std::array<const T*, 3> xs{x.data(), states[0].data(),
                             states.size() > 1 ? states[1].data() : nullptr};
  Pass<T> pass{};
  auto& scratch = test::scratch_of<C, L, T>();
  scratch.assign(n * L::template scratch_per_sample<C> + 1, T(0));
  pass.scratch = scratch.data();
  layer.template forward<C>(xs.data(), y.data(), n, pass);
  return y;
}

// Finite differences of sum(every output * r) with respect to the weights,
// x and each initial state.
template <class In, class L>
void check_state_gradients() {
  constexpr std::size_t n = 2, U = L::units;
  using C = std::conditional_t<L::state_count == 2, detail::type_list<In, Shape<U>, Shape<U>>,
                               detail::type_list<In, Shape<U>>>;
  using Out = typename L::template output_shape<C>;
  L layer;
  Random rng(17);
  layer.template build<C>(rng);
  test::randomize<L, double>(layer, rng);
  auto x = test::random_vector(n * In::size, rng, -1.5, 1.5);
  std::vector<std::vector<double>> s;
  for (std::size_t k = 0; k < L::state_count; ++k) s.push_back(test::random_vector(n * U, rng));
  const auto r = test::random_vector(n * Out::size, rng);
  auto loss = [&] {
    const auto y = forward_with_states<In>(layer, x, s, n);
    double t = 0;
    for (std::size_t i = 0; i < y.size(); ++i) t += y[i] * r[i];
    return t;
  };
  const auto y = forward_with_states<In>(layer, x, s, n);
  std::vector<double> dx(x.size()), dh(n * U), dc(n * U), dy = r;
  std::array<const double*, 3> xs{x.data(), s[0].data(), s.size() > 1 ? s[1].data() : nullptr};
  std::array<double*, 3> dxs{dx.data(), dh.data(), dc.data()};
  Pass<double> pass{true};
  pass.scratch = test::scratch_of<C, L, double>().data();
  layer.template backward<C>(xs.data(), y.data(), dy.data(), dxs.data(), n, pass);
  test::check_against_differences(layer, x, dx, loss);
  INFO("initial h");
  test::check_gradient(s[0], dh, loss);
  if constexpr (L::state_count == 2) {
    INFO("initial c");
    test::check_gradient(s[1], dc, loss);
  }
}

// One case of tests/golden/recurrent.npz: its arrays, the layer's weights
// set from them, the outputs y0, y1, ... against the layer's blocks (with
// r0, r1, ... as the gradient that goes back), and the gradients.
struct golden_case {
  std::string name;
  const io::NpyArray& get(const std::string& key) const {
    static const auto data = io::load_npz(KETL_TEST_GOLDEN_DIR "/recurrent.npz", "golden");
    INFO(name << "__" << key);
    const auto it = data.find(name + "__" + key);
    REQUIRE(it != data.end());
    return it->second;
  }
  std::vector<float> floats(const std::string& key) const {
    const auto& a = get(key);
    return std::vector<float>(a.values.begin(), a.values.end());
  }
  template <class L>
  void set_weights(L& layer) const {
    layer.for_each_weight([&](WeightRef<float> w) {
      const auto& v = get(std::string(w.name));
      REQUIRE(v.shape == w.shape);
      std::copy(v.values.begin(), v.values.end(), w.value.begin());
    });
  }
  // Checks y against y0, y1, ... and returns r0, r1, ... in the same blocks.
  std::vector<float> check_outputs(const std::vector<float>& y, std::size_t count) const {
    std::vector<float> want, dy;
    for (std::size_t k = 0; k < count; ++k) {
      const auto yk = floats("y" + std::to_string(k)), rk = floats("r" + std::to_string(k));
      want.insert(want.end(), yk.begin(), yk.end());
      dy.insert(dy.end(), rk.begin(), rk.end());
    }
    REQUIRE(y.size() == want.size());
    for (std::size_t e = 0; e < y.size(); ++e) CHECK(y[e] == Approx(want[e]).margin(2e-5));
    return dy;
  }
  void check_grad(const std::vector<float>& got, const std::string& key) const {
    const auto& w = get(key);
    REQUIRE(got.size() == w.values.size());
    for (std::size_t e = 0; e < got.size(); ++e)
      CHECK(got[e] == Approx(w.values[e]).margin(1e-4).epsilon(1e-4));
  }
  template <class L>
  void check_weight_grads(L& layer) const {
    layer.for_each_weight([&](WeightRef<float> w) {
      INFO("gradient of " << w.name);
      check_grad(std::vector<float>(w.grad.begin(), w.grad.end()), "d" + std::string(w.name));
    });
  }
};

template <std::size_t, class S>
using state_shape = S;
// A call on In and S states of U units: type_list<In, Shape<U>...>.
template <class In, std::size_t U, class K>
struct states_call;
template <class In, std::size_t U, std::size_t... K>
struct states_call<In, U, std::index_sequence<K...>> {
  using type = detail::type_list<In, state_shape<K, Shape<U>>...>;
};

// The layer against real Keras (tests/golden/make_recurrent_golden.py's
// STATE_CASES and BI_INIT_CASES): called on x and its initial states (a
// Bidirectional's: the forward layer's, then the backward's), every output
// and every gradient of sum(output_k * r_k), the initial states' too.
template <class In, class L>
void check_state_golden(const std::string& name) {
  const golden_case g{name};
  constexpr std::size_t U = [] {
    if constexpr (requires { L::forward_units; })
      return L::forward_units;
    else
      return L::units;
  }();
  constexpr std::size_t S = L::state_count;
  using C = typename states_call<In, U, std::make_index_sequence<S>>::type;
  STATIC_REQUIRE(L::template accepts<C>);
  L layer;
  Random rng(1);
  layer.template build<C>(rng);
  g.set_weights(layer);
  const auto x = g.floats("x");
  const std::size_t n = g.get("x").shape[0];
  std::vector<std::vector<float>> s, ds(S, std::vector<float>(n * U));
  std::array<const float*, 1 + S> xs{x.data()};
  std::vector<float> dx(x.size());
  std::array<float*, 1 + S> dxs{dx.data()};
  for (std::size_t k = 0; k < S; ++k) s.push_back(g.floats("s" + std::to_string(k)));
  for (std::size_t k = 0; k < S; ++k) {
    xs[1 + k] = s[k].data();
    dxs[1 + k] = ds[k].data();
  }
  std::vector<float> y(n * L::template output_shape<C>::size);
  auto& scratch = test::scratch_of<C, L, float>();
  scratch.assign(n * L::template scratch_per_sample<C> + 1, 0.0f);
  Pass<float> pass{};
  pass.scratch = scratch.data();
  layer.template forward<C>(xs.data(), y.data(), n, pass);
  auto dy = g.check_outputs(y, L::output_count);
  Pass<float> back{true};
  back.scratch = scratch.data();
  layer.template backward<C>(xs.data(), y.data(), dy.data(), dxs.data(), n, back);
  g.check_grad(dx, "dx");
  for (std::size_t k = 0; k < S; ++k) g.check_grad(ds[k], "ds" + std::to_string(k));
  g.check_weight_grads(layer);
}

}  // namespace

TEST_CASE("return_state with initial_state: outputs and gradients as real Keras's",
          "[recurrent][states][golden]") {
  check_state_golden<Shape<5, 3>, LSTM<4, rnn{.return_sequences = true, .return_state = true}>>(
      "lstm_states");
  check_state_golden<Shape<5, 3>, GRU<4, rnn{.go_backwards = true, .return_state = true}>>(
      "gru_states");
}

TEST_CASE("return_state and initial_state: a sequence's halves chained by their states",
          "[recurrent][states]") {
  // The first half's returned states start the second half: the whole
  // sequence's last output, as Keras's seq2seq encoder hands its states on.
  using T = double;
  constexpr std::size_t n = 2, S = 6, F = 3, U = 4;
  using Whole = LSTM<U, rnn{.return_sequences = true}, Tanh, HardSigmoid, T>;
  using First = LSTM<U, rnn{.return_state = true}, Tanh, HardSigmoid, T>;
  using Second = LSTM<U, rnn{.return_sequences = true, .return_state = true}, Tanh, HardSigmoid, T>;
  STATIC_REQUIRE(First::output_count == 3);
  STATIC_REQUIRE(std::is_same_v<First::output_shape<Shape<3, F>>, Shape<3 * U>>);
  Whole whole;
  First first;
  Second second;
  Random rng(4);
  whole.build<Shape<S, F>>(rng);
  first.build<Shape<3, F>>(rng);
  second.build<detail::type_list<Shape<3, F>, Shape<U>, Shape<U>>>(rng);
  test::randomize<Whole, T>(whole, rng);
  copy_weights<Whole, First, T>(whole, first);
  copy_weights<Whole, Second, T>(whole, second);
  const auto x = test::random_vector(n * S * F, rng);
  const auto y = test::forward<Shape<S, F>>(whole, x, n);
  const auto y1 = test::forward<Shape<3, F>>(first, steps_of(x, n, S, F, 0, 3), n);
  // Blocks: output (n, U), h (n, U), c (n, U); h is the last output.
  for (std::size_t e = 0; e < n * U; ++e) CHECK(y1[n * U + e] == y1[e]);
  const std::vector<std::vector<T>> states = {{y1.begin() + n * U, y1.begin() + 2 * n * U},
                                              {y1.begin() + 2 * n * U, y1.end()}};
  const auto y2 = forward_with_states<Shape<3, F>>(second, steps_of(x, n, S, F, 3, 3), states, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t s = 0; s < 3; ++s)
      for (std::size_t u = 0; u < U; ++u)
        CHECK(y2[(i * 3 + s) * U + u] == Approx(y[(i * S + 3 + s) * U + u]).margin(1e-12));
}

TEST_CASE("return_state and initial_state: gradients match finite differences",
          "[recurrent][states]") {
  using In = Shape<4, 3>;
  check_state_gradients<In, SimpleRNN<3, rnn{.return_state = true}, Tanh, double>>();
  check_state_gradients<In, LSTM<3, rnn{.return_state = true}, Tanh, HardSigmoid, double>>();
  check_state_gradients<
      In, LSTM<3, rnn{.return_sequences = true, .go_backwards = true, .return_state = true}, Tanh,
               Sigmoid, double>>();
  check_state_gradients<
      In, GRU<3, rnn{.return_sequences = true, .return_state = true}, Tanh, HardSigmoid, double>>();
  check_state_gradients<In, GRU<3, rnn{.reset_after = true}, Tanh, Sigmoid, double>>();
}

TEST_CASE("seq2seq in the functional API: an encoder's states start the decoder",
          "[recurrent][states][functional]") {
  // Keras's seq2seq example, small: the decoder reads the target shifted by
  // one step (teacher forcing) from the encoder's states; the task is to
  // repeat the input's 4 one-hot symbols in reverse.
  constexpr std::size_t steps = 4, symbols = 5, n = 256;
  utils::set_random_seed(2);
  auto enc_in = Input<steps, symbols>{};
  auto [enc_out, h, c] = LSTM<16, rnn{.return_state = true}>{}(enc_in);
  (void)enc_out;
  auto dec_in = Input<steps, symbols>{};
  auto dec = LSTM<16, rnn{.return_sequences = true}>{}(dec_in, h, c);
  auto out = TimeDistributed<Dense<symbols, Softmax>>{}(dec);
  auto model = Model(inputs(enc_in, dec_in), outputs(out));
  std::ostringstream summary;
  model.summary(summary);
  CHECK_THAT(summary.str(), Catch::Contains("lstm_1[0][1]"));
  CHECK_THAT(summary.str(), Catch::Contains("lstm_1[0][2]"));
  // Keras's list of the layer's output shapes, cut at the column's width as Keras's.
  CHECK_THAT(summary.str(),
             Catch::Contains("lstm_1 (LSTM)                   [(None, 16), (None,  1408"));

  Random rng(6);
  xt::xtensor<float, 3> x = xt::zeros<float>({n, steps, symbols});
  xt::xtensor<float, 3> y = xt::zeros<float>({n, steps, symbols});
  xt::xtensor<float, 3> shifted = xt::zeros<float>({n, steps, symbols});
  for (std::size_t i = 0; i < n; ++i) {
    std::array<std::size_t, steps> seq{};
    for (auto& v : seq) v = 1 + std::size_t(rng.uniform(0, symbols - 1));
    for (std::size_t t = 0; t < steps; ++t) {
      x(i, t, seq[t]) = 1;
      y(i, t, seq[steps - 1 - t]) = 1;
      shifted(i, t, t == 0 ? 0 : seq[steps - t]) = 1;  // symbol 0 starts the target
    }
  }
  model.compile(optimizers::Adam{.lr = 0.02f}, losses::categorical_crossentropy, metrics::accuracy);
  model.fit(std::tuple{x, shifted}, y, {.batch_size = 32, .epochs = 20, .verbose = 0});
  CHECK(model.evaluate(std::tuple{x, shifted}, y, {.verbose = 0})[1] > 0.95);
}

TEST_CASE("return_state in the functional API: the states are outputs too",
          "[recurrent][states][functional]") {
  auto x = Input<5, 3>{};
  auto [seq, h] = GRU<4, rnn{.return_sequences = true, .return_state = true}>{}(x);
  auto model = Model(inputs(x), outputs(seq, h));
  CHECK(model.network().output_names() == std::vector<std::string>{"gru_1", "gru_1_1"});
  Random rng(8);
  const auto xs = uniform_array<xt::xtensor<float, 3>>({2, 5, 3}, rng);
  const auto p = model.predict(xs);
  const auto& ps = std::get<0>(p);
  const auto& ph = std::get<1>(p);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t u = 0; u < 4; ++u) CHECK(ph(i, u) == ps(i, 4, u));
}

TEST_CASE("return_state in a model: gradients through the state nodes match finite differences",
          "[recurrent][states][functional]") {
  // h feeds the decoder and is an output too (two consumers of one state
  // node); c feeds the decoder only; the encoder's own output is unused.
  using D = double;
  utils::set_random_seed(3);
  auto enc_in = Input<4, 3>{};
  auto [enc_out, h, c] = LSTM<3, rnn{.return_state = true}, Tanh, Sigmoid, D>{}(enc_in);
  (void)enc_out;
  auto dec_in = Input<3, 2>{};
  auto dec = LSTM<3, rnn{.return_sequences = true}, Tanh, Sigmoid, D>{}(dec_in, h, c);
  auto model = Model(inputs(enc_in, dec_in), outputs(dec, h));
  Random rng(12);
  xt::xtensor<D, 3> a = xt::xtensor<D, 3>::from_shape({2, 4, 3});
  xt::xtensor<D, 3> b = xt::xtensor<D, 3>::from_shape({2, 3, 2});
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (auto& v : b) v = rng.uniform(-1, 1);
  test::check_model_gradient(model, 2, rng, a, b);
}

namespace {
// Bidirectional with return_state against real Keras (BI_STATE_CASES in
// tests/golden/make_recurrent_golden.py): the merged output, then the
// forward layer's states, then the backward's; every gradient of
// sum(output_k * r_k).
template <class In, class L>
void check_bidirectional_state_golden(const std::string& name) {
  const golden_case g{name};
  L layer;
  Random rng(1);
  layer.template build<In>(rng);
  g.set_weights(layer);
  const auto x = g.floats("x");
  const std::size_t n = g.get("x").shape[0];
  const auto y = test::forward<In>(layer, x, n);
  const auto dy = g.check_outputs(y, L::output_count);
  g.check_grad(test::backward<In>(layer, x, y, dy, n), "dx");
  g.check_weight_grads(layer);
}
}  // namespace

TEST_CASE("Bidirectional with return_state: the output and both directions' states as Keras's",
          "[recurrent][states][golden]") {
  using BiLstm = Bidirectional<LSTM<3, rnn{.return_sequences = true, .return_state = true}>>;
  STATIC_REQUIRE(BiLstm::output_count == 5);
  STATIC_REQUIRE(std::is_same_v<BiLstm::output_part<Shape<5, 3>, 0>, Shape<5, 6>>);
  STATIC_REQUIRE(std::is_same_v<BiLstm::output_part<Shape<5, 3>, 4>, Shape<3>>);
  STATIC_REQUIRE(BiLstm::output_offset<Shape<5, 3>, 3> == 30 + 2 * 3);
  check_bidirectional_state_golden<Shape<5, 3>, BiLstm>("bi_lstm_states");
  check_bidirectional_state_golden<
      Shape<4, 3>, Bidirectional<GRU<3, rnn{.return_state = true}>, merge_mode::sum>>(
      "bi_gru_states_sum");
}

TEST_CASE("Bidirectional with return_state: a seq2seq encoder whose states start the decoder",
          "[recurrent][states][functional]") {
  // Keras's bidirectional encoder: each direction's h and c concatenated
  // start a decoder twice as wide. Gradients through all five outputs,
  // against finite differences; the states are model outputs too.
  using D = double;
  utils::set_random_seed(5);
  auto enc_in = Input<4, 3>{};
  auto [enc_out, fh, fc, bh, bc] =
      Bidirectional<LSTM<3, rnn{.return_state = true}, Tanh, Sigmoid, D>>{}(enc_in);
  auto h = Concatenate{}(fh, bh);
  auto c = Concatenate{}(fc, bc);
  auto dec_in = Input<3, 2>{};
  auto dec = LSTM<6, rnn{.return_sequences = true}, Tanh, Sigmoid, D>{}(dec_in, h, c);
  auto model = Model(inputs(enc_in, dec_in), outputs(dec, enc_out, bc));
  std::ostringstream summary;
  model.summary(summary);
  CHECK_THAT(summary.str(), Catch::Contains("bidirectional_1[0][4]"));
  Random rng(13);
  xt::xtensor<D, 3> a = xt::xtensor<D, 3>::from_shape({2, 4, 3});
  xt::xtensor<D, 3> b = xt::xtensor<D, 3>::from_shape({2, 3, 2});
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (auto& v : b) v = rng.uniform(-1, 1);
  test::check_model_gradient(model, 2, rng, a, b);
}

TEST_CASE("Bidirectional with initial_state: each direction starts from its own states, as Keras's",
          "[recurrent][states][golden]") {
  using BiLstm = Bidirectional<LSTM<3, rnn{.return_sequences = true}>>;
  STATIC_REQUIRE(BiLstm::state_count == 4);
  using C4 = detail::type_list<Shape<5, 3>, Shape<3>, Shape<3>, Shape<3>, Shape<3>>;
  STATIC_REQUIRE(std::is_same_v<BiLstm::output_shape<C4>, Shape<5, 6>>);
  // Two states are an LSTM's, not a Bidirectional LSTM's; and a state of
  // another size does not fit.
  STATIC_REQUIRE(!BiLstm::accepts<detail::type_list<Shape<5, 3>, Shape<3>, Shape<3>>>);
  STATIC_REQUIRE(
      !BiLstm::accepts<detail::type_list<Shape<5, 3>, Shape<3>, Shape<3>, Shape<3>, Shape<4>>>);
  check_state_golden<Shape<5, 3>, BiLstm>("bi_lstm_init");
  check_state_golden<Shape<4, 3>,
                     Bidirectional<GRU<3, rnn{.return_state = true}>, merge_mode::sum>>(
      "bi_gru_init_states_sum");

  // A bidirectional decoder started from a bidirectional encoder's states,
  // in a model: gradients through the states against finite differences.
  using D = double;
  utils::set_random_seed(7);
  auto enc_in = Input<4, 3>{};
  auto [enc_out, fh, fc, bh, bc] =
      Bidirectional<LSTM<3, rnn{.return_state = true}, Tanh, Sigmoid, D>>{}(enc_in);
  (void)enc_out;
  auto dec_in = Input<3, 2>{};
  auto dec =
      Bidirectional<LSTM<3, rnn{.return_sequences = true}, Tanh, Sigmoid, D>, merge_mode::ave>{}(
          dec_in, fh, fc, bh, bc);
  auto model = Model(inputs(enc_in, dec_in), outputs(dec, fh));
  std::ostringstream summary;
  model.summary(summary);
  CHECK_THAT(summary.str(), Catch::Contains("bidirectional_1[0][4]"));
  Random rng(15);
  xt::xtensor<D, 3> a = xt::xtensor<D, 3>::from_shape({2, 4, 3});
  xt::xtensor<D, 3> b = xt::xtensor<D, 3>::from_shape({2, 3, 2});
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (auto& v : b) v = rng.uniform(-1, 1);
  test::check_model_gradient(model, 2, rng, a, b);
}

TEST_CASE("Bidirectional with merge_mode none: the two directions as two outputs, as Keras's",
          "[recurrent][states][golden]") {
  using Seq = Bidirectional<LSTM<3, rnn{.return_sequences = true}>, merge_mode::none>;
  STATIC_REQUIRE(Seq::output_count == 2);
  STATIC_REQUIRE(std::is_same_v<Seq::output_part<Shape<5, 3>, 1>, Shape<5, 3>>);
  check_bidirectional_state_golden<Shape<5, 3>, Seq>("bi_lstm_seq_none");
  using States = Bidirectional<GRU<3, rnn{.return_state = true}>, merge_mode::none>;
  STATIC_REQUIRE(States::output_count == 4);
  check_bidirectional_state_golden<Shape<4, 3>, States>("bi_gru_none_states");

  // In a model, both outputs carry the input's mask on (Keras's), and each
  // feeds a layer of its own; gradients against finite differences.
  using D = double;
  utils::set_random_seed(6);
  auto x = Input<5, 2>{};
  auto [f, b] =
      Bidirectional<SimpleRNN<3, rnn{.return_sequences = true}, Tanh, D>, merge_mode::none>{}(
          Masking{}(x));
  auto out =
      Concatenate{}(LSTM<2, rnn{}, Tanh, Sigmoid, D>{}(f), GRU<2, rnn{}, Tanh, Sigmoid, D>{}(b));
  auto model = Model(x, out);
  Random rng(14);
  xt::xtensor<D, 3> a = xt::xtensor<D, 3>::from_shape({3, 5, 2});
  for (auto& v : a) v = rng.uniform(-1, 1);
  for (std::size_t t = 3; t < 5; ++t) a(1, t, 0) = a(1, t, 1) = 0;  // padding
  test::check_model_gradient(model, 3, rng, a);
  // Padding before the real steps instead of after gives the same outputs
  // only if both outputs carry the mask to the layers after them.
  xt::xtensor<D, 3> moved = a;
  for (std::size_t t = 0; t < 5; ++t)
    for (std::size_t k = 0; k < 2; ++k) moved(1, t, k) = t < 2 ? 0.0 : a(1, t - 2, k);
  const auto p = model.predict(a), q = model.predict(moved);
  for (std::size_t u = 0; u < 4; ++u) CHECK(q(1, u) == Approx(p(1, u)).epsilon(1e-12));
}
