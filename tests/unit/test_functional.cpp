// The functional API (issue 14): ketl::Model on several inputs and outputs,
// merge layers, shared layers, nested models; Keras's semantics for several
// outputs; gradients by finite differences; bad input that changes nothing.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;
using Catch::Matchers::Contains;

namespace {
template <class M>
std::vector<std::vector<double>> snapshot(const M& m) {
  std::vector<std::vector<double>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}

xt::xtensor<double, 2> random_2d(std::size_t n, std::size_t d, Random& rng, double lo = -1,
                                 double hi = 1) {
  xt::xtensor<double, 2> a = xt::xtensor<double, 2>::from_shape({n, d});
  for (auto& v : a) v = rng.uniform(lo, hi);
  return a;
}

// d(loss)/d(weights) of a model's network by finite differences, with
// loss = sum_k sum_e c_k (y_k - t_k)^2 / 2 over its outputs.
template <class M, class... X>
void check_model_gradient(M& m, std::size_t n, Random& rng, const X&... xs) {
  auto& net = m.network();
  using N = std::remove_cvref_t<decltype(net)>;
  constexpr std::size_t K = engine::output_count<N>;
  const std::array<const void*, sizeof...(X)> in{xs.data()...};
  std::array<std::vector<double>, K> target;
  std::array<double, K> c{};
  for (std::size_t k = 0; k < K; ++k) {
    c[k] = 0.5 + double(k);
    const std::size_t size = [&] {
      std::size_t s = 0;
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        ((J == k ? s = engine::output_shape_t<N, J>::size : 0), ...);
      }
      (std::make_index_sequence<K>{});
      return s;
    }();
    target[k] = test::random_vector(n * size, rng);
  }
  auto loss = [&] {
    net.forward(in.data(), n, true);
    double s = 0;
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t e = 0; e < target[k].size(); ++e) {
        const double d = net.output(k)[e] - target[k][e];
        s += c[k] * d * d / 2;
      }
    return s;
  };
  net.forward(in.data(), n, true);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t e = 0; e < target[k].size(); ++e)
      net.output_grad(k)[e] = c[k] * (net.output(k)[e] - target[k][e]);
  net.backward(in.data(), n, std::array<bool, K>{});
  for (const auto& w : m.weights()) {
    std::vector<double> analytic(w.grad.begin(), w.grad.end());
    test::check_gradient(w.value, analytic, loss);
  }
}

// Two dense branches meeting in a merge layer, and a dense head: the
// head's and both branches' gradients go through the merge's backward.
template <class Merge, std::size_t A, std::size_t B, std::size_t U = 4, class... O>
void check_merge(Merge merge) {
  Random rng(11);
  auto x1 = Input<3>{};
  auto x2 = Input<5>{};
  auto a = Dense<A, Tanh, double>{}(x1);
  auto b = Dense<B, Tanh, double>{}(x2);
  auto m = merge(a, b);
  auto out = Dense<U, Linear, double>{}(Flatten{}(m));
  auto model = Model{inputs(x1, x2), outputs(out)};
  constexpr std::size_t n = 3;
  const auto v1 = test::random_vector(n * 3, rng), v2 = test::random_vector(n * 5, rng);
  check_model_gradient(model, n, rng, v1, v2);
}
}  // namespace

TEST_CASE("the two-input, two-output example: Keras's names and hand-computed losses",
          "[functional][model]") {
  auto title = Input<10>{{.name = "title"}};
  auto body = Input<30>{{.name = "body"}};
  auto t = Dense<8, Relu, double>{}(title);
  auto b = Dense<8, Relu, double>{}(body);
  auto shared_dense = shared(Dense<8, Relu, double>{});
  auto r = Add{}(t, shared_dense(t));
  auto merged = Concatenate{}(shared_dense(r), b);
  auto main_out = Dense<1, Sigmoid, double>{{.name = "main_output"}}(merged);
  auto aux_out = Dense<1, Sigmoid, double>{{.name = "aux_output"}}(t);
  auto model = Model{inputs(title, body), outputs(main_out, aux_out)};
  model.compile(optimizers::RMSprop{}, losses::binary_crossentropy, metrics::accuracy,
                loss_weights(1.0, 0.2));
  CHECK(model.metrics_names() == std::vector<std::string>{"loss", "main_output_loss",
                                                          "aux_output_loss", "main_output_acc",
                                                          "aux_output_acc"});
  // The shared Dense is one layer with one set of weights.
  CHECK(model.layer_names() == std::vector<std::string>{"title", "body", "dense_1", "dense_2",
                                                        "dense_3", "add_1", "concatenate_1",
                                                        "main_output", "aux_output"});
  CHECK(model.param_count() == (10 * 8 + 8) + (30 * 8 + 8) + (8 * 8 + 8) + (16 + 1) + (8 + 1));
  CHECK(model.weights().size() == 10);

  Random rng(3);
  const auto xt_ = random_2d(20, 10, rng), xb = random_2d(20, 30, rng);
  xt::xtensor<double, 2> y_main = xt::zeros<double>({20, 1}), y_aux = xt::zeros<double>({20, 1});
  for (std::size_t i = 0; i < 20; i += 2) y_main(i, 0) = 1, y_aux(i + 1, 0) = 1;
  const auto scores = model.evaluate(std::tie(xt_, xb), std::tie(y_main, y_aux), {.verbose = 0});
  REQUIRE(scores.size() == 5);
  auto [p_main, p_aux] = model.predict(std::tie(xt_, xb));
  auto bce = [](const xt::xtensor<double, 2>& p, const xt::xtensor<double, 2>& y) {
    double s = 0, hits = 0;
    for (std::size_t i = 0; i < p.shape()[0]; ++i) {
      const double q = std::clamp(p(i, 0), 1e-7, 1 - 1e-7);
      s += -(y(i, 0) * std::log(q + 1e-7) + (1 - y(i, 0)) * std::log(1 - q + 1e-7));
      hits += (p(i, 0) > 0.5) == (y(i, 0) > 0.5);
    }
    return std::pair{s / double(p.shape()[0]), hits / double(p.shape()[0])};
  };
  const auto [l_main, a_main] = bce(p_main, y_main);
  const auto [l_aux, a_aux] = bce(p_aux, y_aux);
  CHECK(scores[1] == Approx(l_main).epsilon(1e-9));
  CHECK(scores[2] == Approx(l_aux).epsilon(1e-9));
  CHECK(scores[0] == Approx(l_main + 0.2 * l_aux).epsilon(1e-9));
  CHECK(scores[3] == Approx(a_main));
  CHECK(scores[4] == Approx(a_aux));

  // fit: History and the bar use the same keys, val_ included.
  const History h =
      model.fit(std::tie(xt_, xb), std::tie(y_main, y_aux),
                {.batch_size = 4, .epochs = 3, .verbose = 0, .validation_split = 0.25});
  for (const char* k : {"loss", "main_output_loss", "aux_output_loss", "main_output_acc",
                        "aux_output_acc", "val_loss", "val_main_output_loss", "val_aux_output_acc"})
    CHECK(h.history.at(k).size() == 3);
  CHECK(h.history.at("loss").back() < h.history.at("loss").front());

  // summary(): Keras's functional table, the shared layer's two calls.
  std::ostringstream os;
  model.summary(os);
  const std::string s = os.str();
  CHECK_THAT(s, Contains("Layer (type)                    Output Shape         Param #     "
                         "Connected to"));
  CHECK_THAT(s, Contains("dense_3 (Dense)                 (None, 8)            72          "
                         "dense_1[0][0]"));
  CHECK_THAT(s, Contains("concatenate_1 (Concatenate)     (None, 16)           0           "
                         "dense_3[1][0]"));
  CHECK_THAT(s, Contains("Total params: 434"));
}

TEST_CASE("per_output losses, per-output sample and class weights, target_tensors",
          "[functional][model]") {
  auto x = Input<6>{};
  auto h = Dense<8, Tanh, double>{}(x);
  auto cls = Dense<3, Softmax, double>{{.name = "cls"}}(h);
  auto reg = Dense<2, Linear, double>{{.name = "reg"}}(h);
  auto model = Model{inputs(x), outputs(cls, reg)};
  model.compile("sgd", per_output(losses::sparse_categorical_crossentropy, losses::mse),
                metrics::accuracy);
  CHECK(model.metrics_names() ==
        std::vector<std::string>{"loss", "cls_loss", "reg_loss", "cls_acc", "reg_acc"});
  Random rng(5);
  const auto xv = random_2d(12, 6, rng);
  xt::xtensor<int, 1> labels = xt::zeros<int>({12});
  for (std::size_t i = 0; i < 12; ++i) labels(i) = int(i % 3);
  const auto yr = random_2d(12, 2, rng);
  auto base = model.evaluate(xv, std::tie(labels, yr), {.verbose = 0});
  // Weights on the regression output only: its loss changes, cls's does not.
  xt::xtensor<double, 1> ones = xt::ones<double>({12}), w = xt::ones<double>({12});
  for (std::size_t i = 0; i < 6; ++i) w(i) = 0;
  const auto weighted =
      model.evaluate(xv, std::tie(labels, yr), {.verbose = 0, .sample_weight = std::tie(ones, w)});
  CHECK(weighted[1] == Approx(base[1]));
  CHECK(weighted[2] != Approx(base[2]));
  // sum(w l) / count_nonzero(w) over the second half.
  const auto tail =
      model.evaluate(xt::xtensor<double, 2>(xt::view(xv, xt::range(6, 12))),
                     std::make_tuple(xt::xtensor<int, 1>(xt::view(labels, xt::range(6, 12))),
                                     xt::xtensor<double, 2>(xt::view(yr, xt::range(6, 12)))),
                     {.verbose = 0});
  CHECK(weighted[2] == Approx(tail[2]));
  // class_weight per output: a map for cls, none for reg.
  const auto trained =
      model.train_on_batch(xv, std::tie(labels, yr), {},
                           std::vector<std::map<int, double>>{{{0, 1}, {1, 2}, {2, 3}}, {}});
  CHECK(trained.size() == 5);
  // class_weight for every output of a model with two: one map per output.
  CHECK_THROWS_WITH(model.train_on_batch(xv, std::tie(labels, yr), {}, {{0, 1.0}}),
                    Contains("class_weight must hold one map per output (2), got 1"));

  // target_tensors: one array per output (compile again keeps the weights).
  base = model.evaluate(xv, std::tie(labels, yr), {.verbose = 0});
  xt::xtensor<double, 1> labels_d = xt::cast<double>(labels);
  model.compile("sgd", per_output(losses::sparse_categorical_crossentropy, losses::mse),
                target_tensors(labels_d, yr));
  const auto bound = model.evaluate(xv, {.verbose = 0});
  CHECK(bound[1] == Approx(base[1]));
  CHECK_THROWS_AS(model.evaluate(xv, std::tie(labels, yr), {.verbose = 0}), value_error);
}

TEST_CASE("a residual block: Add of a Dense stack and its input", "[functional][gradient]") {
  auto x = Input<5>{};
  auto d1 = Dense<7, Tanh, double>{}(x);
  auto d2 = Dense<5, Linear, double>{}(d1);
  auto res = Add{}(x, d2);
  auto out = Dense<2, Sigmoid, double>{}(res);
  auto model = Model{x, out};
  Random rng(2);
  const auto xv = random_2d(4, 5, rng);
  // The forward pass is x + dense(dense(x)) through the head.
  const auto p = model.predict(xv);
  auto seq = Sequential{Input<5>{}, Dense<7, Tanh, double>{}, Dense<5, Linear, double>{}};
  auto ws = model.get_weights();
  seq.set_weights({ws[0], ws[1], ws[2], ws[3]});
  const auto inner = seq.predict(xv);
  const auto& head = ws[4];
  const auto& hb = ws[5];
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      double z = hb(j);
      for (std::size_t f = 0; f < 5; ++f) z += (xv(i, f) + inner(i, f)) * head(f, j);
      CHECK(p(i, j) == Approx(1 / (1 + std::exp(-z))).epsilon(1e-12));
    }
  const auto v = test::random_vector(4 * 5, rng);
  check_model_gradient(model, 4, rng, v);
}

TEST_CASE("a shared Dense on two inputs: one set of weights, gradients summed over both uses",
          "[functional][gradient]") {
  auto a = Input<4>{}, b = Input<4>{};
  auto enc = shared(Dense<3, Tanh, double>{});
  auto merged = Concatenate{}(enc(a), enc(b));
  auto out = Dense<2, Linear, double>{}(merged);
  auto model = Model{inputs(a, b), outputs(out)};
  CHECK(model.weights().size() == 4);
  CHECK(model.param_count() == (4 * 3 + 3) + (6 * 2 + 2));
  Random rng(8);
  const auto va = test::random_vector(3 * 4, rng), vb = test::random_vector(3 * 4, rng);
  check_model_gradient(model, 3, rng, va, vb);
}

TEST_CASE("every merge layer's gradient, by finite differences", "[functional][gradient][merge]") {
  check_merge<Add, 4, 4>(Add{});
  check_merge<Subtract, 4, 4>(Subtract{});
  check_merge<Multiply, 4, 4>(Multiply{});
  check_merge<Average, 4, 4>(Average{});
  check_merge<Maximum, 4, 4>(Maximum{});
  check_merge<Minimum, 4, 4>(Minimum{});
  check_merge<Concatenate<>, 4, 6>(Concatenate{});
  check_merge<Dot<1>, 5, 5>(Dot<1>{});
  check_merge<Dot<1>, 5, 5>(Dot<1>{{.normalize = true}});
  check_merge<Dot<-1>, 5, 5>(Dot<-1>{});
  // Rank-2 inputs: Concatenate on the first feature axis, and a batch matmul.
  {
    Random rng(4);
    auto x1 = Input<6>{};
    auto x2 = Input<8>{};
    auto a = Reshape<2, 3>{}(Dense<6, Tanh, double>{}(x1));
    auto b = Reshape<2, 4>{}(Dense<8, Tanh, double>{}(x2));
    auto c = Concatenate<-1>{}(a, b);                                               // (2, 7)
    auto a2 = Reshape<3, 2>{}(Dense<6, Tanh, double>{}(x1));                        // (3, 2)
    auto c2 = Concatenate<1>{}(a2, Reshape<1, 2>{}(Dense<2, Tanh, double>{}(x2)));  // (4, 2)
    auto d = Dot<2, 1>{}(c, Reshape<7, 3>{}(Dense<21, Tanh, double>{}(x2)));        // (2, 3)
    auto d2 = Dot<1, 1>{{.normalize = true}}(c2, Reshape<4, 5>{}(Dense<20, Tanh, double>{}(x1)));
    auto out = Concatenate{}(Flatten{}(d), Flatten{}(d2));
    auto model = Model{inputs(x1, x2), outputs(Dense<3, Linear, double>{}(out))};
    STATIC_REQUIRE(std::is_same_v<decltype(c)::shape, Shape<2, 7>>);
    STATIC_REQUIRE(std::is_same_v<decltype(c2)::shape, Shape<4, 2>>);
    STATIC_REQUIRE(std::is_same_v<decltype(d)::shape, Shape<2, 3>>);
    STATIC_REQUIRE(std::is_same_v<decltype(d2)::shape, Shape<2, 5>>);
    const auto v1 = test::random_vector(2 * 6, rng), v2 = test::random_vector(2 * 8, rng);
    check_model_gradient(model, 2, rng, v1, v2);
  }
}

TEST_CASE("merge layers compute Keras's values", "[functional][merge]") {
  auto a = Input<3>{}, b = Input<3>{}, c = Input<3>{};
  xt::xtensor<float, 2> va = {{1, -2, 3}}, vb = {{4, 5, -6}}, vc = {{0.5f, 2, 9}};
  // An identity Dense after the merge: the merge's values come out as they are.
  auto run = [&](auto node) {
    auto model = Model{inputs(a, b, c), outputs(Dense<3>{}(node))};
    model.set_weights(
        {xt::xarray<float>(xt::eye<float>(3)), xt::xarray<float>(xt::zeros<float>({3}))});
    return model.predict(std::tie(va, vb, vc));
  };
  auto run2 = [&](auto node) {
    auto model = Model{inputs(a, b), outputs(Dense<3>{}(node))};
    model.set_weights(
        {xt::xarray<float>(xt::eye<float>(3)), xt::xarray<float>(xt::zeros<float>({3}))});
    return model.predict(std::tie(va, vb));
  };
  CHECK((run(Add{}(a, b, c)) == xt::xtensor<float, 2>{{5.5f, 5, 6}}));
  CHECK((run2(Subtract{}(a, b)) == xt::xtensor<float, 2>{{-3, -7, 9}}));
  CHECK((run(Multiply{}(a, b, c)) == xt::xtensor<float, 2>{{2, -20, -162}}));
  CHECK(xt::allclose(run(Average{}(a, b, c)), xt::xtensor<float, 2>{{5.5f / 3, 5.0f / 3, 2}}));
  CHECK((run(Maximum{}(a, b, c)) == xt::xtensor<float, 2>{{4, 5, 9}}));
  CHECK((run(Minimum{}(a, b, c)) == xt::xtensor<float, 2>{{0.5f, -2, -6}}));
  // Dot: 1*4 - 2*5 - 3*6 = -24; normalised, a cosine.
  auto dot = Model{inputs(a, b), outputs(Dot<1>{}(a, b))};
  CHECK(dot.predict(std::tie(va, vb))(0, 0) == -24.0f);
  auto cosine = Model{inputs(a, b), outputs(Dot<1>{{.normalize = true}}(a, b))};
  CHECK(cosine.predict(std::tie(va, vb))(0, 0) ==
        Approx(-24.0 / std::sqrt(14.0) / std::sqrt(77.0)).epsilon(1e-6));
  STATIC_REQUIRE(std::is_same_v<decltype(Concatenate{}(a, b, c))::shape, Shape<9>>);
}

TEST_CASE("a functional twin of a Sequential trains bit for bit the same", "[functional][model]") {
  Random rng(6);
  const auto x = random_2d(64, 8, rng);
  xt::xtensor<double, 2> y = xt::zeros<double>({64, 4});
  for (std::size_t i = 0; i < 64; ++i) y(i, i % 4) = 1;
  utils::set_random_seed(17);
  auto seq =
      Sequential{Input<8>{}, Dense<16, Relu, double>{}, Dropout{0.3f}, Dense<4, Softmax, double>{}};
  utils::set_random_seed(17);
  auto in = Input<8>{};
  auto fun = Model{in, Dense<4, Softmax, double>{}(Dropout{0.3f}(Dense<16, Relu, double>{}(in)))};
  REQUIRE(snapshot(seq) == snapshot(fun));
  seq.compile(optimizers::Adam{}, losses::categorical_crossentropy, metrics::accuracy);
  fun.compile(optimizers::Adam{}, losses::categorical_crossentropy, metrics::accuracy);
  const auto hs = seq.fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0});
  const auto hf = fun.fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0});
  CHECK(hs.history == hf.history);
  CHECK(snapshot(seq) == snapshot(fun));
}

TEST_CASE("a Sequential called on a node is one layer; ketl::shared shares it",
          "[functional][nested][gradient]") {
  auto encoder = Sequential{Input<4>{}, Dense<5, Tanh, double>{}, Dense<3, Tanh, double>{}};
  auto a = Input<4>{}, b = Input<4>{};
  auto enc = shared(encoder);
  auto out = Dense<2, Linear, double>{}(Subtract{}(enc(a), enc(b)));
  auto model = Model{inputs(a, b), outputs(out)};
  CHECK(model.weights().size() == 6);
  CHECK(model.layer_names()[2] == "sequential_1");
  Random rng(12);
  const auto va = test::random_vector(3 * 4, rng), vb = test::random_vector(3 * 4, rng);
  check_model_gradient(model, 3, rng, va, vb);
  // Called plainly, it is a copy with the encoder's weights as they are.
  auto single = Model{a, encoder(a)};
  const auto xa = random_2d(3, 4, rng);
  CHECK((single.predict(xa) == encoder.predict(xa)));
  std::ostringstream os;
  single.summary(os);
  CHECK_THAT(os.str(), Contains("sequential_1 (Sequential)       (None, 3)            43"));
}

TEST_CASE("generators, weights and files on a functional model", "[functional][model]") {
  auto x1 = Input<3>{{.name = "a"}};
  auto x2 = Input<2>{{.name = "b"}};
  auto out1 = Dense<2, Softmax>{{.name = "p"}}(Concatenate{}(x1, x2));
  auto out2 = Dense<1>{{.name = "q"}}(x2);
  auto model = Model{inputs(x1, x2), outputs(out1, out2)};
  model.compile("adam", per_output("categorical_crossentropy", "mse"));
  Random rng(1);
  xt::xtensor<float, 2> a = xt::xtensor<float, 2>::from_shape({8, 3}),
                        b = xt::xtensor<float, 2>::from_shape({8, 2}), p = xt::zeros<float>({8, 2}),
                        q = xt::xtensor<float, 2>::from_shape({8, 1});
  for (auto& v : a) v = float(rng.uniform());
  for (auto& v : b) v = float(rng.uniform());
  for (auto& v : q) v = float(rng.uniform());
  for (std::size_t i = 0; i < 8; ++i) p(i, i % 2) = 1;
  using X = std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>;
  std::vector<std::tuple<X, X>> seq{{X{a, b}, X{p, q}}, {X{a, b}, X{p, q}}};
  auto copy = model;
  copy.compile("adam", per_output("categorical_crossentropy", "mse"));
  const History hg = model.fit_generator(seq, {.epochs = 2, .verbose = 0, .shuffle = false});
  copy.fit(std::tie(a, b), std::tie(p, q),
           {.batch_size = 8, .epochs = 4, .verbose = 0, .shuffle = false});
  CHECK(snapshot(model) == snapshot(copy));  // 4 identical steps either way
  const auto e = model.evaluate_generator(seq);
  CHECK(e == model.evaluate(std::tie(a, b), std::tie(p, q), {.verbose = 0}));
  // predict_generator: items of x alone, a tuple per input.
  std::vector<X> xs{X{a, b}};
  const auto [pg1, pg2] = model.predict_generator(xs);
  const auto [pp1, pp2] = model.predict(std::tie(a, b));
  CHECK((pg1 == pp1));
  CHECK((pg2 == pp2));
  // Weight files: names <layer>/kernel, a round trip bit for bit.
  const std::string path = "/tmp/ketl_functional_" + std::to_string(::getpid()) + ".npz";
  model.save_weights(path);
  const auto arrays = io::load_npz(path);
  CHECK(arrays.count("p/kernel") == 1);
  CHECK(arrays.count("q/bias") == 1);
  copy.load_weights(path);
  CHECK(snapshot(model) == snapshot(copy));
  std::remove(path.c_str());
}

TEST_CASE("bad input to a functional model throws Keras's message and changes nothing",
          "[functional][bad-input]") {
  auto title = Input<10>{{.name = "title"}};
  auto body = Input<4>{{.name = "body"}};
  auto out = Dense<1, Sigmoid>{}(Concatenate{}(Dense<3>{}(title), body));
  auto model = Model{inputs(title, body), outputs(out)};
  model.compile("sgd", losses::binary_crossentropy);
  const auto before = snapshot(model);
  xt::xtensor<float, 2> t = xt::zeros<float>({5, 10}), b = xt::zeros<float>({5, 4}),
                        y = xt::zeros<float>({5, 1}), t9 = xt::zeros<float>({5, 9}),
                        b4 = xt::zeros<float>({4, 4});
  CHECK_THROWS_WITH(model.fit(std::tie(t9, b), y, {.verbose = 0}),
                    "Error when checking input: expected title to have shape (10,) but got array "
                    "with shape (9,)");
  CHECK_THROWS_WITH(model.fit(std::tie(t, b4), y, {.verbose = 0}),
                    Contains("All input arrays should have the same number of samples"));
  CHECK_THROWS_WITH(
      model.train_on_batch(std::tie(t, b), xt::xtensor<float, 2>(xt::zeros<float>({4, 1}))),
      Contains("Found 5 input samples and 4 target samples"));
  CHECK_THROWS_AS(model.evaluate(std::tie(t, b), xt::xtensor<float, 2>(xt::zeros<float>({5, 2})),
                                 {.verbose = 0}),
                  shape_error);
  CHECK(snapshot(model) == before);
  // Two layers with one name.
  auto x = Input<2>{};
  auto dup = Dense<1>{{.name = "same"}}(Dense<2>{{.name = "same"}}(x));
  CHECK_THROWS_WITH(Model(x, dup), Contains("All layer names should be unique"));
  // An output computed from an Input that is not among the inputs: an
  // Input of a declared type, but another object.
  auto other = Input<2>{};
  CHECK_THROWS_WITH(Model(x, Dense<1>{}(other)), Contains("not among the model's inputs"));
}
