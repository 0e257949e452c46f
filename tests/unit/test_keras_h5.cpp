// Keras's .h5 files (ketl/io/keras_h5.hpp, keras_model.hpp): files written by real
// Keras (tests/golden/make_keras_h5.py, tf_keras 2.21) and by h5py alone
// (make_h5py_files.py) load and predict what Keras and NumPy predicted;
// ketl's own files round-trip bit for bit; every mismatch and every bad file
// throws Keras's words or a ketl::io_error and leaves the weights as they were.
#include <ketl/io/keras_h5.hpp>
#include <ketl/io/keras_import.hpp>
#include <ketl/io/keras_model.hpp>
#include <ketl/io/tfjs.hpp>
#include <ketl/ketl.hpp>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace ketl;
using Catch::Matchers::Contains;

namespace {

const std::string dir = KETL_TEST_GOLDEN_DIR "/keras_h5/";

const io::NpyArray& golden(const std::string& key) {
  static const auto keras = io::load_npz(dir + "predictions.npz", "golden");
  static const auto h5py = io::load_npz(dir + "h5py_predictions.npz", "golden");
  auto it = keras.find(key);
  if (it == keras.end()) it = h5py.find(key);
  INFO(key);
  REQUIRE(it != h5py.end());
  return it->second;
}

template <class E, std::size_t R>
xt::xtensor<E, R> input(const std::string& name) {
  const auto& a = golden(name + "__x");
  REQUIRE(a.shape.size() == R);
  std::array<std::size_t, R> shape{};
  std::copy(a.shape.begin(), a.shape.end(), shape.begin());
  xt::xtensor<E, R> x = xt::xtensor<E, R>::from_shape(shape);
  std::transform(a.values.begin(), a.values.end(), x.begin(), [](double v) { return E(v); });
  return x;
}

template <class P>
void check_prediction(const P& got, const std::string& name, double tol = 2e-5) {
  const auto& want = golden(name + "__y").values;
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(name << " element " << i);
    CHECK(double(got.data()[i]) == Approx(want[i]).margin(tol).epsilon(tol));
  }
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class M>
std::vector<std::vector<float>> snapshot_weights(const M& m) {
  std::vector<std::vector<float>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}

// Random weights (BatchNormalization's variances positive), so that a file
// that loaded nothing could not pass.
template <class M>
void scramble(M& m, unsigned seed) {
  Random rng(seed);
  for (const auto& w : m.weights())
    for (auto& v : w.value) v = float(rng.uniform(0.1, 0.6));
}

auto dense_model() {
  return Sequential{Input<6>{}, Dense<5, Relu>{}, Dropout{0.5f}, Dense<3, Softmax>{}};
}
auto cnn_model() {
  return Sequential{Input<8, 8, 1>{}, Conv2D<3, conv2d{.kernel = {3, 3}}, Relu>{},
                    MaxPooling2D<>{}, BatchNormalization<>{},
                    Flatten{},        Dense<2>{}};
}
auto conv1d_model() {
  return Sequential{Input<10, 3>{}, Conv1D<4, conv1d{.kernel = 3}, Relu>{}, GlobalMaxPooling1D{},
                    Dense<2>{}};
}
auto rnn_model() {
  return Sequential{Input<7>::of<std::int32_t>{}, Embedding<20, 4>{},
                    LSTM<5, rnn{.return_sequences = true}>{}, GRU<3>{}, Dense<1, Sigmoid>{}};
}
auto bidirectional_model() {
  return Sequential{Input<5, 3>{}, Bidirectional<LSTM<4, rnn{.return_sequences = true}>>{},
                    GRU<3, rnn{.reset_after = true}>{}, Dense<2>{}};
}
auto time_distributed_model() {
  return Sequential{Input<4, 3>{}, SimpleRNN<5, rnn{.return_sequences = true}>{},
                    TimeDistributed<Dense<2>>{}};
}
auto functional_model() {
  auto x = Input<6>{{.name = "x"}};
  auto a = Dense<4, Tanh>{{.name = "A"}}(x);
  auto c = Dense<3, Relu>{{.name = "C"}}(Dense<5>{{.name = "B"}}(x));
  return Model{x, Dense<2, Softmax>{{.name = "out"}}(Concatenate{{.name = "cat"}}(a, c))};
}
auto named_model() {
  return Sequential{Input<6>{}, Dense<5, Relu>{{.name = "hidden"}}, Dense<3>{{.name = "head"}}};
}

// Loads <name>.h5 and <name>_model.h5 (a whole-model file: its
// model_weights group) and checks Keras's prediction; then saves with ketl,
// loads that into a third model and checks the predictions are identical.
template <class E, std::size_t R, class Make>
void check_model(const std::string& name, Make make) {
  const auto x = input<E, R>(name);
  for (const std::string& file : {name + ".h5", name + "_model.h5"}) {
    INFO(file);
    auto m = make();
    scramble(m, 1);
    m.load_weights(dir + file);
    check_prediction(m.predict(x), name);
  }
  auto m = make();
  scramble(m, 2);
  const std::string mine = "ketl_test_" + name + ".h5";
  m.save_weights(mine);
  auto back = make();
  scramble(back, 3);
  back.load_weights(mine);
  CHECK(snapshot_weights(back) == snapshot_weights(m));
  const auto p = m.predict(x), q = back.predict(x);
  CHECK(std::equal(p.begin(), p.end(), q.begin()));
  std::remove(mine.c_str());
}

}  // namespace

TEST_CASE("Keras-written .h5 files load and predict what Keras predicts; ketl's round-trip",
          "[keras_h5][weights]") {
  check_model<float, 2>("dense", dense_model);
  check_model<float, 4>("cnn", cnn_model);
  check_model<float, 3>("conv1d", conv1d_model);
  check_model<std::int32_t, 2>("rnn", rnn_model);
  check_model<float, 3>("bidirectional", bidirectional_model);
  check_model<float, 3>("time_distributed", time_distributed_model);
  check_model<float, 2>("functional", functional_model);
  check_model<float, 2>("named", named_model);
}

TEST_CASE("h5py-written forms: split lists, variable-length strings, cell names, float64",
          "[keras_h5][weights]") {
  auto two = Sequential{Input<6>{}, Dense<4, Relu>{}, Dense<2>{}};
  two.load_weights(dir + "split_vlen.h5");
  check_prediction(two.predict(input<float, 2>("split_vlen")), "split_vlen");

  auto lstm = Sequential{Input<4, 2>{}, LSTM<3, rnn{}, Tanh, Sigmoid>{}};
  lstm.load_weights(dir + "lstm_cell.h5");
  check_prediction(lstm.predict(input<float, 3>("lstm_cell")), "lstm_cell");

  auto d = Sequential{Input<3>{}, Dense<2>{}};
  d.load_weights(dir + "float64.h5");
  check_prediction(d.predict(input<float, 2>("float64")), "float64");
  // A double model saves float64 datasets, and reads them back exactly.
  auto dd = Sequential{Input<3>{}, Dense<2, Linear, double>{}};
  dd.save_weights("ketl_test_f64.h5");
  const auto before = dd.get_weights();
  auto dd2 = Sequential{Input<3>{}, Dense<2, Linear, double>{}};
  dd2.load_weights("ketl_test_f64.h5");
  CHECK(bool(dd2.get_weights()[0] == before[0]));
  std::remove("ketl_test_f64.h5");
}

TEST_CASE("long name lists are split as Keras splits them, and read back", "[keras_h5][weights]") {
  io::keras_weights w{"2.2.4", "tensorflow", {}, {}, {}, {}};
  for (int i = 0; i < 700; ++i)  // 700 x 100 bytes: over HDF5's 64 KB header limit
    w.layers.push_back({"layer_" + std::string(88, 'x') + std::to_string(1000 + i), {}});
  w.layers[3].weights.push_back({"k:0", {2, 1}, {1.5, -2.0}, false});
  const std::string bytes = io::keras_h5_bytes(w, "split.h5");
  const auto back = io::parse_keras_h5(bytes, "split.h5");
  REQUIRE(back.layers.size() == 700);
  CHECK(back.layers[699].name == w.layers[699].name);
  CHECK(back.layers[3].weights[0].values == std::vector<double>{1.5, -2.0});
  // Two chunks, as np.array_split(…, 2) makes: layer_names0 and layer_names1.
  const io::h5::context c{"test", "split.h5"};
  const io::h5::memory_file f(c, bytes);
  CHECK(!io::h5::has_attribute(f.root(), "layer_names"));
  CHECK(io::h5::has_attribute(f.root(), "layer_names0"));
  CHECK(io::h5::has_attribute(f.root(), "layer_names1"));
  CHECK(!io::h5::has_attribute(f.root(), "layer_names2"));
}

TEST_CASE("load_weights by name, skip_mismatch, and Keras's mismatch errors; nothing changes",
          "[keras_h5][weights]") {
  const std::string file = dir + "named.h5";
  SECTION("by name: the file's layers fill the layers of the same name") {
    auto m = Sequential{Input<6>{}, Dense<5, Relu>{{.name = "hidden"}}, Dense<7>{{.name = "other"}},
                        Dense<3>{{.name = "unrelated"}}};
    scramble(m, 4);
    const auto other = snapshot_weights(m)[2];
    m.load_weights(file, {.by_name = true});
    auto ref = named_model();
    ref.load_weights(file);
    CHECK(snapshot_weights(m)[0] == snapshot_weights(ref)[0]);  // hidden's kernel
    CHECK(snapshot_weights(m)[2] == other);                     // untouched
  }
  SECTION("by name, a shape that differs: an error, or skipped with skip_mismatch") {
    auto m = Sequential{Input<6>{}, Dense<5, Relu>{{.name = "hidden"}}, Dense<4>{{.name = "head"}}};
    scramble(m, 5);
    const auto before = snapshot_weights(m);
    CHECK_THROWS_AS(m.load_weights(file, {.by_name = true}), shape_error);
    CHECK_THROWS_WITH(m.load_weights(file, {.by_name = true}),
                      Contains("Layer #1 (named \"head\"), weight head/kernel has shape (5, 4), "
                               "but the saved weight has shape (5, 3)."));
    CHECK(snapshot_weights(m) == before);
    m.load_weights(file, {.by_name = true, .skip_mismatch = true});
    const auto after = snapshot_weights(m);
    CHECK(after[0] != before[0]);  // hidden loaded
    CHECK(after[2] == before[2]);  // head's kernel skipped
    CHECK_THROWS_AS(m.load_weights(file, {.skip_mismatch = true}), value_error);
  }
  SECTION("topological: the layer count, the weight count and each shape") {
    auto three = Sequential{Input<6>{}, Dense<5>{}, Dense<3>{}, Dense<3>{}};
    scramble(three, 6);
    const auto before = snapshot_weights(three);
    CHECK_THROWS_WITH(three.load_weights(file),
                      Contains("You are trying to load a weight file containing 2 layers into a "
                               "model with 3 layers."));
    auto norm = Sequential{Input<6>{}, BatchNormalization<>{}, Dense<3>{}};
    CHECK_THROWS_WITH(norm.load_weights(file),
                      Contains("Layer #0 (named \"batch_normalization_1\" in the current model) "
                               "was found to correspond to layer hidden in the save file. However "
                               "the new layer batch_normalization_1 expects 4 weights, but the "
                               "saved weights have 2 elements."));
    auto wide = Sequential{Input<6>{}, Dense<5>{}, Dense<4>{}};
    CHECK_THROWS_AS(wide.load_weights(file), shape_error);
    CHECK(snapshot_weights(three) == before);
  }
}

namespace {
// A model loaded from tests/golden/make_cudnn_h5.py's file in cuDNN's
// layout predicts what Keras predicted with the plain layer's weights.
template <class M>
void check_cudnn(M m, const std::string& name) {
  const auto g = io::load_npz(dir + "cudnn_" + name + ".npz", "golden");
  const auto& x = g.at("x");
  xt::xtensor<float, 3> xs =
      xt::xtensor<float, 3>::from_shape({x.shape[0], x.shape[1], x.shape[2]});
  std::transform(x.values.begin(), x.values.end(), xs.begin(), [](double v) { return float(v); });
  m.load_weights(dir + "cudnn_" + name + ".h5");
  const auto got = m.predict(xs);
  const auto& want = g.at("y").values;
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(name << " element " << i);
    CHECK(double(got.data()[i]) == Approx(want[i]).margin(2e-6));
  }
}
}  // namespace

TEST_CASE("load_weights converts CuDNNLSTM's and CuDNNGRU's weights, as Keras does",
          "[keras_h5][weights][recurrent]") {
  check_cudnn(Sequential{Input<5, 3>{}, LSTM<4, rnn{.return_sequences = true}, Tanh, Sigmoid>{}},
              "lstm");
  check_cudnn(
      Sequential{Input<5, 3>{},
                 GRU<4, rnn{.return_sequences = true, .reset_after = true}, Tanh, Sigmoid>{}},
      "gru");
  check_cudnn(Sequential{Input<4, 3>{}, Bidirectional<LSTM<3, rnn{}, Tanh, Sigmoid>>{}, Dense<2>{}},
              "bilstm");
  // CuDNNGRU's biases do not fit a GRU without reset_after (Keras refuses
  // too); nothing changes.
  auto plain = Sequential{Input<5, 3>{}, GRU<4, rnn{.return_sequences = true}, Tanh, Sigmoid>{}};
  const auto before = snapshot_weights(plain);
  CHECK_THROWS_AS(plain.load_weights(dir + "cudnn_gru.h5"), value_error);
  CHECK_THROWS_WITH(plain.load_weights(dir + "cudnn_gru.h5"),
                    Contains("layer gru_1: its weights are CuDNNGRU's, which is not compatible "
                             "with GRU(reset_after=False)"));
  CHECK(snapshot_weights(plain) == before);
}

namespace {
// A whole-model file as Keras 2.2.4 writes one for CuDNN layers: ketl's own
// config with each LSTM and GRU turned into a CuDNNLSTM or CuDNNGRU (whose
// configs have no activations, use_bias, dropout or reset_after), and
// make_cudnn_h5.py's weights in cuDNN's layout. load_model reads it as the
// plain layer and predicts what Keras predicted; ketl-import spells that
// layer.
nlohmann::ordered_json as_cudnn(nlohmann::ordered_json v) {
  if (v.is_array())
    for (auto& x : v) x = as_cudnn(x);
  if (!v.is_object()) return v;
  for (auto& [k, x] : v.items()) x = as_cudnn(x);
  if (v.contains("class_name") && (v["class_name"] == "LSTM" || v["class_name"] == "GRU")) {
    v["class_name"] = v["class_name"] == "LSTM" ? "CuDNNLSTM" : "CuDNNGRU";
    for (const char* k : {"activation", "recurrent_activation", "use_bias", "dropout",
                          "recurrent_dropout", "implementation", "reset_after", "unroll"})
      v["config"].erase(k);
  }
  return v;
}
template <class Net>
void check_cudnn_model(const Net& proto, const std::string& name, const std::string& spelled) {
  INFO(name);
  auto file = io::read_keras_h5(dir + "cudnn_" + name + ".h5");
  file.model_config = as_cudnn(io::keras::model_config(proto)).dump();
  REQUIRE_THAT(file.model_config, Contains("CuDNN"));
  const std::string path = "ketl_test_cudnn_model.h5";
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  const auto g = io::load_npz(dir + "cudnn_" + name + ".npz", "golden");
  const auto& x = g.at("x");
  xt::xtensor<float, 3> xs =
      xt::xtensor<float, 3>::from_shape({x.shape[0], x.shape[1], x.shape[2]});
  std::transform(x.values.begin(), x.values.end(), xs.begin(), [](double v) { return float(v); });
  const auto got = load_model<Net>(path).predict(xs);
  std::remove(path.c_str());
  const auto& want = g.at("y").values;
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(double(got.data()[i]) == Approx(want[i]).margin(2e-6));
  CHECK_THAT(io::keras::import_header(file.model_config, "Cu", "cu.h5", "ketl/io/keras_h5.hpp"),
             Contains(spelled));
}
}  // namespace

TEST_CASE("load_model and ketl-import read CuDNNLSTM and CuDNNGRU model files as the plain layers",
          "[keras_h5][recurrent][ketl_import]") {
  check_cudnn_model(
      Sequential{Input<5, 3>{}, LSTM<4, rnn{.return_sequences = true}, Tanh, Sigmoid>{}}, "lstm",
      "ketl::LSTM<4, ketl::rnn{.return_sequences = true}, ketl::Tanh, ketl::Sigmoid>");
  check_cudnn_model(
      Sequential{Input<5, 3>{},
                 GRU<4, rnn{.return_sequences = true, .reset_after = true}, Tanh, Sigmoid>{}},
      "gru",
      "ketl::GRU<4, ketl::rnn{.return_sequences = true, .reset_after = true}, ketl::Tanh, "
      "ketl::Sigmoid>");
  check_cudnn_model(
      Sequential{Input<4, 3>{}, Bidirectional<LSTM<3, rnn{}, Tanh, Sigmoid>>{}, Dense<2>{}},
      "bilstm",
      "ketl::Bidirectional<ketl::LSTM<3, ketl::rnn{}, ketl::Tanh, ketl::Sigmoid>, "
      "ketl::merge_mode::concat>");
  // A CuDNNLSTM is not an LSTM with Keras 2.2.4's hard sigmoid: refused,
  // saying which layer differs.
  using Hard = Sequential<Input<5, 3>, LSTM<4, rnn{.return_sequences = true}>>;
  auto file = io::read_keras_h5(dir + "cudnn_lstm.h5");
  file.model_config = as_cudnn(io::keras::model_config(
                                   Hard(Input<5, 3>{}, LSTM<4, rnn{.return_sequences = true}>{})))
                          .dump();
  const std::string path = "ketl_test_cudnn_hard.h5";
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  CHECK_THROWS_WITH(load_model<Hard>(path), Contains("layer 0") &&
                                                Contains("recurrent_activation='sigmoid'") &&
                                                Contains("recurrent_activation='hard_sigmoid'"));
  std::remove(path.c_str());
}

TEST_CASE("bad .h5 files throw a ketl::io_error naming the file, and change nothing",
          "[keras_h5][weights][robustness]") {
  auto m = Sequential{Input<6>{}, Dense<5, Relu>{}, Dense<3>{}};
  scramble(m, 7);
  const auto before = snapshot_weights(m);
  const std::string good = bytes_of(dir + "named.h5");
  auto try_bytes = [&](const std::string& bytes, const std::string& why) {
    const std::string path = "ketl_test_bad.h5";
    std::ofstream(path, std::ios::binary) << bytes;
    INFO(why);
    CHECK_THROWS_AS(m.load_weights(path), io_error);
    CHECK_THROWS_WITH(m.load_weights(path), Contains(path));
    CHECK(snapshot_weights(m) == before);
    std::remove(path.c_str());
  };
  try_bytes("", "empty");
  try_bytes("PK\x03\x04 not hdf5", "another format");
  try_bytes(good.substr(0, good.size() / 2), "truncated");
  try_bytes(good.substr(0, 600), "truncated in the metadata");
  std::string flipped = good;
  for (std::size_t i = 100; i < flipped.size(); i += 97) flipped[i] = char(~flipped[i]);
  try_bytes(flipped, "corrupted throughout");
  CHECK_THROWS_WITH(m.load_weights(dir + "keras1.h5"), Contains("Keras 1"));
  // Found by fuzz_h5: an empty dataset (bias of shape (0,)) crossed the
  // child's reply into a null memcpy. Now it is a shape mismatch.
  auto named = named_model();
  scramble(named, 13);
  const auto named_before = snapshot_weights(named);
  CHECK_THROWS_WITH(named.load_weights(dir + "empty_dataset.h5"),
                    Contains("has shape (3,), but the saved weight has shape (0,)"));
  CHECK(snapshot_weights(named) == named_before);
  CHECK_THROWS_WITH(m.load_weights("no_such_file.h5"), Contains("no_such_file.h5"));
  CHECK_THROWS_AS(m.load_weights(dir), io_error);  // a directory
  CHECK(snapshot_weights(m) == before);
  // Not a weight file: an HDF5 file without layer_names.
  io::keras_weights w{"2.2.4", "tensorflow", {}, {}, {}, {}};
  const io::h5::context c{"test", "x.h5"};
  const io::h5::memory_file empty(c);
  CHECK_THROWS_WITH(io::parse_keras_h5(empty.bytes(), "x.h5"), Contains("no layer_names"));
}

TEST_CASE("save_weights to .h5 is atomic: a failed save leaves the old file",
          "[keras_h5][weights]") {
  auto m = Sequential{Input<6>{}, Dense<5, Relu>{}, Dense<3>{}};
  CHECK_THROWS_AS(m.save_weights("no_such_dir/w.h5"), io_error);
  // A layer name HDF5 would read as a path is refused before anything is written.
  auto slash = Sequential{Input<6>{}, Dense<5>{{.name = "a/b"}}};
  const std::string path = "ketl_test_atomic.h5";
  m.save_weights(path);
  const auto size = std::filesystem::file_size(path);
  CHECK_THROWS_WITH(slash.save_weights(path), Contains("a/b"));
  CHECK(std::filesystem::file_size(path) == size);
  std::remove(path.c_str());
}

TEST_CASE("the .h5 reader runs libhdf5 in a child: its crashes and hangs are io_errors",
          "[keras_h5][robustness]") {
  // Found by fuzz_h5: libhdf5 1.10.8 reads freed memory inside H5Aexists
  // on this file. In a child process that costs an io_error.
  auto m = Sequential{Input<6>{}, Dense<5, Relu>{}, Dense<3>{}};
  scramble(m, 8);
  const auto before = snapshot_weights(m);
  CHECK_THROWS_AS(m.load_weights(dir + "libhdf5_use_after_free.h5"), io_error);
  CHECK(snapshot_weights(m) == before);

  const std::string where = "ketl: load_weights: x.h5";
  using std::chrono::seconds;
  CHECK(io::detail::run_isolated([] { return std::string("reply"); }, where, seconds(30)) ==
        "reply");
  CHECK_THROWS_WITH(io::detail::run_isolated(
                        []() -> std::string { throw io_error("ketl: the child's own words"); },
                        where, seconds(30)),
                    "ketl: the child's own words");
  CHECK_THROWS_WITH(io::detail::run_isolated(
                        []() -> std::string {
                          std::signal(SIGSEGV, SIG_DFL);
                          std::raise(SIGSEGV);
                          return "";
                        },
                        where, seconds(30)),
                    Contains("x.h5: the reader crashed on it (signal 11)"));
  CHECK_THROWS_WITH(io::detail::run_isolated(
                        []() -> std::string {
                          ::sleep(30);
                          return "";
                        },
                        where, seconds(1)),
                    Contains("x.h5: reading it took over 1 s"));
  // A reply cut short is refused, not read past its end.
  const std::string full =
      io::detail::encode_weights(io::parse_keras_h5(bytes_of(dir + "named.h5"), "named.h5"));
  CHECK_THROWS_WITH(
      io::detail::decode_weights(std::string_view(full).substr(0, full.size() - 3), where),
      Contains("malformed reply"));
  // In-process, the same answers.
  io::set_isolated_readers(false);
  auto here = named_model();
  here.load_weights(dir + "named.h5");
  io::set_isolated_readers(true);
  auto there = named_model();
  there.load_weights(dir + "named.h5");
  CHECK(snapshot_weights(here) == snapshot_weights(there));
}

TEST_CASE("save_model writes Keras 2.2.4's Sequential config and the weights in model_weights",
          "[keras_h5][save_model]") {
  auto m =
      Sequential{Input<8, 8, 1>{}, Conv2D<3, conv2d{.kernel = {3, 3}, .padding = same}, Relu>{},
                 MaxPooling2D<>{}, Flatten{},
                 Dropout{0.25f},   Dense<4, Softmax>{{.name = "probabilities"}}};
  scramble(m, 9);
  const std::string path = "ketl_test_model.h5";
  save_model(m, path);
  const std::string bytes = bytes_of(path);
  const io::h5::context c{"test", path};
  const io::h5::memory_file f(c, bytes);
  const auto config = nlohmann::ordered_json::parse(
      io::h5::read_string_list(c, f.root(), "model_config", "the file").at(0));
  CHECK(config["class_name"] == "Sequential");
  const auto& layers = config["config"]["layers"];
  REQUIRE(layers.size() == 5);  // the Input is no layer of Keras's Sequential
  CHECK(layers[0]["class_name"] == "Conv2D");
  CHECK(layers[0]["config"]["batch_input_shape"] ==
        nlohmann::ordered_json::parse("[null, 8, 8, 1]"));
  CHECK(layers[0]["config"]["dtype"] == "float32");
  CHECK(layers[0]["config"]["name"] == "conv2d_1");
  CHECK(layers[0]["config"]["kernel_size"] == nlohmann::ordered_json::parse("[3, 3]"));
  CHECK(layers[0]["config"]["padding"] == "same");
  CHECK(layers[0]["config"]["activation"] == "relu");
  CHECK(layers[0]["config"]["kernel_initializer"]["class_name"] == "VarianceScaling");
  CHECK(layers[0]["config"]["kernel_initializer"]["config"]["mode"] == "fan_avg");
  CHECK(layers[1]["config"]["strides"] ==
        nlohmann::ordered_json::parse("[2, 2]"));  // None: pool_size
  CHECK(layers[3]["config"]["rate"] == Approx(0.25));
  CHECK(layers[4]["config"]["name"] == "probabilities");
  CHECK(layers[4]["config"]["units"] == 4);
  CHECK(layers[4]["config"]["activation"] == "softmax");
  CHECK(layers[4]["config"]["bias_initializer"]["class_name"] == "Zeros");
  // load_weights reads a whole-model file's weights.
  auto back =
      Sequential{Input<8, 8, 1>{}, Conv2D<3, conv2d{.kernel = {3, 3}, .padding = same}, Relu>{},
                 MaxPooling2D<>{}, Flatten{},
                 Dropout{0.25f},   Dense<4, Softmax>{{.name = "probabilities"}}};
  back.load_weights(path);
  CHECK(snapshot_weights(back) == snapshot_weights(m));
  std::remove(path.c_str());
}

TEST_CASE("load_model checks the file's architecture against the model's type, then loads",
          "[keras_h5][load_model]") {
  // Keras's own model.save files (tf_keras 2.21: an InputLayer entry, its
  // own keys and class names) into the ketl types that match them.
  auto d = load_model(dir + "dense_model.h5", dense_model());
  check_prediction(d.predict(input<float, 2>("dense")), "dense");
  // By type alone, where every layer has a default (Dropout needs its rate).
  using NamedNet = Sequential<Input<6>, Dense<5, Relu>, Dense<3>>;
  auto n = load_model<NamedNet>(dir + "named_model.h5");
  check_prediction(n.predict(input<float, 2>("named")), "named");
  auto r = load_model(dir + "rnn_model.h5", rnn_model());
  check_prediction(r.predict(input<std::int32_t, 2>("rnn")), "rnn");
  auto b = load_model(dir + "bidirectional_model.h5", bidirectional_model());
  check_prediction(b.predict(input<float, 3>("bidirectional")), "bidirectional");
  auto f = load_model(dir + "functional_model.h5", functional_model());
  check_prediction(f.predict(input<float, 2>("functional")), "functional");
  auto c = load_model(dir + "cnn_model.h5", cnn_model());
  check_prediction(c.predict(input<float, 4>("cnn")), "cnn");

  // The first difference, in words.
  using Narrow = Sequential<Input<6>, Dense<4, Relu>, Dense<3>>;
  CHECK_THROWS_WITH(load_model<Narrow>(dir + "named_model.h5"),
                    Contains("layer 0: file has Dense(units=5, activation='relu', use_bias=True"));
  CHECK_THROWS_WITH(load_model<Narrow>(dir + "named_model.h5"),
                    Contains("ketl model has Dense(units=4, activation='relu'"));
  using Tanh3 = Sequential<Input<6>, Dense<5, Tanh>, Dense<3>>;
  CHECK_THROWS_WITH(load_model<Tanh3>(dir + "named_model.h5"), Contains("activation='tanh'"));
  using Wide = Sequential<Input<7>, Dense<5, Relu>, Dense<3>>;
  CHECK_THROWS_WITH(load_model<Wide>(dir + "named_model.h5"),
                    Contains("the input: file has shape (6,), ketl model has (7,)"));
  using Short = Sequential<Input<6>, Dense<5, Relu>>;
  CHECK_THROWS_WITH(load_model<Short>(dir + "named_model.h5"),
                    Contains("the file has 2 layers, the ketl model 1"));
  auto half = Sequential{Input<6>{}, Dense<5, Relu>{}, Dropout{0.25f}, Dense<3, Softmax>{}};
  CHECK_THROWS_WITH(load_model(dir + "dense_model.h5", half), Contains("rate=0.25"));
  // tf.keras's LSTM default recurrent_activation is sigmoid: the file says
  // hard_sigmoid, so a ketl LSTM with Sigmoid is refused.
  auto sigmoid_rnn = Sequential{Input<7>::of<std::int32_t>{}, Embedding<20, 4>{},
                                LSTM<5, rnn{.return_sequences = true}, Tanh, Sigmoid>{}, GRU<3>{},
                                Dense<1, Sigmoid>{}};
  CHECK_THROWS_WITH(load_model(dir + "rnn_model.h5", sigmoid_rnn),
                    Contains("recurrent_activation='hard_sigmoid'"));
  CHECK_THROWS_WITH(load_model<NamedNet>(dir + "named.h5"), Contains("weights only"));

  // ketl's own whole-model files, both kinds, bit for bit.
  auto m = functional_model();
  scramble(m, 10);
  save_model(m, "ketl_test_func.h5");
  auto back = load_model("ketl_test_func.h5", functional_model());
  CHECK(snapshot_weights(back) == snapshot_weights(m));
  auto s = named_model();
  scramble(s, 11);
  save_model(s, "ketl_test_seq.h5");
  CHECK(snapshot_weights(load_model<NamedNet>("ketl_test_seq.h5")) == snapshot_weights(s));
  std::remove("ketl_test_func.h5");
  std::remove("ketl_test_seq.h5");
}

TEST_CASE("load_model refuses a model_config that is not a Keras config, with an io_error",
          "[keras_h5][load_model][robustness]") {
  using NamedNet = Sequential<Input<6>, Dense<5, Relu>, Dense<3>>;
  auto weights = engine::detail::keras_weights_of(named_model().network());
  const std::string path = "ketl_test_config.h5";
  // fuzz_keras_config found the second: a Sequential without "config".
  for (const std::string text :
       {"not json", R"({"class_name": "Sequential"})",
        R"({"class_name": "Sequential", "config": 3})",
        R"({"class_name": "Sequential", "config": {"layers": [{"class_name": 1}]}})",
        R"({"class_name": "Model", "config": {"layers": [[[[[]]]]]}})", "[]"}) {
    INFO(text);
    weights.model_config = text;
    io::write_file_atomically(path, io::keras_h5_model_bytes(weights, path), "test");
    CHECK_THROWS_AS(load_model<NamedNet>(path), error);
    try {
      load_model<NamedNet>(path);
    } catch (const io_error& e) {
      CHECK_THAT(e.what(), Contains(path) && Contains("model_config"));
    } catch (const value_error& e) {
      CHECK_THAT(e.what(), Contains(path));  // JSON, but another model
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("save_model then load_model: every layer's config reads back as its own",
          "[keras_h5][tfjs][load_model]") {
  // The stack, with its recurrent layer as given.
  auto shapes = []<class Rnn = GRU<3>>(Rnn rnn = {}) {
    return Sequential{Input<6, 4>{},
                      ZeroPadding1D<margins1d{1, 2}>{},
                      Cropping1D<margins1d{2, 1}>{},
                      UpSampling1D<2>{},
                      Permute<2, 1>{},
                      Reshape<6, 8>{},
                      SpatialDropout1D{0.2f},
                      Activation<Tanh>{},
                      Masking{0.0f},
                      rnn,
                      RepeatVector<2>{},
                      TimeDistributed<Dense<2>>{},
                      Flatten{},
                      Dense<2>{}};
  };
  auto m = shapes();
  scramble(m, 12);
  // Both formats: the same weights and bit-identical predictions.
  xt::xtensor<float, 3> x = xt::xtensor<float, 3>::from_shape({3, 6, 4});
  Random rng(13);
  for (auto& v : x) v = float(rng.normal());
  const auto p = m.predict(x);
  const auto json_dir = std::filesystem::temp_directory_path() / "ketl_test_shapes";
  std::filesystem::create_directories(json_dir);
  for (const std::string& path :
       {std::string("ketl_test_shapes.h5"), (json_dir / "model.json").string()}) {
    INFO(path);
    save_model(m, path);
    auto back = load_model(path, shapes());
    CHECK(snapshot_weights(back) == snapshot_weights(m));
    const auto q = back.predict(x);
    CHECK(std::equal(p.begin(), p.end(), q.begin()));
  }
  // The 2-D shape layers, the poolings, and every merge, likewise.
  auto round_trip = [&](auto make, const auto& input) {
    auto a = make();
    scramble(a, 14);
    const auto want = a.predict(input);
    for (const std::string& path :
         {std::string("ketl_test_round_trip.h5"), (json_dir / "model.json").string()}) {
      INFO(path);
      save_model(a, path);
      const auto got = load_model(path, make()).predict(input);
      CHECK(std::equal(want.begin(), want.end(), got.begin()));
    }
    std::remove("ketl_test_round_trip.h5");
  };
  xt::xtensor<float, 4> x2 = xt::xtensor<float, 4>::from_shape({2, 5, 5, 2});
  for (auto& v : x2) v = float(rng.normal());
  round_trip(
      [] {
        return Sequential{Input<5, 5, 2>{},
                          ZeroPadding2D<margins2d{{1, 1}, {0, 1}}>{},
                          Cropping2D<margins2d{{1, 0}, {0, 1}}>{},
                          UpSampling2D<2, 1>{},
                          SpatialDropout2D{0.1f},
                          AveragePooling2D<>{},
                          MaxPooling2D<pool2d{.size = {1, 1}}>{},
                          GlobalAveragePooling2D{},
                          Dense<1>{}};
      },
      x2);
  round_trip(
      [] {
        return Sequential{Input<6, 4>{},
                          MaxPooling1D<>{},
                          AveragePooling1D<pool1d{.size = 1}>{},
                          Conv1D<2, conv1d{.kernel = 2, .padding = causal}>{},
                          GlobalAveragePooling1D{},
                          Dense<1>{}};
      },
      x);
  xt::xtensor<float, 2> u = xt::xtensor<float, 2>::from_shape({3, 4});
  for (auto& v : u) v = float(rng.normal());
  round_trip(
      [] {
        auto a = Input<4>{{.name = "u"}};
        auto da = Dense<3>{{.name = "da"}}(a), db = Dense<3>{{.name = "db"}}(a);
        auto merged = Concatenate{}(Dot<1>{{.normalize = true}}(da, db), Subtract{}(da, db),
                                    Multiply{}(da, db), Average{}(da, db), Maximum{}(da, db),
                                    Minimum{}(da, db), Add{}(da, db));
        return Model{a, Dense<1>{}(merged)};
      },
      u);
  // A Sequential shared as a layer of a functional model (Keras nests its
  // config): both formats, and a changed inner layer is found.
  auto siamese = []<class Second = Dense<2>>(Second second = {}) {
    auto left = Input<4>{{.name = "left"}};
    auto right = Input<4>{{.name = "right"}};
    auto encoder = shared(Sequential{Input<4>{}, Dense<3, Tanh>{}, second});
    auto diff = Subtract{{.name = "diff"}}(encoder(left), encoder(right));
    return Model{inputs(left, right), outputs(Dense<1, Sigmoid>{}(diff))};
  };
  {
    auto s = siamese();
    scramble(s, 15);
    xt::xtensor<float, 2> v = xt::xtensor<float, 2>::from_shape({3, 4});
    for (auto& e : v) e = float(rng.normal());
    const auto want = s.predict(std::tie(u, v));
    for (const std::string& path :
         {std::string("ketl_test_round_trip.h5"), (json_dir / "model.json").string()}) {
      INFO(path);
      save_model(s, path);
      const auto got = load_model(path, siamese()).predict(std::tie(u, v));
      CHECK(std::equal(want.begin(), want.end(), got.begin()));
      CHECK_THROWS_WITH(load_model(path, siamese(Dense<2, Relu>{})),
                        Contains("a Sequential: layer 1: file has Dense(") &&
                            Contains("activation='linear'") && Contains("activation='relu'"));
    }
    std::remove("ketl_test_round_trip.h5");
  }
  std::filesystem::remove_all(json_dir);
  // One option changed is found, and named.
  auto other = shapes(GRU<3, rnn{.reset_after = true}>{});
  CHECK_THROWS_WITH(load_model("ketl_test_shapes.h5", other),
                    Contains("layer 8: file has GRU(") && Contains("reset_after=False") &&
                        Contains("ketl model has GRU(") && Contains("reset_after=True"));
  std::remove("ketl_test_shapes.h5");
}

namespace {
using ResumeNet = Sequential<Input<4>, Dense<6, Tanh>, Dense<3, Softmax>>;

// Data where every step changes every weight.
struct resume_data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({24, 4});
  xt::xtensor<float, 2> y = xt::zeros<float>({24, 3});
  resume_data() {
    Random rng(5);
    for (auto& v : x) v = float(rng.uniform(-1, 1));
    for (std::size_t i = 0; i < 24; ++i) y(i, (i * 7) % 3) = 1;
  }
};

// Two epochs straight, against one epoch, save_model, load_model and the
// second epoch: the weights must agree bit for bit.
template <class Opt>
void check_resume(const Opt& opt, bool by_type) {
  INFO(Opt::keras_class << (by_type ? " (load_model<Net>)" : " (compiled prototype)"));
  const resume_data d;
  auto straight = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  scramble(straight, 4);
  auto first = straight;
  straight.compile(opt, "categorical_crossentropy", "acc");
  straight.fit(d.x, d.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false});

  first.compile(opt, "categorical_crossentropy", "acc");
  first.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  const std::string path = "ketl_test_resume.h5";
  save_model(first, path);
  auto resumed = [&] {
    if (by_type) return load_model<ResumeNet>(path);
    auto proto = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
    proto.compile(Opt{}, "categorical_crossentropy", "acc");  // defaults: the file's config wins
    return load_model(path, std::move(proto));
  }();
  std::remove(path.c_str());
  REQUIRE(resumed.compiled());
  CHECK(resumed.iterations() == first.iterations());
  CHECK(resumed.learning_rate() == first.learning_rate());
  CHECK(resumed.metrics_names() == first.metrics_names());
  resumed.fit(d.x, d.y,
              {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false, .initial_epoch = 1});
  CHECK(snapshot_weights(resumed) == snapshot_weights(straight));
  CHECK(resumed.iterations() == straight.iterations());
}
}  // namespace

TEST_CASE("save_model then load_model resumes training bit for bit, for every optimizer",
          "[keras_h5][training_config]") {
  for (bool by_type : {true, false}) {
    check_resume(optimizers::SGD{.lr = 0.1f, .momentum = 0.9f, .nesterov = true}, by_type);
    check_resume(optimizers::SGD{.lr = 0.1f, .decay = 0.01f}, by_type);
    check_resume(optimizers::RMSprop{.decay = 0.05f}, by_type);  // its count is ketl_iterations
    check_resume(optimizers::Adagrad{.decay = 0.05f}, by_type);
    check_resume(optimizers::Adadelta{}, by_type);
    check_resume(optimizers::Adam{.lr = 0.01f, .amsgrad = true}, by_type);
    check_resume(optimizers::Adam{.clipnorm = 0.5f}, by_type);
    check_resume(optimizers::Adamax{}, by_type);
    check_resume(optimizers::Nadam{}, by_type);  // its schedule is recomputed
  }
}

TEST_CASE("save_model writes Keras 2.2.4's training_config and optimizer_weights",
          "[keras_h5][training_config]") {
  const resume_data d;
  auto m = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  m.compile(optimizers::Adam{.lr = 0.01f}, "categorical_crossentropy", "acc",
            weighted_metrics("mse"));
  m.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  const std::string path = "ketl_test_training.h5";
  save_model(m, path);
  const auto file = io::read_keras_h5(path);
  std::remove(path.c_str());
  const auto tc = nlohmann::ordered_json::parse(file.training_config);
  CHECK(tc["optimizer_config"]["class_name"] == "Adam");
  CHECK(tc["optimizer_config"]["config"].dump() ==
        R"({"lr":0.01,"beta_1":0.9,"beta_2":0.999,"decay":0.0,"epsilon":1e-07,"amsgrad":false})");
  CHECK(tc["loss"] == "categorical_crossentropy");
  CHECK(tc["metrics"].dump() == R"(["acc"])");
  CHECK(tc["weighted_metrics"].dump() == R"(["mean_squared_error"])");
  CHECK(tc["sample_weight_mode"].is_null());
  CHECK(tc["loss_weights"].is_null());
  CHECK(tc["ketl_iterations"] == 3);
  // [iterations] + ms + vs + vhats: 1 + 3 * 4, each vhat one zero.
  REQUIRE(file.optimizer_weights.size() == 13);
  CHECK(file.optimizer_weights[0].name == "Adam/iterations:0");
  CHECK(file.optimizer_weights[0].integer);
  CHECK(file.optimizer_weights[0].values == std::vector<double>{3});
  CHECK(file.optimizer_weights[1].shape == std::vector<std::size_t>{4, 6});
  CHECK(file.optimizer_weights[12].shape == std::vector<std::size_t>{1});
}

TEST_CASE("load_model reads Keras 2.3's and tf.keras's optimizer lists; refuses what differs",
          "[keras_h5][training_config]") {
  const resume_data d;
  auto m = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  m.compile(optimizers::Adam{}, "categorical_crossentropy");
  m.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  auto file = io::keras::model_file(m);
  const std::string path = "ketl_test_training_forms.h5";
  auto load = [&](const io::keras_weights& f) {
    io::write_file_atomically(path, io::keras_h5_model_bytes(f, path), "test");
    return load_model<ResumeNet>(path);
  };
  const auto want = snapshot_weights(m);
  // Keras 2.3 dropped the vhats without amsgrad (2n + 1 weights).
  auto lean = file;
  lean.optimizer_weights.resize(9);
  CHECK(load(lean).iterations() == 3);
  // tf.keras 2.11+: "Custom>Adam", learning_rate, its ema options, and the
  // state variable by variable.
  auto tfk = file;
  auto tc = nlohmann::ordered_json::parse(file.training_config);
  tc["optimizer_config"] = nlohmann::ordered_json::parse(
      R"({"class_name": "Custom>Adam", "config": {"name": "Adam", "weight_decay": null,
          "clipnorm": null, "use_ema": false, "ema_momentum": 0.99, "jit_compile": false,
          "is_legacy_optimizer": false, "learning_rate": 0.004999999888241291, "beta_1": 0.9,
          "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}})");
  tc["metrics"] = nlohmann::ordered_json::parse(
      R"([[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy"}}]])");
  tc.erase("ketl_iterations");
  tfk.training_config = tc.dump();
  tfk.optimizer_weights = {{"iteration:0", {}, {3}, false, true}};
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t slot : {1u, 5u}) {
      auto w = file.optimizer_weights[slot + i];
      w.name = std::string(slot == 1 ? "Adam/m/" : "Adam/v/") + std::to_string(i) + ":0";
      tfk.optimizer_weights.push_back(w);
    }
  {
    auto a = load(tfk), b = load(file);
    CHECK(a.learning_rate() == Approx(0.005));
    CHECK(a.metrics_names() == std::vector<std::string>{"loss", "acc"});
    a.set_learning_rate(b.learning_rate());
    a.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
    b.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
    CHECK(snapshot_weights(a) == snapshot_weights(b));
  }
  // What does not fit is refused, and nothing is returned.
  auto wrong_shape = file;
  wrong_shape.optimizer_weights[2].shape = {5};
  wrong_shape.optimizer_weights[2].values.resize(5);
  CHECK_THROWS_WITH(load(wrong_shape), Contains("optimizer weight") && Contains("(5,)"));
  auto wrong_count = file;
  wrong_count.optimizer_weights.resize(4);
  CHECK_THROWS_WITH(load(wrong_count), Contains("has 4 weights, but Adam"));
  auto wrong_hyper = file;
  auto th = nlohmann::ordered_json::parse(file.training_config);
  th["optimizer_config"]["config"]["beta_1"] = 1.5;
  wrong_hyper.training_config = th.dump();
  CHECK_THROWS_WITH(load(wrong_hyper), Contains("beta_1"));
  th = nlohmann::ordered_json::parse(file.training_config);
  th["optimizer_config"]["config"]["global_clipnorm"] = 1.0;
  wrong_hyper.training_config = th.dump();
  CHECK_THROWS_WITH(load(wrong_hyper), Contains("global_clipnorm"));
  th = nlohmann::ordered_json::parse(file.training_config);
  th["sample_weight_mode"] = "temporal";
  wrong_hyper.training_config = th.dump();
  CHECK_THROWS_WITH(load(wrong_hyper), Contains("sample_weight_mode \"temporal\""));
  wrong_hyper.training_config = "{not json";
  CHECK_THROWS_AS(load(wrong_hyper), io_error);
  // A compiled prototype keeps its loss only if it is the file's.
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  auto sgd = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  sgd.compile(optimizers::SGD{}, "categorical_crossentropy");
  CHECK_THROWS_WITH(load_model(path, std::move(sgd)),
                    Contains("compiled with the optimizer Adam, the model with SGD"));
  auto mse = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  mse.compile(optimizers::Adam{}, "mse");
  CHECK_THROWS_WITH(load_model(path, std::move(mse)),
                    Contains("loss for output") && Contains("mean_squared_error"));
  auto alias = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  alias.compile(optimizers::Adam{}, losses::categorical_crossentropy);
  CHECK(load_model(path, std::move(alias)).iterations() == 3);
  std::remove(path.c_str());
  CHECK(snapshot_weights(m) == want);
}

// A file's metrics, weighted_metrics and temporal sample_weight_mode, as
// many as it lists: load_model compiles them by name and reports what the
// model compiled by hand reports.
TEST_CASE("load_model compiles every metric, weighted_metrics and temporal weights by name",
          "[keras_h5][training_config]") {
  const resume_data d;
  auto m = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  m.compile(optimizers::Adam{.lr = 0.01f}, "categorical_crossentropy", "acc", "mae",
            "top_k_categorical_accuracy", "categorical_crossentropy",
            weighted_metrics("mse", "acc"));
  m.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  const std::string path = "ketl_test_training_metrics.h5";
  save_model(m, path);
  auto back = load_model<ResumeNet>(path);
  CHECK(back.metrics_names() ==
        std::vector<std::string>{"loss", "acc", "mean_absolute_error", "top_k_categorical_accuracy",
                                 "categorical_crossentropy", "weighted_mean_squared_error",
                                 "weighted_acc"});
  CHECK(back.metrics_names() == m.metrics_names());
  xt::xtensor<float, 1> w = xt::ones<float>({24});
  for (std::size_t i = 0; i < 24; i += 5) w(i) = 0;
  w(3) = 2.5f;
  const auto want = m.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0, .sample_weight = {w}});
  const auto got = back.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0, .sample_weight = {w}});
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-6));
  CHECK(got[5] != Approx(got[2]));  // the weighted mse is not the plain mae
  // It saves what it read.
  save_model(back, path);
  const auto tc = nlohmann::ordered_json::parse(io::read_keras_h5(path).training_config);
  CHECK(tc["metrics"].dump() == R"(["acc","mean_absolute_error","top_k_categorical_accuracy",)"
                                R"("categorical_crossentropy"])");
  CHECK(tc["weighted_metrics"].dump() == R"(["mean_squared_error","acc"])");

  // sample_weight_mode "temporal" on an output with a time axis.
  using Timed = Sequential<Input<4, 3>, TimeDistributed<Dense<2, Softmax>>>;
  struct {
    xt::xtensor<float, 3> x = xt::xtensor<float, 3>::from_shape({6, 4, 3});
    xt::xtensor<float, 3> y = xt::zeros<float>({6, 4, 2});
  } s;
  Random rng(9);
  for (auto& v : s.x) v = float(rng.uniform(-1, 1));
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t k = 0; k < 4; ++k) s.y(i, k, (i + k) % 2) = 1;
  auto t = Timed(Input<4, 3>{}, TimeDistributed<Dense<2, Softmax>>{});
  t.compile(optimizers::SGD{.lr = 0.1f}, "categorical_crossentropy", "acc", ketl::temporal);
  xt::xtensor<float, 2> tw = xt::ones<float>({6, 4});
  tw(1, 2) = 0;
  tw(4, 0) = 3;
  t.fit(s.x, s.y, {.batch_size = 3, .epochs = 1, .verbose = 0, .sample_weight = {tw}});
  save_model(t, path);
  auto tb = load_model<Timed>(path);
  CHECK(tb.compilation().temporal);
  const auto tw_want = t.evaluate(s.x, s.y, {.batch_size = 3, .verbose = 0, .sample_weight = {tw}});
  const auto tw_got = tb.evaluate(s.x, s.y, {.batch_size = 3, .verbose = 0, .sample_weight = {tw}});
  REQUIRE(tw_got.size() == 2);
  CHECK(tw_got[0] == Approx(tw_want[0]).epsilon(1e-6));
  CHECK(tw_got[1] == Approx(tw_want[1]).epsilon(1e-6));
  // A mode per output must agree across outputs; other modes are refused.
  auto file = io::read_keras_h5(path);
  auto tcj = nlohmann::ordered_json::parse(file.training_config);
  tcj["sample_weight_mode"] = "samplewise";
  file.training_config = tcj.dump();
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  CHECK_THROWS_WITH(load_model<Timed>(path), Contains("sample_weight_mode \"samplewise\""));
  tcj["sample_weight_mode"] = nlohmann::ordered_json::parse(R"(["temporal"])");
  file.training_config = tcj.dump();
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  CHECK(load_model<Timed>(path).compilation().temporal);
  std::remove(path.c_str());
}

// Metrics that differ by output: save_model writes Keras 2.2.4's dict,
// load_model reads it (and tf.keras's list per output) as metrics_for<K>.
TEST_CASE("per-output metrics go through the training_config both ways",
          "[keras_h5][training_config]") {
  auto make = [] {
    auto x = Input<4>{};
    auto h = Dense<5, Tanh>{}(x);
    return Model{inputs(x),
                 outputs(Dense<3, Softmax>{{.name = "cls"}}(h), Dense<2>{{.name = "reg"}}(h))};
  };
  auto m = make();
  m.compile("adam", per_output("categorical_crossentropy", "mse"), metrics_for<0>("acc"),
            metrics_for<1>("mae", "mse"), weighted_metrics_for<1>("mae"));
  const std::string path = "ketl_test_per_output.h5";
  save_model(m, path);
  auto tc = nlohmann::ordered_json::parse(io::read_keras_h5(path).training_config);
  CHECK(tc["metrics"].dump() ==
        R"({"cls":["acc"],"reg":["mean_absolute_error","mean_squared_error"]})");
  CHECK(tc["weighted_metrics"].dump() == R"({"cls":[],"reg":["mean_absolute_error"]})");
  auto back = load_model(path, make());
  CHECK(back.metrics_names() == m.metrics_names());
  Random rng(3);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({9, 4});
  xt::xtensor<float, 2> yc = xt::zeros<float>({9, 3}),
                        yr = xt::xtensor<float, 2>::from_shape({9, 2});
  for (auto& v : x) v = float(rng.uniform(-1, 1));
  for (auto& v : yr) v = float(rng.uniform(-1, 1));
  for (std::size_t i = 0; i < 9; ++i) yc(i, i % 3) = 1;
  xt::xtensor<float, 1> ones = xt::ones<float>({9}), w = xt::ones<float>({9});
  w(2) = 0, w(5) = 4;
  const auto want =
      m.evaluate(x, std::tie(yc, yr), {.verbose = 0, .sample_weight = std::tie(ones, w)});
  const auto got =
      back.evaluate(x, std::tie(yc, yr), {.verbose = 0, .sample_weight = std::tie(ones, w)});
  CHECK(got.back() != Approx(got[got.size() - 3]));  // reg's weighted mae is not its mae
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-6));
  // tf.keras's form: a list per output, in output order.
  auto file = io::read_keras_h5(path);
  tc["metrics"] = nlohmann::ordered_json::parse(R"([["accuracy"], ["mae"]])");
  file.training_config = tc.dump();
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  CHECK(load_model(path, make()).metrics_names() ==
        std::vector<std::string>{"loss", "cls_loss", "reg_loss", "cls_acc",
                                 "reg_mean_absolute_error", "reg_weighted_mean_absolute_error"});
  // A dict naming an output the model does not have is refused.
  tc["metrics"] = nlohmann::ordered_json::parse(R"({"cls": "acc", "other": ["mae"]})");
  file.training_config = tc.dump();
  io::write_file_atomically(path, io::keras_h5_model_bytes(file, path), "test");
  CHECK_THROWS_WITH(load_model(path, make()), Contains("an output \"other\""));
  std::remove(path.c_str());
}

// ---- TensorFlow.js's model.json (ketl/io/tfjs.hpp) ------------------------

namespace {
// Loads tfjs/<name>/model.json (tensorflowjs_converter's output for
// keras_h5/<name>_model.h5) and checks Keras's prediction; then ketl's own
// model.json round-trips bit for bit.
template <class E, std::size_t R, class Make>
void check_tfjs(const std::string& name, Make make, const std::string& golden_name = "",
                double tol = 2e-5) {
  INFO(name);
  const auto x = input<E, R>(golden_name.empty() ? name : golden_name);
  auto m = load_model(KETL_TEST_GOLDEN_DIR "/tfjs/" + name + "/model.json", make());
  check_prediction(m.predict(x), golden_name.empty() ? name : golden_name, tol);
  auto w = make();
  scramble(w, 7);
  w.load_weights(KETL_TEST_GOLDEN_DIR "/tfjs/" + name + "/model.json");  // weights alone
  CHECK(snapshot_weights(w) == snapshot_weights(m));
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ketl_tfjs_" + name);
  fs::create_directories(dir);
  scramble(m, 8);
  save_model(m, (dir / "model.json").string());
  auto back = load_model((dir / "model.json").string(), make());
  CHECK(snapshot_weights(back) == snapshot_weights(m));
  const auto p = m.predict(x), q = back.predict(x);
  CHECK(std::equal(p.begin(), p.end(), q.begin()));
  fs::remove_all(dir);
}
}  // namespace

TEST_CASE("TF.js model.json from tensorflowjs_converter loads and predicts what Keras predicts",
          "[tfjs]") {
  check_tfjs<float, 2>("dense", dense_model);
  check_tfjs<float, 4>("cnn", cnn_model);
  check_tfjs<float, 3>("conv1d", conv1d_model);
  check_tfjs<std::int32_t, 2>("rnn", rnn_model);
  check_tfjs<float, 3>("bidirectional", bidirectional_model);
  check_tfjs<float, 3>("time_distributed", time_distributed_model);
  check_tfjs<float, 2>("functional", functional_model);
  check_tfjs<float, 2>("named", named_model);
  // Quantized by the converter: uint8 (scale and min) to about 1/255 of
  // each weight's range, float16 to 2^-11 relative.
  check_tfjs<float, 2>("dense_float16", dense_model, "dense", 2e-3);
  check_tfjs<float, 2>("dense_uint8", dense_model, "dense", 3e-2);
}

TEST_CASE("a model.json as TensorFlow.js's own model.save writes it loads and compiles",
          "[tfjs][training_config]") {
  // TensorFlow.js (JavaScript) writes the model config itself as
  // modelTopology, the training config as trainingConfig, in camelCase.
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "ketl_tfjs_js";
  fs::create_directories(dir);
  const std::string src = KETL_TEST_GOLDEN_DIR "/tfjs/dense/";
  auto doc = nlohmann::ordered_json::parse(bytes_of(src + "model.json"));
  auto topology = doc["modelTopology"]["model_config"];
  topology["keras_version"] = "tfjs-layers 4.22.0";
  topology["backend"] = "tensor_flow.js";
  doc["modelTopology"] = topology;
  doc["generatedBy"] = "TensorFlow.js tfjs-layers v4.22.0";
  doc["trainingConfig"] = nlohmann::ordered_json::parse(
      R"({"optimizer_config": {"class_name": "Adam", "config": {"learningRate": 0.005,
          "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}},
          "loss": "categoricalCrossentropy", "metrics": ["accuracy"]})");
  io::write_file_atomically((dir / "model.json").string(), doc.dump(), "test");
  fs::copy_file(src + "group1-shard1of1.bin", dir / "group1-shard1of1.bin",
                fs::copy_options::overwrite_existing);
  auto m = load_model((dir / "model.json").string(), dense_model());
  check_prediction(m.predict(input<float, 2>("dense")), "dense");
  REQUIRE(m.compiled());
  CHECK(m.optimizer_name() == "adam");
  CHECK(m.learning_rate() == Approx(0.005));
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc"});
  fs::remove_all(dir);
}

TEST_CASE("save_model to model.json resumes training as .h5 does", "[tfjs][training_config]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "ketl_tfjs_resume";
  fs::create_directories(dir);
  const std::string path = (dir / "model.json").string();
  const resume_data d;
  auto straight = ResumeNet(Input<4>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{});
  scramble(straight, 4);
  auto first = straight;
  straight.compile(optimizers::Adam{.amsgrad = true}, "categorical_crossentropy", "acc");
  straight.fit(d.x, d.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false});
  first.compile(optimizers::Adam{.amsgrad = true}, "categorical_crossentropy", "acc");
  first.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  save_model(first, path);
  const auto doc = nlohmann::json::parse(bytes_of(path));
  CHECK(doc["format"] == "layers-model");
  CHECK(doc["modelTopology"]["model_config"]["class_name"] == "Sequential");
  CHECK(doc["modelTopology"]["training_config"]["optimizer_config"]["class_name"] == "Adam");
  REQUIRE(doc["weightsManifest"].size() == 2);
  CHECK(doc["weightsManifest"][0]["paths"][0] == "group1-shard1of1.bin");
  CHECK(doc["weightsManifest"][0]["weights"][0]["name"] == "dense_1/kernel");
  CHECK(doc["weightsManifest"][1]["weights"][0]["group"] == "optimizer");
  CHECK(fs::file_size(dir / "group1-shard1of1.bin") == (4 * 6 + 6 + 6 * 3 + 3) * 4);
  auto resumed = load_model<ResumeNet>(path);
  resumed.fit(d.x, d.y,
              {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false, .initial_epoch = 1});
  CHECK(snapshot_weights(resumed) == snapshot_weights(straight));
  fs::remove_all(dir);
}

TEST_CASE("bad model.json files throw a ketl::io_error naming the file, and change nothing",
          "[tfjs][robustness]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "ketl_tfjs_bad";
  fs::create_directories(dir);
  const std::string path = (dir / "model.json").string();
  auto m = named_model();
  scramble(m, 3);
  save_model(m, path);
  const std::string good = bytes_of(path);
  const std::string shard = bytes_of((dir / "group1-shard1of1.bin").string());
  const auto before = snapshot_weights(m);
  auto write = [&](const std::string& file, const std::string& bytes) {
    io::write_file_atomically((dir / file).string(), bytes, "test");
  };
  auto edit = [&](auto&& f) {
    auto doc = nlohmann::ordered_json::parse(good);
    f(doc);
    write("model.json", doc.dump());
  };
  auto expect = [&](const std::string& why) {
    INFO(why);
    CHECK_THROWS_AS(m.load_weights(path), io_error);
    try {
      m.load_weights(path);
    } catch (const io_error& e) {
      CHECK_THAT(e.what(), Contains(path) && Contains(why));
    }
    CHECK(snapshot_weights(m) == before);
  };
  write("model.json", "{\"format\": ");
  expect("not JSON");
  write("model.json", "[1, 2]");
  expect("not a JSON object");
  edit([](auto& d) { d["format"] = "graph-model"; });
  expect("graph model");
  edit([](auto& d) { d.erase("weightsManifest"); });
  expect("no \"weightsManifest\"");
  edit([](auto& d) { d["weightsManifest"][0]["paths"][0] = "../../etc/passwd"; });
  expect("not a file beside model.json");
  edit([](auto& d) { d["weightsManifest"][0]["paths"][0] = "/etc/passwd"; });
  expect("not a file beside model.json");
  edit([](auto& d) { d["weightsManifest"][0]["paths"][0] = "missing.bin"; });
  expect("missing.bin");
  edit([](auto& d) { d["weightsManifest"][0]["weights"][0]["shape"] = {6, 9}; });
  expect("past the end of its shards");
  edit([](auto& d) {
    d["weightsManifest"][0]["weights"][0]["shape"] = {4294967296ull, 4294967296ull, 16};
  });
  expect("more values than its shards hold");
  edit([](auto& d) { d["weightsManifest"][0]["weights"][0]["shape"] = {-1, 5}; });
  expect("not a count");
  edit([](auto& d) { d["weightsManifest"][0]["weights"][1]["dtype"] = "string"; });
  expect("stored as string");
  edit([](auto& d) { d["weightsManifest"][0]["weights"][0]["name"] = "nowhere/kernel"; });
  expect("belongs to no layer");
  write("model.json", good);
  write("group1-shard1of1.bin", shard.substr(0, shard.size() - 4));
  expect("past the end of its shards");
  write("group1-shard1of1.bin", shard + "xxxx");
  expect("shards hold");
  write("group1-shard1of1.bin", shard);
  m.load_weights(path);  // the good file still loads
  CHECK(snapshot_weights(m) == before);
  fs::remove_all(dir);
}

// ---- ketl-import's generator (io/keras_import.hpp) -------------------------

TEST_CASE("ketl-import spells each Keras version's config as the typed model, or refuses by name",
          "[ketl_import]") {
  using io::keras::import_header;
  // Keras <= 2.1: a bare list; the first layer's batch_input_shape, a stale
  // one on an inner layer; tf.keras's dtype object and V2 class names; a
  // nested activation object; BatchNormalization's axis as a list.
  const std::string old_keras = R"({"class_name": "Sequential", "config": [
      {"class_name": "Conv2D", "config": {"name": "c", "batch_input_shape": [null, 8, 8, 2],
        "dtype": {"class_name": "DTypePolicy", "config": {"name": "float32"}}, "filters": 4,
        "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "data_format": "channels_last",
        "dilation_rate": [1, 1], "activation": {"class_name": "function", "config": "relu"},
        "use_bias": false}},
      {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [3], "momentum": 0.9,
        "epsilon": 0.001, "center": true, "scale": false}},
      {"class_name": "Reshape", "config": {"name": "r", "target_shape": [16, 4],
        "batch_input_shape": [null, 4, 4, 4]}},
      {"class_name": "LSTMV2", "config": {"name": "l", "units": 3, "activation": "tanh",
        "recurrent_activation": "sigmoid", "return_sequences": false, "dropout": 0.25}},
      {"class_name": "GRUV2", "config": {"name": "g", "units": 2, "reset_after": true}}]})";
  // GRUV2 after a sequence-less LSTM would not fit; the generator spells what
  // it is given, and the compiler's shape check would say so.
  const std::string h = import_header(old_keras, "Old", "old.h5", "ketl/io/keras_h5.hpp");
  CHECK_THAT(h, Contains("struct Old : Old_base"));
  CHECK_THAT(h, Contains("ketl::Input<8, 8, 2>,"));
  CHECK_THAT(h, Contains("ketl::Conv2D<4, ketl::conv2d{.kernel = {3, 3}, .strides = {2, 2}, "
                         ".padding = ketl::same, .use_bias = false}, ketl::Relu>"));
  CHECK_THAT(h, Contains("ketl::BatchNormalization<ketl::batch_norm{.scale = false}>{{.momentum = "
                         "0.9f, .epsilon = 0.001f, .name = \"bn\"}}"));
  CHECK_THAT(h, Contains("ketl::Reshape<16, 4>"));
  CHECK_THAT(h, Contains("ketl::LSTM<3, ketl::rnn{}, ketl::Tanh, ketl::Sigmoid>{{.dropout = "
                         "0.25f, .name = \"l\"}}"));
  CHECK_THAT(h, Contains("ketl::GRU<2, ketl::rnn{.reset_after = true}, ketl::Tanh, "
                         "ketl::HardSigmoid>"));
  CHECK_THAT(h, Contains("#include <ketl/io/keras_h5.hpp>"));
  // A functional model: a shared layer (two inbound nodes), an LSTM's
  // returned states, several inputs and outputs.
  const std::string graph = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
      {"name": "a", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4],
        "dtype": "float32", "name": "a"}, "inbound_nodes": []},
      {"name": "s", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 3],
        "dtype": "float32", "name": "s"}, "inbound_nodes": []},
      {"name": "d", "class_name": "Dense", "config": {"name": "d", "units": 4, "activation":
        "linear"}, "inbound_nodes": [[["a", 0, 0, {}]], [["a", 0, 0, {}]]]},
      {"name": "l", "class_name": "LSTM", "config": {"name": "l", "units": 2, "return_state":
        true}, "inbound_nodes": [[["s", 0, 0, {}]]]},
      {"name": "add", "class_name": "Add", "config": {"name": "add"}, "inbound_nodes":
        [[["d", 0, 0, {}], ["d", 1, 0, {}]]]},
      {"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1},
        "inbound_nodes": [[["l", 0, 1, {}], ["l", 0, 2, {}]]]}],
      "input_layers": [["a", 0, 0], ["s", 0, 0]],
      "output_layers": [["add", 0, 0], ["cat", 0, 0]]}})";
  const std::string g = import_header(graph, "G", "g.json", "ketl/io/tfjs.hpp");
  CHECK_THAT(g, Contains("auto layer2 = ketl::shared(ketl::Dense<4, ketl::Linear>{{.name = "
                         "\"d\"}});"));
  CHECK_THAT(g, Contains("auto t3 = layer2(in0);"));
  CHECK_THAT(g, Contains("auto t4 = layer2(in0);"));
  CHECK_THAT(g, Contains("auto [t5_0, t5_1, t5_2] = ketl::LSTM<2, ketl::rnn{.return_state = "
                         "true}, ketl::Tanh, ketl::HardSigmoid>{{.name = \"l\"}}(in1);"));
  CHECK_THAT(g, Contains("ketl::Add{{.name = \"add\"}}(t3, t4)"));
  CHECK_THAT(g, Contains("ketl::Concatenate<>{{.name = \"cat\"}}(t5_1, t5_2)"));
  CHECK_THAT(g, Contains("return ketl::Model{ketl::inputs(in0, in1), ketl::outputs(t6, t7)};"));
  CHECK_THAT(g, Contains("#include <ketl/io/tfjs.hpp>"));
  // What ketl lacks is refused by the layer's name and class.
  auto refused = [&](const std::string& layer) {
    return import_header(R"({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": "d0", "batch_input_shape": [null, 4],
         "units": 3, "activation": "relu"}}, )" +
                             layer + "]}}",
                         "N", "x.h5", "h");
  };
  using io::keras::unsupported_layer;
  CHECK_THROWS_WITH(refused(R"({"class_name": "LeakyReLU", "config": {"name": "lr"}})"),
                    Contains("layer lr (LeakyReLU): ketl has no such layer"));
  CHECK_THROWS_WITH(
      refused(R"({"class_name": "Dense", "config": {"name": "d", "units": 2, "use_bias": false}})"),
      Contains("layer d (Dense): use_bias = false is not supported"));
  CHECK_THROWS_WITH(refused(R"({"class_name": "Dense", "config": {"name": "d", "units": 2,
      "activation": "relu", "kernel_regularizer": {"class_name": "L1L2"}}})"),
                    Contains("kernel_regularizer is set"));
  CHECK_THROWS_WITH(refused(R"({"class_name": "Dense", "config": {"name": "d", "units": 2,
      "activation": "gelu"}})"),
                    Contains("activation \"gelu\""));
  CHECK_THROWS_WITH(refused(R"({"class_name": "BatchNormalization", "config": {"name": "b",
      "axis": 0}})"),
                    Contains("not the last axis"));
  CHECK_THROWS_AS(refused(R"({"class_name": "Flatten", "config": {"name": "f", "data_format":
      "channels_first"}})"),
                  unsupported_layer);
  CHECK_THROWS_WITH(import_header(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Dense", "config": {"name": "d", "batch_input_shape": [null, null, 4],
       "units": 2, "activation": "relu"}}]}})",
                                  "N", "x.h5", "h"),
                    Contains("free axis") && Contains("--length"));
  // An Embedding's variable sequence length, fixed at import.
  CHECK_THAT(import_header(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Embedding", "config": {"name": "e", "batch_input_shape": [null, null],
       "input_dim": 50, "output_dim": 8, "input_length": null}},
      {"class_name": "GRU", "config": {"name": "g", "units": 4}}]}})",
                           "N", "x.h5", "h", 12),
             Contains("ketl::Input<12>::of<std::int32_t>,") &&
                 Contains("ketl::Embedding<50, 8>{{.name = \"e\"}}"));
  CHECK_THROWS_AS(import_header("not json", "N", "x.h5", "h"), io_error);
}
