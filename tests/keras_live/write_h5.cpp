// The live check's ketl half (tests/keras_live/check_h5.py runs it): builds
// the models of tests/golden/make_keras_h5.py with seeded random weights,
// saves each as OUT/<name>.h5 (and a Sequential whole, as
// OUT/<name>_model.h5, with save_model), and writes its predictions on the golden
// inputs to OUT/ketl_predictions.npz, for real Keras to load and compare;
// and a compiled, trained model, whose training_config Keras compiles.
// Each whole model also as TensorFlow.js's OUT/<name>_tfjs/model.json, for
// check_tfjs.py.
#include <ketl/io/keras_h5.hpp>
#include <ketl/io/keras_model.hpp>
#include <ketl/io/tfjs.hpp>
#include <ketl/ketl.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace ketl;

namespace {
std::map<std::string, io::NpyArray> golden;

// The same model as TensorFlow.js's model.json, in OUT/<name>_tfjs/.
template <class M>
void save_tfjs(const M& m, const std::string& out, const std::string& name) {
  const std::string dir = out + "/" + name + "_tfjs";
  std::filesystem::create_directories(dir);
  save_model(m, dir + "/model.json");
}
std::vector<std::vector<float>> predictions;
std::vector<io::NpzEntry<float>> entries;

template <class E, std::size_t R, class M>
void run(const std::string& out, const std::string& name, M m, unsigned seed) {
  Random rng(seed);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(0.1, 0.6)) * (rng.uniform(0, 1) < 0.5 ? -1 : 1);
  // BatchNormalization's moving variance must stay positive.
  for (const auto& w : m.weights())
    if (w.name == "moving_variance")
      for (auto& v : w.value) v = v < 0 ? -v : v;
  const auto& a = golden.at(name + "__x");
  std::array<std::size_t, R> shape{};
  std::copy(a.shape.begin(), a.shape.end(), shape.begin());
  auto x = xt::xtensor<E, R>::from_shape(shape);
  std::transform(a.values.begin(), a.values.end(), x.begin(), [](double v) { return E(v); });
  const auto p = m.predict(x);
  m.save_weights(out + "/" + name + ".h5");
  // The whole model too, where save_model writes it (Sequential so far).
  if constexpr (requires { save_model(m, out); }) {
    save_model(m, out + "/" + name + "_model.h5");
    save_tfjs(m, out, name);
  }
  predictions.emplace_back(p.begin(), p.end());
  entries.push_back({name, {p.shape().begin(), p.shape().end()}, nullptr});
}
// A model saved whole only (Keras rebuilds it from ketl's config alone),
// with random weights and inputs: its inputs and predictions go to the npz
// as <name>__x<i> and <name>__y<k>.
template <class M, class... X>
void run_whole(const std::string& out, const std::string& name, M m, unsigned seed, X... x) {
  Random rng(seed);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(-0.6, 0.6));
  for (const auto& w : m.weights())
    if (w.name == "moving_variance")
      for (auto& v : w.value) v = v < 0 ? -v : v;
  auto fill = [&](auto& a) {
    for (auto& v : a) v = float(rng.normal());
  };
  (fill(x), ...);
  save_model(m, out + "/" + name + "_model.h5");
  save_tfjs(m, out, name);
  auto add = [&](const std::string& key, const auto& arr) {
    predictions.emplace_back(arr.begin(), arr.end());
    entries.push_back({key, {arr.shape().begin(), arr.shape().end()}, nullptr});
  };
  std::size_t i = 0;
  ((add(name + "__x" + std::to_string(i++), x)), ...);
  if constexpr (sizeof...(X) == 1) {
    add(name + "__y0", m.predict(x...));
  } else {
    const auto y = m.predict(std::tie(x...));
    if constexpr (requires { std::get<0>(y); })
      add(name + "__y0", std::get<0>(y));
    else
      add(name + "__y0", y);
  }
}

// A graph with what Keras's inbound_nodes must express: three inputs, three
// outputs, a shared layer's second call (node index 1), merges, and an
// LSTM's returned states (tensor indices 1 and 2). Saved whole only: Keras
// rebuilds it from ketl's config alone.
void run_multi(const std::string& out) {
  auto a = Input<6>{{.name = "a"}};
  auto b = Input<4>{{.name = "b"}};
  auto seq = Input<5, 3>{{.name = "seq"}};
  auto shared_dense = shared(Dense<5, Relu>{{.name = "shared"}});
  auto sa = shared_dense(a);
  auto sb = shared_dense(Dense<6>{{.name = "to6"}}(b));
  auto o1 = Dense<2, Softmax>{{.name = "o1"}}(Add{{.name = "add"}}(sa, sb));
  auto o2 = Dense<1>{{.name = "o2"}}(Concatenate{{.name = "cat"}}(sa, b));
  auto [lstm_out, h, c] = LSTM<4, rnn{.return_state = true}>{{.name = "lstm"}}(seq);
  auto o3 = Dense<1, Tanh>{{.name = "o3"}}(Concatenate{{.name = "cat2"}}(lstm_out, h, c));
  auto m = Model{inputs(a, b, seq), outputs(o1, o2, o3)};
  Random rng(8);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(-0.6, 0.6));
  xt::xtensor<float, 2> xa = xt::zeros<float>({3, 6}), xb = xt::zeros<float>({3, 4});
  xt::xtensor<float, 3> xs = xt::zeros<float>({3, 5, 3});
  for (auto* x : {&xa, &xb})
    for (auto& v : *x) v = float(rng.normal());
  for (auto& v : xs) v = float(rng.normal());
  auto [y1, y2, y3] = m.predict(std::tie(xa, xb, xs));
  save_model(m, out + "/functional_multi_model.h5");
  save_tfjs(m, out, "functional_multi");
  auto add = [&](const std::string& key, const auto& arr) {
    predictions.emplace_back(arr.begin(), arr.end());
    entries.push_back({key, {arr.shape().begin(), arr.shape().end()}, nullptr});
  };
  add("functional_multi__x0", xa), add("functional_multi__x1", xb), add("functional_multi__x2", xs);
  add("functional_multi__y0", y1), add("functional_multi__y1", y2), add("functional_multi__y2", y3);
}

// A compiled model after some training: Keras must rebuild its training
// setup from ketl's training_config (optimizer, loss, metrics) and evaluate
// to ketl's loss. compiled__t holds the targets, compiled__loss ketl's loss.
void run_compiled(const std::string& out) {
  auto m = Sequential{Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{}};
  Random rng(12);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(-0.6, 0.6));
  xt::xtensor<float, 2> x = xt::zeros<float>({24, 4}), t = xt::zeros<float>({24, 3});
  for (auto& v : x) v = float(rng.normal());
  for (std::size_t i = 0; i < 24; ++i) t(i, i % 3) = 1;
  m.compile(optimizers::Adam{.lr = 0.01f}, "categorical_crossentropy", "acc");
  m.fit(x, t, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  save_model(m, out + "/compiled_model.h5");
  save_tfjs(m, out, "compiled");
  const auto y = m.predict(x);
  const xt::xtensor<float, 1> loss = {float(m.evaluate(x, t, {.verbose = 0})[0])};
  for (auto [key, arr] : {std::pair<std::string, const xt::xtensor<float, 2>*>{"compiled__x0", &x},
                          {"compiled__y0", &y},
                          {"compiled__t", &t}}) {
    predictions.emplace_back(arr->begin(), arr->end());
    entries.push_back({key, {arr->shape().begin(), arr->shape().end()}, nullptr});
  }
  predictions.emplace_back(loss.begin(), loss.end());
  entries.push_back({"compiled__loss", {1}, nullptr});
}

// A two-output model whose outputs have their own metrics (metrics_for<K>,
// Keras's metrics dict): Keras compiles its training_config and evaluates
// to ketl's values, in ketl's order. (No weighted metric: it would apply to
// both outputs under one name, and tf_keras reports a metric name shared
// by two outputs twice with one value.)
void run_per_output(const std::string& out) {
  auto x = Input<4>{};
  auto h = Dense<5, Tanh>{}(x);
  auto m = Model{inputs(x),
                 outputs(Dense<3, Softmax>{{.name = "cls"}}(h), Dense<2>{{.name = "reg"}}(h))};
  Random rng(21);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(-0.6, 0.6));
  xt::xtensor<float, 2> xv = xt::zeros<float>({16, 4}), t0 = xt::zeros<float>({16, 3}),
                        t1 = xt::zeros<float>({16, 2});
  for (auto& v : xv) v = float(rng.normal());
  for (auto& v : t1) v = float(rng.normal());
  for (std::size_t i = 0; i < 16; ++i) t0(i, (i * 5) % 3) = 1;
  m.compile(optimizers::SGD{.lr = 0.05f}, per_output("categorical_crossentropy", "mse"),
            metrics_for<0>("acc", "top_k_categorical_accuracy"), metrics_for<1>("mae", "mse"));
  m.fit(xv, std::tie(t0, t1), {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  save_model(m, out + "/per_output_model.h5");
  const auto [y0, y1] = m.predict(xv);
  const auto r = m.evaluate(xv, std::tie(t0, t1), {.verbose = 0});
  const xt::xtensor<float, 1> values = xt::adapt(std::vector<float>(r.begin(), r.end()));
  for (auto [key, arr] :
       {std::pair<std::string, const xt::xtensor<float, 2>*>{"per_output__x0", &xv},
        {"per_output__y0", &y0},
        {"per_output__y1", &y1},
        {"per_output__t0", &t0},
        {"per_output__t1", &t1}}) {
    predictions.emplace_back(arr->begin(), arr->end());
    entries.push_back({key, {arr->shape().begin(), arr->shape().end()}, nullptr});
  }
  predictions.emplace_back(values.begin(), values.end());
  entries.push_back({"per_output__values", {values.size()}, nullptr});
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: write_h5 GOLDEN_DIR OUT_DIR\n";
    return 2;
  }
  const std::string out = argv[2];
  try {
    golden = io::load_npz(std::string(argv[1]) + "/keras_h5/predictions.npz", "golden");
    run<float, 2>(out, "dense",
                  Sequential{Input<6>{}, Dense<5, Relu>{}, Dropout{0.5f}, Dense<3, Softmax>{}}, 1);
    run<float, 4>(out, "cnn",
                  Sequential{Input<8, 8, 1>{}, Conv2D<3, conv2d{.kernel = {3, 3}}, Relu>{},
                             MaxPooling2D<>{}, BatchNormalization<>{}, Flatten{}, Dense<2>{}},
                  2);
    run<float, 3>(out, "conv1d",
                  Sequential{Input<10, 3>{}, Conv1D<4, conv1d{.kernel = 3}, Relu>{},
                             GlobalMaxPooling1D{}, Dense<2>{}},
                  3);
    run<std::int32_t, 2>(
        out, "rnn",
        Sequential{Input<7>::of<std::int32_t>{}, Embedding<20, 4>{},
                   LSTM<5, rnn{.return_sequences = true}>{}, GRU<3>{}, Dense<1, Sigmoid>{}},
        4);
    run<float, 3>(out, "bidirectional",
                  Sequential{Input<5, 3>{}, Bidirectional<LSTM<4, rnn{.return_sequences = true}>>{},
                             GRU<3, rnn{.reset_after = true}>{}, Dense<2>{}},
                  5);
    run<float, 3>(out, "time_distributed",
                  Sequential{Input<4, 3>{}, SimpleRNN<5, rnn{.return_sequences = true}>{},
                             TimeDistributed<Dense<2>>{}},
                  6);
    auto x = Input<6>{{.name = "x"}};
    auto a = Dense<4, Tanh>{{.name = "A"}}(x);
    auto c = Dense<3, Relu>{{.name = "C"}}(Dense<5>{{.name = "B"}}(x));
    run<float, 2>(out, "functional",
                  Model{x, Dense<2, Softmax>{{.name = "out"}}(Concatenate{{.name = "cat"}}(a, c))},
                  7);
    run_multi(out);
    run_compiled(out);
    run_per_output(out);
    // Every shape and helper layer with a Keras config, in two stacks.
    run_whole(out, "shapes_1d",
              Sequential{Input<6, 4>{}, ZeroPadding1D<margins1d{1, 2}>{},
                         Cropping1D<margins1d{2, 1}>{}, UpSampling1D<2>{}, Permute<2, 1>{},
                         Reshape<6, 8>{}, SpatialDropout1D{0.2f}, Activation<Tanh>{}, Masking{0.0f},
                         LSTM<3>{}, RepeatVector<2>{}, Flatten{}, Dense<2>{}},
              9, xt::xtensor<float, 3>::from_shape({3, 6, 4}));
    run_whole(out, "shapes_2d",
              Sequential{Input<5, 5, 2>{}, ZeroPadding2D<margins2d{{1, 1}, {0, 1}}>{},
                         Cropping2D<margins2d{{1, 0}, {0, 1}}>{}, UpSampling2D<2, 1>{},
                         SpatialDropout2D{0.1f}, AveragePooling2D<>{}, BatchNormalization<>{},
                         GlobalAveragePooling2D{}, Dense<1>{}},
              10, xt::xtensor<float, 4>::from_shape({2, 5, 5, 2}));
    {
      auto u = Input<4>{{.name = "u"}};
      auto v = Input<4>{{.name = "v"}};
      auto du = Dense<3>{{.name = "du"}}(u), dv = Dense<3>{{.name = "dv"}}(v);
      auto merged =
          Concatenate{}(Dot<1>{{.normalize = true}}(du, dv), Subtract{}(du, dv), Multiply{}(du, dv),
                        Average{}(du, dv), Maximum{}(du, dv), Minimum{}(du, dv));
      run_whole(out, "merges", Model{inputs(u, v), outputs(Dense<1>{}(merged))}, 11,
                xt::xtensor<float, 2>::from_shape({3, 4}),
                xt::xtensor<float, 2>::from_shape({3, 4}));
    }
    {
      // A Sequential shared as a layer: Keras nests its config.
      auto left = Input<4>{{.name = "left"}};
      auto right = Input<4>{{.name = "right"}};
      auto encoder = shared(Sequential{Input<4>{}, Dense<3, Tanh>{}, Dense<2>{}});
      auto diff = Subtract{{.name = "diff"}}(encoder(left), encoder(right));
      run_whole(out, "nested", Model{inputs(left, right), outputs(Dense<1, Sigmoid>{}(diff))}, 13,
                xt::xtensor<float, 2>::from_shape({3, 4}),
                xt::xtensor<float, 2>::from_shape({3, 4}));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) entries[i].data = predictions[i].data();
    io::save_npz(out + "/ketl_predictions.npz", entries);
  } catch (const ketl::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
