// The functional API (issue 14): ketl::Model on several inputs and outputs;
// Keras's semantics for several outputs; a functional twin of a Sequential;
// generators and weight files; bad input that changes nothing. The merge,
// shared and nested layers' gradients are in test_functional_gradients.cpp
// (two files, so that the suite's build runs them on both cores).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "functional_helpers.hpp"

using namespace ketl;
using Catch::Matchers::Contains;

using test::random_2d;
using test::snapshot;

TEST_CASE("layers and weights are listed in Keras's model.layers order", "[functional][model]") {
  // A is made first, but B is deeper: tf_keras 2.21 lists x, B, A, C, cat.
  auto x = Input<3>{{.name = "x"}};
  auto a = Dense<4>{{.name = "A"}}(x);
  auto c = Dense<6>{{.name = "C"}}(Dense<5>{{.name = "B"}}(x));
  auto model = Model{x, Concatenate{{.name = "cat"}}(a, c)};
  CHECK(model.layer_names() == std::vector<std::string>{"x", "B", "A", "C", "cat"});
  const auto w = model.get_weights();  // B's kernel (3, 5), A's (3, 4), C's (5, 6)
  REQUIRE(w.size() == 6);
  CHECK(w[0].shape() == xt::xarray<float>::shape_type{3, 5});
  CHECK(w[2].shape() == xt::xarray<float>::shape_type{3, 4});
  CHECK(w[4].shape() == xt::xarray<float>::shape_type{5, 6});
  std::ostringstream os;
  model.summary(os);
  CHECK(os.str().find("B (Dense)") < os.str().find("A (Dense)"));
}

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
  // The shared Dense is one layer with one set of weights. The order is
  // Keras's model.layers (deepest first), as tf_keras 2.21 lists this model.
  CHECK(model.layer_names() == std::vector<std::string>{"title", "dense_1", "dense_3", "add_1",
                                                        "body", "dense_2", "concatenate_1",
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

namespace {
// A classifier head "cls" (3 classes) and a regression head "reg" (2 values).
auto two_heads() {
  auto x = Input<6>{};
  auto h = Dense<8, Tanh, double>{}(x);
  auto cls = Dense<3, Softmax, double>{{.name = "cls"}}(h);
  auto reg = Dense<2, Linear, double>{{.name = "reg"}}(h);
  return Model{inputs(x), outputs(cls, reg)};
}
}  // namespace

TEST_CASE("per_output losses, per-output sample and class weights, target_tensors",
          "[functional][model]") {
  auto model = two_heads();
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

// Keras's metrics={"cls": ["acc"], "reg": ["mae", "mse"]}: each output's
// own metrics, after the ones every output has.
TEST_CASE("metrics_for<K>: each output's own metrics", "[functional][model][metrics]") {
  auto model = two_heads();
  model.compile("sgd", per_output(losses::sparse_categorical_crossentropy, losses::mse),
                metrics_for<1>(losses::mae, "mse"), metrics::accuracy, metrics_for<0>("ce"),
                weighted_metrics_for<1>("mae"));
  CHECK(model.metrics_names() ==
        std::vector<std::string>{"loss", "cls_loss", "reg_loss", "cls_acc", "cls_ce", "reg_acc",
                                 "reg_mean_absolute_error", "reg_mean_squared_error",
                                 "reg_weighted_mean_absolute_error"});
  Random rng(8);
  const auto xv = random_2d(11, 6, rng);
  xt::xtensor<int, 1> labels = xt::zeros<int>({11});
  for (std::size_t i = 0; i < 11; ++i) labels(i) = int((i * 2) % 3);
  const auto yr = random_2d(11, 2, rng);
  const auto r = model.evaluate(xv, std::tie(labels, yr), {.verbose = 0});
  REQUIRE(r.size() == 9);
  const auto [pc, pr] = model.predict(xv);
  xt::xtensor<double, 1> ones = xt::ones<double>({11}), w = xt::ones<double>({11});
  w(1) = 0, w(4) = 3, w(9) = 0.5;
  double ce = 0, mae = 0, mse = 0, wmae = 0, nnz = 0;
  for (std::size_t i = 0; i < 11; ++i) {
    ce -= std::log(std::clamp(pc(i, std::size_t(labels(i))), 1e-7, 1 - 1e-7));
    double row = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const double d = pr(i, j) - yr(i, j);
      row += std::abs(d) / 2, mse += d * d / 2;
    }
    mae += row, wmae += w(i) * row, nnz += w(i) != 0;
  }
  CHECK(r[8] == Approx(r[6]).epsilon(1e-9));  // unweighted, a weighted metric is the plain one
  const auto rw =
      model.evaluate(xv, std::tie(labels, yr), {.verbose = 0, .sample_weight = std::tie(ones, w)});
  CHECK(rw[8] == Approx(wmae / nnz).epsilon(1e-9));
  CHECK(rw[6] == Approx(mae / 11).epsilon(1e-9));
  CHECK(r[4] == Approx(ce / 11).epsilon(1e-9));  // "ce" is sparse against this loss
  CHECK(r[4] == Approx(r[1]).epsilon(1e-9));     // and equals cls's loss
  CHECK(r[6] == Approx(mae / 11).epsilon(1e-9));
  CHECK(r[7] == Approx(mse / 11).epsilon(1e-9));
  CHECK(r[7] == Approx(r[2]).epsilon(1e-9));  // mse as a metric is reg's loss
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
