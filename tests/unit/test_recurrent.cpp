// Recurrent layers (issue 18): shapes and parameter counts at compile time,
// outputs against a naive per-timestep reference (rnn_reference.hpp) and
// against real Keras (tests/golden/recurrent.npz, made by
// make_recurrent_golden.py), finite-difference gradients through time for
// every option that changes the arithmetic, and a model that learns.
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "functional_helpers.hpp"
#include "gradcheck.hpp"
#include "layer_calls.hpp"
#include "rnn_reference.hpp"

using namespace ketl;
namespace ref = test::rnn_ref;
using test::forward;
using test::randomize;
using test::scratch_of;
using test::weights_of;

namespace {

template <class L>
ref::config config_of(ref::cell kind, std::size_t steps, std::size_t features, ref::act a,
                      ref::act ra) {
  ref::config c;
  c.kind = kind;
  c.units = L::units;
  c.features = features;
  c.steps = steps;
  c.return_sequences = L::spec.return_sequences;
  c.go_backwards = L::spec.go_backwards;
  c.use_bias = L::spec.use_bias;
  c.reset_after = L::spec.reset_after;
  c.activation = a;
  c.recurrent_activation = ra;
  return c;
}

// The layer against the naive reference on n samples of In, with random
// weights, at the layer's element type.
template <class In, class L>
void check_reference(ref::cell kind, ref::act a = ref::act::tanh,
                     ref::act ra = ref::act::hard_sigmoid, std::size_t n = 3) {
  using T = typename L::value_type;
  L layer;
  Random rng(7);
  layer.template build<In>(rng);
  randomize<L, T>(layer, rng);
  std::vector<T> x(n * In::size);
  for (auto& v : x) v = static_cast<T>(rng.uniform(-1.5, 1.5));
  const auto y = forward<In>(layer, x, n);
  const auto w = weights_of<L, T>(layer);
  const auto c = config_of<L>(kind, In::dims[0], In::dims[1], a, ra);
  const auto want = ref::forward(c, std::vector<double>(x.begin(), x.end()), n, w[0], w[1], w[2]);
  REQUIRE(y.size() == want.size());
  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  for (std::size_t i = 0; i < y.size(); ++i) {
    INFO("element " << i);
    CHECK(double(y[i]) == Approx(want[i]).margin(tol));
  }
}

// d(sum(y * r))/d(every weight and every input) against central
// differences, y = run(x), on the layer built with random weights.
template <class In, class L, class Run>
void check_gradients_with(L& layer, std::size_t n, Random& rng, Run run) {
  using Out = typename L::template output_shape<In>;
  layer.template build<In>(rng);
  randomize<L, double>(layer, rng);
  auto x = test::random_vector(n * In::size, rng, -1.5, 1.5);
  const auto r = test::random_vector(n * Out::size, rng);
  auto loss = [&] {
    const auto y = run(x);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += y[i] * r[i];
    return s;
  };
  const auto y = run(x);
  const auto dx = test::backward<In>(layer, x, y, r, n);  // the scratch run(x) filled
  test::check_against_differences(layer, x, dx, loss);
}

template <class In, class L>
void check_gradients(std::size_t n = 2) {
  L layer;
  Random rng(11);
  check_gradients_with<In>(layer, n, rng,
                           [&](const std::vector<double>& x) { return forward<In>(layer, x, n); });
}

const io::NpyArray& golden(const std::string& key) {
  static const auto data = io::load_npz(KETL_TEST_GOLDEN_DIR "/recurrent.npz", "golden");
  const auto it = data.find(key);
  INFO(key);
  REQUIRE(it != data.end());
  return it->second;
}

template <class V>
void check_close(const V& got, const std::vector<double>& want, double tol) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(double(got[i]) == Approx(want[i]).margin(tol).epsilon(tol));
  }
}

// Keras's weights into the layer; its output, and the gradients of
// sum(y * r), against Keras's.
template <class In, class L>
void check_golden(const std::string& name) {
  INFO("case " << name);
  using Out = typename L::template output_shape<In>;
  const auto& xs = golden(name + "__x");
  const auto& ys = golden(name + "__y");
  REQUIRE(xs.shape == std::vector<std::size_t>{xs.shape[0], In::dims[0], In::dims[1]});
  REQUIRE(ys.shape.size() == Out::rank + 1);
  for (std::size_t i = 0; i < Out::rank; ++i) CHECK(ys.shape[i + 1] == Out::dims[i]);
  L layer;
  Random rng(1);
  layer.template build<In>(rng);
  layer.for_each_weight([&](WeightRef<float> w) {
    const auto& v = golden(name + "__" + std::string(w.name));
    REQUIRE(v.shape == w.shape);
    std::copy(v.values.begin(), v.values.end(), w.value.begin());
  });
  const std::size_t n = xs.shape[0];
  const std::vector<float> x(xs.values.begin(), xs.values.end());
  // The _masked cases ran with a mask (padding steps skipped).
  std::vector<float> mask;
  if (name.ends_with("_masked")) {
    const auto& m = golden(name + "__mask").values;
    mask.assign(m.begin(), m.end());
  }
  const float* mp = mask.empty() ? nullptr : mask.data();
  const auto y = forward<In>(layer, x, n, mp);
  check_close(y, ys.values, 2e-5);
  const auto& r = golden(name + "__r").values;
  std::vector<float> dy(r.begin(), r.end());
  std::vector<float> dx(x.size());
  Pass<float> pass{true};
  pass.scratch = scratch_of<In, L, float>().data();  // the one forward just filled
  pass.mask = mp;
  layer.template backward<In>(x.data(), y.data(), dy.data(), dx.data(), n, pass);
  check_close(dx, golden(name + "__dx").values, 1e-4);
  layer.for_each_weight([&](WeightRef<float> w) {
    INFO("gradient of " << w.name);
    check_close(w.grad, golden(name + "__d" + std::string(w.name)).values, 1e-4);
  });
}

}  // namespace

TEST_CASE("recurrent layers: outputs and gradients as real Keras's", "[recurrent][golden]") {
  check_golden<Shape<5, 4>, SimpleRNN<6>>("simple_rnn");
  check_golden<Shape<5, 4>, SimpleRNN<6, rnn{.return_sequences = true, .go_backwards = true}>>(
      "simple_rnn_seq_back");
  check_golden<Shape<5, 4>, LSTM<6>>("lstm");
  check_golden<Shape<6, 3>, LSTM<7, rnn{.return_sequences = true, .go_backwards = true}>>(
      "lstm_seq_back");
  check_golden<Shape<4, 3>, LSTM<5, rnn{.use_bias = false}, Tanh, Sigmoid>>("lstm_sigmoid_nobias");
  check_golden<Shape<5, 4>, GRU<6>>("gru");
  check_golden<Shape<6, 3>, GRU<7, rnn{.return_sequences = true, .go_backwards = true}>>(
      "gru_seq_back");
  check_golden<Shape<5, 4>, GRU<6, rnn{.reset_after = true}, Tanh, Sigmoid>>("gru_reset_after");
  check_golden<Shape<4, 3>, GRU<5, rnn{.return_sequences = true, .reset_after = true}>>(
      "gru_reset_after_hard_seq");
}

// Padding after, before, and around the real steps (test_masking.cpp has the
// same mask and checks the semantics; these check the numbers).
TEST_CASE("masked recurrent layers: outputs and gradients as real Keras's",
          "[recurrent][masking][golden]") {
  using In = Shape<6, 3>;
  check_golden<In, SimpleRNN<4>>("simple_rnn_masked");
  check_golden<In, LSTM<4>>("lstm_masked");
  check_golden<In, LSTM<4, rnn{.return_sequences = true}>>("lstm_seq_masked");
  check_golden<In, GRU<4, rnn{.return_sequences = true, .go_backwards = true}>>(
      "gru_seq_back_masked");
  check_golden<In, GRU<4, rnn{.reset_after = true}, Tanh, Sigmoid>>("gru_reset_after_masked");
  check_golden<In, Bidirectional<LSTM<3, rnn{.return_sequences = true}>>>("bi_lstm_seq_masked");
}

TEST_CASE("recurrent layers: output shapes and parameter counts are Keras's", "[recurrent]") {
  using In = Shape<8, 16>;
  // LSTM(64) on (8, 16): 4 * 64 * (16 + 64 + 1).
  static_assert(std::is_same_v<LSTM<64>::output_shape<In>, Shape<64>>);
  static_assert(LSTM<64>::param_count<In> == 4 * 64 * (16 + 64 + 1));
  static_assert(
      std::is_same_v<LSTM<64, rnn{.return_sequences = true}>::output_shape<In>, Shape<8, 64>>);
  static_assert(SimpleRNN<32>::param_count<In> == 32 * (16 + 32 + 1));
  static_assert(GRU<32>::param_count<In> == 3 * 32 * (16 + 32 + 1));
  static_assert(GRU<32, rnn{.reset_after = true}>::param_count<In> == 3 * 32 * (16 + 32 + 2));
  static_assert(LSTM<8, rnn{.use_bias = false}>::param_count<In> == 4 * 8 * (16 + 8));
  static_assert(!LSTM<8>::accepts<Shape<16>>);

  auto model = Sequential{Input<8, 16>{}, LSTM<64, rnn{.return_sequences = true}>{}, GRU<32>{},
                          Dense<10, Softmax>{}};
  STATIC_REQUIRE(decltype(model)::param_count ==
                 4 * 64 * (16 + 64 + 1) + 3 * 32 * (64 + 32 + 1) + 10 * (32 + 1));
  std::ostringstream os;
  model.summary(os);
  const auto s = os.str();
  CHECK(s.find("lstm_") != std::string::npos);
  CHECK(s.find("(LSTM)") != std::string::npos);
  CHECK(s.find("(None, 8, 64)") != std::string::npos);
  CHECK(s.find("gru_") != std::string::npos);
  // Keras's weight layouts and names.
  std::vector<std::string> names;
  std::vector<std::vector<std::size_t>> shapes;
  for (const auto& w : model.weights()) {
    names.emplace_back(w.name);
    shapes.push_back(w.shape);
  }
  REQUIRE(names.size() == 8);
  CHECK(names[0] == "kernel");
  CHECK(names[1] == "recurrent_kernel");
  CHECK(names[2] == "bias");
  CHECK(shapes[0] == std::vector<std::size_t>{16, 256});
  CHECK(shapes[1] == std::vector<std::size_t>{64, 256});
  CHECK(shapes[2] == std::vector<std::size_t>{256});
  CHECK(shapes[4] == std::vector<std::size_t>{32, 96});
}

TEST_CASE("recurrent layers: initial weights as Keras's", "[recurrent]") {
  using In = Shape<5, 6>;
  LSTM<12> lstm;
  Random rng(3);
  lstm.build<In>(rng);
  // unit_forget_bias: zeros, ones for the forget gate, zeros.
  const auto b = lstm.bias();
  for (std::size_t j = 0; j < 48; ++j) CHECK(b[j] == (j >= 12 && j < 24 ? 1.0f : 0.0f));
  // The orthogonal recurrent kernel (12, 48): orthonormal rows.
  const auto r = lstm.recurrent_kernel();
  for (std::size_t i = 0; i < 12; ++i)
    for (std::size_t j = 0; j < 12; ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < 48; ++k) dot += double(r[i * 48 + k]) * r[j * 48 + k];
      CHECK(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-5));
    }
  // A tall one (more rows than columns): orthonormal columns, times gain.
  std::vector<double> tall(10 * 4);
  initializers::orthogonal(2.0).fill(std::span<double>(tall), 10, 4, rng);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < 10; ++k) dot += tall[k * 4 + i] * tall[k * 4 + j];
      CHECK(dot == Approx(i == j ? 4.0 : 0.0).margin(1e-12));
    }
  // GRU and SimpleRNN: zero biases.
  GRU<4, rnn{.reset_after = true}> gru;
  gru.build<In>(rng);
  for (auto v : gru.bias()) CHECK(v == 0.0f);
  CHECK(gru.bias().size() == 24);
}

TEST_CASE("recurrent layers match the step-by-step reference", "[recurrent]") {
  using In = Shape<6, 5>;
  using C = ref::cell;
  using A = ref::act;
  SECTION("SimpleRNN") {
    check_reference<In, SimpleRNN<7>>(C::simple);
    check_reference<In, SimpleRNN<7, rnn{.return_sequences = true, .go_backwards = true}>>(
        C::simple);
    check_reference<In, SimpleRNN<3, rnn{.use_bias = false}, Relu, double>>(C::simple, A::relu);
  }
  SECTION("LSTM") {
    check_reference<In, LSTM<7>>(C::lstm);
    check_reference<In, LSTM<9, rnn{.return_sequences = true}>>(C::lstm);
    check_reference<In, LSTM<9, rnn{.go_backwards = true}, Tanh, Sigmoid, double>>(C::lstm, A::tanh,
                                                                                   A::sigmoid);
    check_reference<
        In, LSTM<4, rnn{.return_sequences = true, .go_backwards = true, .use_bias = false}>>(
        C::lstm);
  }
  SECTION("GRU") {
    check_reference<In, GRU<7>>(C::gru);
    check_reference<In, GRU<9, rnn{.return_sequences = true, .go_backwards = true}>>(C::gru);
    check_reference<In, GRU<7, rnn{.reset_after = true}, Tanh, Sigmoid, double>>(C::gru, A::tanh,
                                                                                 A::sigmoid);
    check_reference<In, GRU<5, rnn{.return_sequences = true, .reset_after = true}>>(C::gru);
    check_reference<In, GRU<5, rnn{.use_bias = false, .reset_after = true}>>(C::gru);
  }
  SECTION("batch of one, one step, 33 units (odd SIMD tails)") {
    check_reference<Shape<1, 3>, LSTM<33>>(C::lstm, A::tanh, A::hard_sigmoid, 1);
    check_reference<Shape<2, 3>, GRU<33, rnn{.return_sequences = true}>>(C::gru, A::tanh,
                                                                         A::hard_sigmoid, 5);
  }
}

TEST_CASE("recurrent layers: gradients through time match finite differences", "[recurrent]") {
  using In = Shape<4, 3>;
  // Sigmoid gates: hard_sigmoid's kinks would make differences unreliable.
  SECTION("SimpleRNN") {
    check_gradients<In, SimpleRNN<5, rnn{}, Tanh, double>>();
    check_gradients<
        In, SimpleRNN<5, rnn{.return_sequences = true, .go_backwards = true}, Tanh, double>>();
  }
  SECTION("LSTM") {
    check_gradients<In, LSTM<5, rnn{}, Tanh, Sigmoid, double>>();
    check_gradients<In, LSTM<5, rnn{.return_sequences = true}, Tanh, Sigmoid, double>>();
    check_gradients<In,
                    LSTM<4, rnn{.go_backwards = true, .use_bias = false}, Tanh, Sigmoid, double>>();
  }
  SECTION("GRU") {
    check_gradients<In, GRU<5, rnn{}, Tanh, Sigmoid, double>>();
    check_gradients<
        In, GRU<5, rnn{.return_sequences = true, .go_backwards = true}, Tanh, Sigmoid, double>>();
    check_gradients<In, GRU<5, rnn{.reset_after = true}, Tanh, Sigmoid, double>>();
    check_gradients<In,
                    GRU<4, rnn{.return_sequences = true, .use_bias = false, .reset_after = true},
                        Tanh, Sigmoid, double>>();
  }
}

TEST_CASE("Embedding: rows looked up, gradients added into the rows of the tokens",
          "[recurrent][embedding]") {
  using In = IndexShape<3>;
  Embedding<5, 2, embedding{}, double> emb;
  Random rng(5);
  emb.build<In>(rng);
  // Keras's 'uniform' initializer: U(-0.05, 0.05).
  for (double v : emb.embeddings()) CHECK(std::abs(v) <= 0.05);
  for (std::size_t i = 0; i < 10; ++i) emb.embeddings()[i] = double(i);
  std::vector<double> x{4, 0, 4, 1, 2, 3};  // two samples of three tokens
  std::vector<double> y(12);
  Pass<double> pass{};
  emb.forward<In>(x.data(), y.data(), 2, pass);
  CHECK(y == std::vector<double>{8, 9, 0, 1, 8, 9, 2, 3, 4, 5, 6, 7});
  // Token 4 twice: its row gets both gradients; rows 0..3 one each.
  std::vector<double> dy{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  emb.backward<In>(x.data(), y.data(), dy.data(), nullptr, 2, pass);
  std::vector<double> grad;
  emb.for_each_weight([&](WeightRef<double> w) {
    CHECK(w.name == "embeddings");
    CHECK(w.shape == std::vector<std::size_t>{5, 2});
    grad.assign(w.grad.begin(), w.grad.end());
  });
  CHECK(grad == std::vector<double>{3, 4, 7, 8, 9, 10, 11, 12, 1 + 5, 2 + 6});
  // An index outside the table, or not an integer, is refused before any write.
  std::fill(y.begin(), y.end(), -1.0);
  x[4] = 5;
  CHECK_THROWS_WITH(emb.forward<In>(x.data(), y.data(), 2, pass),
                    Catch::Contains("index 5") && Catch::Contains("sample 1, position 1") &&
                        Catch::Contains("[0, 5)"));
  x[4] = 1.5;
  CHECK_THROWS_AS(emb.forward<In>(x.data(), y.data(), 2, pass), value_error);
  CHECK(y == std::vector<double>(12, -1.0));
}

TEST_CASE("integer inputs: Embedding -> LSTM trains on int32 tokens; bad tokens change nothing",
          "[recurrent][embedding]") {
  utils::set_random_seed(3);
  auto model =
      Sequential{Input<6>::of<std::int32_t>{}, Embedding<12, 4>{}, LSTM<8>{}, Dense<1, Sigmoid>{}};
  STATIC_REQUIRE(decltype(model)::param_count == 48 + 4 * 8 * (4 + 8 + 1) + 9);
  std::ostringstream os;
  model.summary(os);
  CHECK_THAT(os.str(), Catch::Contains("embedding_1 (Embedding)") &&
                           Catch::Contains("(None, 6, 4)") && Catch::Contains("lstm_1 (LSTM)"));
  // Whether token 1 comes before token 2: an order the LSTM must read.
  Random rng(9);
  const std::size_t n = 256;
  xt::xtensor<std::int32_t, 2> x = xt::zeros<std::int32_t>({n, std::size_t(6)});
  xt::xtensor<float, 2> y = xt::zeros<float>({n, std::size_t(1)});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < 6; ++t) x(i, t) = 3 + std::int32_t(rng.uniform(0, 9));
    const auto a = std::size_t(rng.uniform(0, 6)), b = (a + 1 + std::size_t(rng.uniform(0, 5))) % 6;
    x(i, a) = 1;
    x(i, b) = 2;
    y(i, 0) = a < b ? 1.0f : 0.0f;
  }
  model.compile(optimizers::Adam{.lr = 0.01f}, losses::binary_crossentropy, metrics::accuracy);
  const auto h = model.fit(x, y, {.batch_size = 32, .epochs = 30, .verbose = 0});
  CHECK(h.history.at("acc").back() > 0.95);
  // int64 tokens are integers too.
  const xt::xtensor<std::int64_t, 2> x64 = xt::cast<std::int64_t>(x);
  CHECK(model.evaluate(x64, y, {.verbose = 0})[1] > 0.95);

  const auto before = model.get_weights();
  auto unchanged = [&] {
    const auto after = model.get_weights();
    for (std::size_t i = 0; i < after.size(); ++i) CHECK(after[i] == before[i]);
  };
  auto bad = x;
  bad(17, 4) = 12;
  CHECK_THROWS_WITH(
      model.fit(bad, y, {.epochs = 1, .verbose = 0}),
      Catch::Contains("index 12 in row 17 (position 4)") && Catch::Contains("outside [0, 12)"));
  bad(17, 4) = -1;
  CHECK_THROWS_AS(model.train_on_batch(bad, y), value_error);
  CHECK_THROWS_AS(model.predict(bad), value_error);
  const xt::xtensor<float, 2> floats = xt::cast<float>(x);
  CHECK_THROWS_WITH(
      model.fit(floats, y, {.epochs = 1, .verbose = 0}),
      Catch::Contains("to hold integers (token indices) but got an array of float32"));
  unchanged();
}

TEST_CASE("integer inputs: a functional model mixes token and float inputs",
          "[recurrent][embedding]") {
  utils::set_random_seed(4);
  auto tokens = Input<5>::of<std::int32_t>{{.name = "tokens"}};
  auto extra = Input<3>{{.name = "extra"}};
  auto seq = GRU<6>{}(Embedding<10, 3>{}(tokens));
  auto out = Dense<2, Softmax>{}(Concatenate{}(seq, Dense<4, Relu>{}(extra)));
  auto model = Model(inputs(tokens, extra), outputs(out));
  STATIC_REQUIRE(decltype(model)::network_type::input_index_limits[0] == 10);
  STATIC_REQUIRE(decltype(model)::network_type::input_index_limits[1] == std::size_t(-1));
  xt::xtensor<std::int32_t, 2> xt_ = {{1, 2, 3, 4, 5}, {9, 0, 0, 1, 1}, {2, 2, 2, 2, 2}};
  xt::xtensor<float, 2> xf = {{0.1f, 0.2f, 0.3f}, {1, 0, -1}, {0.5f, 0.5f, 0.5f}};
  xt::xtensor<float, 2> y = {{1, 0}, {0, 1}, {1, 0}};
  model.compile(optimizers::SGD{}, losses::categorical_crossentropy);
  const auto first = model.train_on_batch(std::tie(xt_, xf), y);
  for (int i = 0; i < 20; ++i) model.train_on_batch(std::tie(xt_, xf), y);
  CHECK(model.test_on_batch(std::tie(xt_, xf), y)[0] < first[0]);
  xt_(2, 0) = 10;
  CHECK_THROWS_WITH(model.predict(std::tie(xt_, xf)),
                    Catch::Contains("index 10 in row 2 (position 0) of tokens"));
}

TEST_CASE("the README's sequence model builds with Keras's shapes", "[recurrent][embedding]") {
  auto model = Sequential{
      Input<80>::of<std::int32_t>{}, Embedding<20000, 128, embedding{.mask_zero = true}>{},
      LSTM<64, rnn{.return_sequences = true}>{}, GRU<32>{}, Dense<1, Sigmoid>{}};
  STATIC_REQUIRE(decltype(model)::param_count ==
                 20000 * 128 + 4 * 64 * (128 + 64 + 1) + 3 * 32 * (64 + 32 + 1) + 33);
  std::ostringstream os;
  model.summary(os);
  CHECK_THAT(os.str(), Catch::Contains("(None, 80, 128)") && Catch::Contains("(None, 80, 64)") &&
                           Catch::Contains("(None, 32)") && Catch::Contains("2,618,753"));
}

TEST_CASE("TimeDistributed and RepeatVector: shapes, values, gradients", "[recurrent][wrappers]") {
  using In = Shape<4, 5>;
  using TD = TimeDistributed<Dense<3, Tanh, double>>;
  static_assert(std::is_same_v<TD::output_shape<In>, Shape<4, 3>>);
  static_assert(TD::param_count<In> == 5 * 3 + 3);
  static_assert(!TD::accepts<Shape<5>>);
  static_assert(std::is_same_v<RepeatVector<3>::output_shape<Shape<5>>, Shape<3, 5>>);
  static_assert(!RepeatVector<3>::accepts<Shape<2, 5>>);
  static_assert(
      std::is_same_v<TimeDistributed<Flatten>::output_shape<Shape<3, 2, 2>>, Shape<3, 4>>);
  // The wrapped layer on every step is the layer on every (sample, step) row.
  TD td;
  Random rng(2);
  td.build<In>(rng);
  std::vector<double> x(2 * In::size);
  for (auto& v : x) v = rng.uniform(-1, 1);
  const auto y = forward<In>(td, x, 2);
  const auto rows = forward<Shape<5>>(td.layer(), x, 8);
  CHECK(y == rows);
  SECTION("gradients") {
    check_gradients<In, TD>();
    check_gradients<Shape<5>, RepeatVector<3>>();
    check_gradients<Shape<3, 4>, TimeDistributed<RepeatVector<2>>>();
  }
  SECTION("a per-step classifier learns: LSTM sequences -> TimeDistributed(Dense softmax)") {
    utils::set_random_seed(6);
    // Each step's label is whether its feature is above the running mean.
    // With dropout and recurrent_dropout too (run-time options: the same type).
    const bool dropping = GENERATE(false, true);
    LSTM<16, rnn{.return_sequences = true}>::Options opt;
    if (dropping) opt.dropout = opt.recurrent_dropout = 0.1f;
    auto model = Sequential{Input<6, 1>{}, LSTM<16, rnn{.return_sequences = true}>{opt},
                            TimeDistributed<Dense<2, Softmax>>{}};
    std::ostringstream os;
    model.summary(os);
    CHECK_THAT(os.str(), Catch::Contains("time_distributed_1 (TimeDist (None, 6, 2)"));
    const std::size_t n = 256;
    xt::xtensor<float, 3> xs({n, std::size_t(6), std::size_t(1)});
    xt::xtensor<float, 3> ys = xt::zeros<float>({n, std::size_t(6), std::size_t(2)});
    Random r(8);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t t = 0; t < 6; ++t) {
        xs(i, t, 0) = float(r.uniform(-1, 1));
        sum += xs(i, t, 0);
        ys(i, t, xs(i, t, 0) > sum / double(t + 1) ? 1 : 0) = 1;
      }
    }
    model.compile(optimizers::Adam{.lr = 0.01f}, losses::categorical_crossentropy,
                  metrics::accuracy);
    const auto h = model.fit(xs, ys, {.batch_size = 32, .epochs = 25, .verbose = 0});
    INFO("dropout " << dropping);
    CHECK(h.history.at("acc").back() > (dropping ? 0.85 : 0.9));
    CHECK(model.evaluate(xs, ys, {.verbose = 0})[1] > 0.9);
  }
}

namespace {
// forward and backward in training, the dropout masks drawn from a Random
// seeded the same for every call.
template <class In, class L, class T>
std::vector<T> forward_training(L& layer, const std::vector<T>& x, std::size_t n) {
  using Out = typename L::template output_shape<In>;
  std::vector<T> y(n * Out::size);
  Random masks(99);
  Pass<T> pass{true, &masks};
  auto& scratch = scratch_of<In, L, T>();
  scratch.assign(n * L::template scratch_per_sample<In> + 1, T(0));
  pass.scratch = scratch.data();
  layer.template forward<In>(x.data(), y.data(), n, pass);
  return y;
}

template <class In, class L>
void check_dropout_gradients(float dropout, float recurrent_dropout) {
  constexpr std::size_t n = 3;
  typename L::Options opt;
  opt.dropout = dropout;
  opt.recurrent_dropout = recurrent_dropout;
  L layer{opt};
  Random rng(17);
  check_gradients_with<In>(layer, n, rng, [&](const std::vector<double>& x) {
    return forward_training<In>(layer, x, n);
  });
}
}  // namespace

TEST_CASE("recurrent dropout: one mask per sequence, gradients through it",
          "[recurrent][dropout]") {
  SECTION("the input mask: each sample's feature is dropped at every step or none") {
    // SimpleRNN(1, linear), kernel 1, no recurrence: y_t = x_t * mask.
    SimpleRNN<1, rnn{.return_sequences = true}, Linear> layer{{.dropout = 0.25f}};
    Random rng(3);
    layer.build<Shape<5, 1>>(rng);
    layer.kernel()[0] = 1.0f;
    layer.recurrent_kernel()[0] = 0.0f;
    layer.bias()[0] = 0.0f;
    const std::size_t n = 4000;
    const std::vector<float> x(n * 5, 1.0f);
    const auto y = forward_training<Shape<5, 1>>(layer, x, n);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float v = y[i * 5];
      CHECK((v == 0.0f || v == Approx(1 / 0.75f)));
      for (std::size_t t = 1; t < 5; ++t) CHECK(y[i * 5 + t] == v);
      dropped += v == 0.0f;
    }
    CHECK(double(dropped) / n == Approx(0.25).margin(0.03));
    CHECK(forward<Shape<5, 1>>(layer, x, n) == x);  // inference: no mask
  }
  SECTION("the state mask: the same at every step") {
    // h_t = 1 + m * h_{t-1}: m = 0 gives 1, 1, 1...; m = 2 gives 1, 3, 7, 15.
    SimpleRNN<1, rnn{.return_sequences = true}, Linear> layer{{.recurrent_dropout = 0.5f}};
    Random rng(4);
    layer.build<Shape<4, 1>>(rng);
    layer.kernel()[0] = 1.0f;
    layer.recurrent_kernel()[0] = 1.0f;
    layer.bias()[0] = 0.0f;
    const std::size_t n = 2000;
    const auto y = forward_training<Shape<4, 1>>(layer, std::vector<float>(n * 4, 1.0f), n);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool keep = y[i * 4 + 1] != 1.0f;
      kept += keep;
      const std::vector<float> got(y.begin() + std::ptrdiff_t(i * 4),
                                   y.begin() + std::ptrdiff_t(i * 4 + 4));
      CHECK(got == (keep ? std::vector<float>{1, 3, 7, 15} : std::vector<float>{1, 1, 1, 1}));
    }
    CHECK(double(kept) / n == Approx(0.5).margin(0.04));
  }
  SECTION("finite differences with the masks held fixed") {
    using In = Shape<4, 3>;
    check_dropout_gradients<In, SimpleRNN<4, rnn{.return_sequences = true}, Tanh, double>>(0.3f,
                                                                                           0.4f);
    check_dropout_gradients<In, LSTM<4, rnn{}, Tanh, Sigmoid, double>>(0.3f, 0.4f);
    check_dropout_gradients<In, LSTM<4, rnn{.go_backwards = true}, Tanh, Sigmoid, double>>(0.0f,
                                                                                           0.5f);
    check_dropout_gradients<In, GRU<4, rnn{.return_sequences = true}, Tanh, Sigmoid, double>>(0.3f,
                                                                                              0.4f);
    check_dropout_gradients<In, GRU<4, rnn{.reset_after = true}, Tanh, Sigmoid, double>>(0.3f,
                                                                                         0.4f);
  }
  SECTION("a rate outside [0, 1) is refused when the layer is built") {
    Random rng(1);
    LSTM<2> bad{{.dropout = 1.0f}};
    auto build = [&] { bad.build<Shape<3, 2>>(rng); };
    CHECK_THROWS_WITH(build(), Catch::Contains("dropout and recurrent_dropout must be in [0, 1)"));
  }
}

TEST_CASE("Bidirectional: Keras's outputs, gradients, shapes and weight names",
          "[recurrent][wrappers][golden]") {
  SECTION("as real Keras's, each merge mode") {
    check_golden<Shape<5, 3>, Bidirectional<LSTM<4>>>("bi_lstm_concat");
    check_golden<Shape<5, 3>,
                 Bidirectional<GRU<4, rnn{.return_sequences = true}>, merge_mode::sum>>(
        "bi_gru_seq_sum");
    check_golden<Shape<4, 3>,
                 Bidirectional<SimpleRNN<3, rnn{.return_sequences = true}>, merge_mode::mul>>(
        "bi_rnn_seq_mul");
    check_golden<Shape<4, 3>, Bidirectional<LSTM<4, rnn{.go_backwards = true}>, merge_mode::ave>>(
        "bi_lstm_back_ave");
  }
  SECTION("finite differences, each merge mode") {
    using In = Shape<4, 3>;
    using L = LSTM<5, rnn{}, Tanh, Sigmoid, double>;
    using LS = LSTM<5, rnn{.return_sequences = true}, Tanh, Sigmoid, double>;
    check_gradients<In, Bidirectional<L>>();
    check_gradients<In, Bidirectional<LS, merge_mode::sum>>();
    check_gradients<In, Bidirectional<LS, merge_mode::mul>>();
    check_gradients<In, Bidirectional<L, merge_mode::ave>>();
    // A backward layer of its own: another cell, another size.
    check_gradients<In, Bidirectional<LS, merge_mode::concat,
                                      GRU<3, rnn{.return_sequences = true, .go_backwards = true},
                                          Tanh, Sigmoid, double>>>();
  }
  SECTION("Keras's documented model: shapes, parameters, names; it learns") {
    utils::set_random_seed(3);
    auto model =
        Sequential{Input<5, 10>{}, Bidirectional<LSTM<10, rnn{.return_sequences = true}>>{},
                   Bidirectional<LSTM<10>>{}, Dense<5, Softmax>{}};
    // 2 * 4 * 10 * (10 + 10 + 1), 2 * 4 * 10 * (20 + 10 + 1), 21 * 5: Keras's summary.
    STATIC_REQUIRE(decltype(model)::param_count == 1680 + 2480 + 105);
    std::ostringstream os;
    model.summary(os);
    CHECK_THAT(os.str(), Catch::Contains("bidirectional_1 (Bidirection (None, 5, 20)") &&
                             Catch::Contains("(None, 20)") && Catch::Contains("4,265"));
    const auto& names = model.network().weight_names();
    REQUIRE(names.size() == 14);
    CHECK(names[0] == "bidirectional_1/forward_lstm/kernel");
    CHECK(names[5] == "bidirectional_1/backward_lstm/bias");
    CHECK(names[6] == "bidirectional_2/forward_lstm/kernel");
    // The class is the step where the sequence peaks: both directions help.
    const std::size_t n = 320;
    xt::xtensor<float, 3> xs({n, std::size_t(5), std::size_t(10)});
    xt::xtensor<float, 2> ys = xt::zeros<float>({n, std::size_t(5)});
    Random r(4);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t peak = r.below(5);
      for (std::size_t t = 0; t < 5; ++t)
        for (std::size_t f = 0; f < 10; ++f)
          xs(i, t, f) = float(r.uniform(-0.5, 0.5) + (t == peak ? 1.0 : 0.0));
      ys(i, peak) = 1;
    }
    model.compile(optimizers::Adam{.lr = 0.01f}, losses::categorical_crossentropy,
                  metrics::accuracy);
    const auto h = model.fit(xs, ys, {.batch_size = 32, .epochs = 10, .verbose = 0});
    CHECK(h.history.at("loss").back() < 0.5 * h.history.at("loss").front());
    CHECK(h.history.at("acc").back() > 0.9);
  }
}

TEST_CASE("Permute: Keras's axis order, values and gradients", "[recurrent][wrappers]") {
  static_assert(std::is_same_v<Permute<2, 1>::output_shape<Shape<3, 4>>, Shape<4, 3>>);
  static_assert(std::is_same_v<Permute<3, 1, 2>::output_shape<Shape<2, 3, 4>>, Shape<4, 2, 3>>);
  static_assert(!Permute<2, 1>::accepts<Shape<6>>);
  // y[a, b, c] = x[b, c, a] for Permute<3, 1, 2> on (2, 3, 4), two samples.
  using In = Shape<2, 3, 4>;
  Permute<3, 1, 2> p;
  std::vector<double> x(2 * In::size);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = double(k);
  const auto y = forward<In>(p, x, 2);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t a = 0; a < 4; ++a)
      for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t c = 0; c < 3; ++c)
          CHECK(y[i * 24 + (a * 2 + b) * 3 + c] == x[i * 24 + (b * 3 + c) * 4 + a]);
  check_gradients<In, Permute<3, 1, 2>>();
  check_gradients<Shape<3, 5>, Permute<2, 1>>();
  // (steps, features) -> (features, steps) and back: the identity.
  auto model = Sequential{Input<3, 5>{}, Permute<2, 1>{}, Permute<2, 1>{}};
  xt::xtensor<float, 3> xs = xt::zeros<float>({std::size_t(2), std::size_t(3), std::size_t(5)});
  for (std::size_t k = 0; k < xs.size(); ++k) xs.data()[k] = float(k);
  CHECK((model.predict(xs) == xs));
}

TEST_CASE("a shared LSTM on two sequences: each call keeps its own state for backward",
          "[recurrent][functional]") {
  // The state backward reads lives in each call's scratch: with it in the
  // layer, the second call would overwrite the first's.
  auto a = Input<4, 3>{}, b = Input<4, 3>{};
  auto enc = shared(LSTM<5, rnn{}, Tanh, Sigmoid, double>{});
  auto out = Dense<2, Linear, double>{}(Concatenate{}(enc(a), enc(b)));
  auto model = Model{inputs(a, b), outputs(out)};
  CHECK(model.weights().size() == 5);
  Random rng(12);
  const auto va = test::random_vector(2 * 12, rng), vb = test::random_vector(2 * 12, rng);
  test::check_model_gradient(model, 2, rng, va, vb);
}
