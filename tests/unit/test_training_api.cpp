// The Keras training API: fit's options, History, callbacks, the
// *_on_batch calls, predict_classes, weights and their .npz files, each
// against Keras 2.2.4's semantics; and bad input that throws and changes
// nothing.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
// 40 samples of 3 features, 3 one-hot classes, learnable.
struct Data {
  xt::xtensor<float, 2> x = xt::zeros<float>({40, 3});
  xt::xtensor<float, 2> y = xt::zeros<float>({40, 3});
  Data() {
    for (std::size_t i = 0; i < 40; ++i) {
      const std::size_t c = i % 3;
      for (std::size_t j = 0; j < 3; ++j) x(i, j) = (j == c ? 1.0f : 0.0f) + 0.01f * float(i % 7);
      y(i, c) = 1;
    }
  }
};
auto make_model() {
  utils::set_random_seed(7);
  auto m = Sequential{Input<3>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{}};
  m.compile(optimizers::SGD{.lr = 0.2f}, losses::categorical_crossentropy, metrics::accuracy);
  return m;
}
std::vector<float> flat_weights(const auto& m) {
  std::vector<float> out;
  for (const auto& w : m.get_weights()) out.insert(out.end(), w.begin(), w.end());
  return out;
}
std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("ketl_test_" + name)).string();
}
}  // namespace

TEST_CASE("History: per-epoch values with val_ keys; initial_epoch counts to a final index",
          "[training][api]") {
  Data d;
  auto m = make_model();
  const auto h = m.fit(
      d.x, d.y,
      {.batch_size = 8, .epochs = 5, .verbose = 0, .validation_split = 0.25, .initial_epoch = 2});
  CHECK(h.epoch == std::vector<int>{2, 3, 4});
  for (const char* k : {"loss", "acc", "val_loss", "val_acc"}) {
    INFO(k);
    REQUIRE(h.history.count(k) == 1);
    CHECK(h.history.at(k).size() == 3);
  }
  // val_ values are the model's evaluation, after the epoch, of the last 25%.
  const xt::xtensor<float, 2> vx = xt::view(d.x, xt::range(30, 40));
  const xt::xtensor<float, 2> vy = xt::view(d.y, xt::range(30, 40));
  const auto v = m.evaluate(vx, vy, {.batch_size = 8, .verbose = 0});
  CHECK(h.history.at("val_loss").back() == Approx(v[0]));
  CHECK(h.history.at("val_acc").back() == Approx(v[1]));
}

TEST_CASE("validation_split takes the last fraction before shuffling; validation_data wins",
          "[training][api]") {
  Data d;
  // Train on the first 30 samples only: the same as a fit on x[:30] with the
  // same seed and no shuffling.
  auto a = make_model();
  a.fit(d.x, d.y,
        {.batch_size = 10, .epochs = 2, .verbose = 0, .validation_split = 0.25, .shuffle = false});
  auto b = make_model();
  const xt::xtensor<float, 2> x30 = xt::view(d.x, xt::range(0, 30));
  const xt::xtensor<float, 2> y30 = xt::view(d.y, xt::range(0, 30));
  b.fit(x30, y30, {.batch_size = 10, .epochs = 2, .verbose = 0, .shuffle = false});
  CHECK(flat_weights(a) == flat_weights(b));

  auto c = make_model();
  const auto h = c.fit(x30, y30,
                       {.batch_size = 10,
                        .epochs = 1,
                        .verbose = 0,
                        .validation_split = 0.5,
                        .validation_data = ValidationData<float>{d.x, d.y}});
  CHECK(h.history.count("val_loss") == 1);
  CHECK(h.history.at("val_loss")[0] == Approx(c.evaluate(d.x, d.y, {.verbose = 0})[0]));
}

TEST_CASE("shuffle modes: off keeps order, batch moves whole batches and keeps the tail",
          "[training][api]") {
  Data d;
  std::vector<std::vector<float>> firsts;
  // A callback that records the first x value each batch trains on is not
  // possible from outside; instead compare the trained weights with fits on
  // reordered data.
  auto off = make_model();
  off.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  auto same = make_model();
  same.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(flat_weights(off) == flat_weights(same));

  auto on = make_model();
  on.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = true});
  CHECK(flat_weights(on) != flat_weights(off));

  // 'batch' with 43 samples and batch 8: 5 whole batches permuted, 3 last.
  xt::xtensor<float, 2> x = xt::zeros<float>({43, 3}), y = xt::zeros<float>({43, 3});
  for (std::size_t i = 0; i < 43; ++i) x(i, 0) = float(i), y(i, i % 3) = 1;
  std::vector<int> sizes;
  callbacks::LambdaCallback sizes_cb{
      .on_batch_end_fn = [&](int, Logs& l) { sizes.push_back(int(l.at("size"))); }};
  auto bm = make_model();
  bm.fit(x, y,
         {.batch_size = 8,
          .epochs = 1,
          .verbose = 0,
          .callbacks = {sizes_cb},
          .shuffle = shuffle_batch});
  CHECK(sizes == std::vector<int>{8, 8, 8, 8, 8, 3});
}

TEST_CASE("sample_weight: Keras 2.2.4's sum(w l) / count_nonzero(w); class_weight",
          "[training][api][weights]") {
  Data d;
  auto m = make_model();
  const auto per = losses::categorical_crossentropy(d.y, m.predict(d.x));
  xt::xtensor<float, 1> w = xt::zeros<float>({40});
  double num = 0, nz = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    w(i) = float(i % 4);  // a quarter are zero
    num += double(w(i)) * double(per(i));
    nz += w(i) != 0;
  }
  const auto v = m.evaluate(d.x, d.y, {.batch_size = 40, .verbose = 0, .sample_weight = w});
  CHECK(v[0] == Approx(num / nz).epsilon(1e-5));
  // Metrics stay unweighted, as Keras's plain metrics.
  CHECK(v[1] == Approx(m.evaluate(d.x, d.y, {.batch_size = 40, .verbose = 0})[1]));
  // test_on_batch agrees.
  CHECK(m.test_on_batch(d.x, d.y, w)[0] == Approx(v[0]));

  // class_weight {0: 1, 1: 2, 2: 0.5} is the sample weight of each row's class.
  xt::xtensor<float, 1> cw = xt::zeros<float>({40});
  for (std::size_t i = 0; i < 40; ++i) cw(i) = std::array{1.0f, 2.0f, 0.5f}[i % 3];
  auto a = make_model();
  a.fit(d.x, d.y,
        {.batch_size = 8,
         .epochs = 2,
         .verbose = 0,
         .shuffle = false,
         .class_weight = {{0, 1.0}, {1, 2.0}, {2, 0.5}}});
  auto b = make_model();
  b.fit(d.x, d.y,
        {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false, .sample_weight = cw});
  const auto wa = flat_weights(a), wb = flat_weights(b);
  REQUIRE(wa.size() == wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) CHECK(wa[i] == Approx(wb[i]).margin(1e-6));
  // Both given: they multiply (Keras 2.3's rule; docs/keras-differences.md).
  auto c = make_model();
  xt::xtensor<float, 1> half = xt::ones<float>({40}) * 0.5f;
  const auto both = c.train_on_batch(d.x, d.y, half, {{0, 1.0}, {1, 2.0}, {2, 0.5}});
  auto e = make_model();
  xt::xtensor<float, 1> cw_half = cw * 0.5f;
  CHECK(both[0] == Approx(e.train_on_batch(d.x, d.y, cw_half)[0]));
}

TEST_CASE("train_on_batch returns the values of the pass that made the update", "[training][api]") {
  Data d;
  auto m = make_model();
  const auto before = m.test_on_batch(d.x, d.y);
  const auto w0 = flat_weights(m);
  const auto trained = m.train_on_batch(d.x, d.y);
  CHECK(trained[0] == Approx(before[0]));
  CHECK(trained[1] == Approx(before[1]));
  CHECK(flat_weights(m) != w0);
  CHECK(m.test_on_batch(d.x, d.y)[0] < before[0]);
  const auto p = m.predict_on_batch(d.x);
  CHECK(p.shape()[0] == 40);
  CHECK((p == m.predict(d.x)));
}

TEST_CASE("predict_classes and predict_proba", "[training][api]") {
  Data d;
  auto m = make_model();
  m.fit(d.x, d.y, {.batch_size = 8, .epochs = 30, .verbose = 0});
  const auto p = m.predict_proba(d.x);
  const auto c = m.predict_classes(d.x);
  REQUIRE(c.shape()[0] == 40);
  for (std::size_t i = 0; i < 40; ++i) {
    const auto row = xt::view(p, i);
    CHECK(c(i) == int(std::max_element(row.begin(), row.end()) - row.begin()));
  }
  // A one-unit output: (p > 0.5), shape (N, 1).
  auto b = Sequential{Input<3>{}, Dense<1, Sigmoid>{}};
  b.compile("sgd", losses::binary_crossentropy);
  const auto bc = b.predict_classes(d.x);
  const auto bp = b.predict(d.x);
  REQUIRE(bc.shape() == std::array<std::size_t, 2>{40, 1});
  for (std::size_t i = 0; i < 40; ++i) CHECK(bc(i, 0) == (bp(i, 0) > 0.5f ? 1 : 0));
}

TEST_CASE("callbacks: hooks in Keras's order, stop_training, 0-based indices", "[callbacks]") {
  Data d;
  std::vector<std::string> events;
  struct Recorder {
    std::vector<std::string>* ev;
    void on_train_begin(Logs&) { ev->push_back("train_begin"); }
    void on_epoch_begin(int e, Logs&) { ev->push_back("epoch_begin " + std::to_string(e)); }
    void on_batch_end(int b, Logs& l) {
      ev->push_back("batch_end " + std::to_string(b) + " size " +
                    std::to_string(int(l.at("size"))));
    }
    void on_epoch_end(int e, Logs& l) {
      ev->push_back("epoch_end " + std::to_string(e) + (l.count("val_loss") ? " val" : ""));
    }
    void on_train_end(Logs&) { ev->push_back("train_end"); }
  } rec{&events};
  auto m = make_model();
  m.fit(d.x, d.y,
        {.batch_size = 16, .epochs = 2, .verbose = 0, .callbacks = {rec}, .validation_split = 0.2});
  CHECK(events == std::vector<std::string>{"train_begin", "epoch_begin 0", "batch_end 0 size 16",
                                           "batch_end 1 size 16", "epoch_end 0 val",
                                           "epoch_begin 1", "batch_end 0 size 16",
                                           "batch_end 1 size 16", "epoch_end 1 val", "train_end"});

  // A custom callback that stops after the first batch of epoch 1.
  struct Stopper {
    ModelHandle* m = nullptr;
    void set_model(ModelHandle& h) { m = &h; }
    void on_batch_end(int b, Logs&) {
      if (b == 1) m->stop_training = true;
    }
  } stopper;
  auto s = make_model();
  const auto h =
      s.fit(d.x, d.y, {.batch_size = 8, .epochs = 5, .verbose = 0, .callbacks = {stopper}});
  CHECK(h.epoch == std::vector<int>{0});
}

TEST_CASE("EarlyStopping: patience counting, min_delta, baseline, restore_best_weights",
          "[callbacks]") {
  // Drive the callback with hand-made logs, as Keras's own tests do.
  struct FakeModel : ModelHandle {
    std::vector<std::vector<double>> w{{0.0}};
    std::ostringstream os;
    double learning_rate() const override { return 0.1; }
    void set_learning_rate(double) override {}
    std::vector<std::vector<double>> weight_snapshot() const override { return w; }
    void restore_weights(const std::vector<std::vector<double>>& s) override { w = s; }
    void save_weights(const std::string&) const override {}
    std::ostream& out() override { return os; }
    void set_output(std::ostream&) override {}
  };
  auto run = [](callbacks::EarlyStopping es, const std::vector<double>& losses, FakeModel& fm) {
    es.set_model(fm);
    Logs l;
    es.on_train_begin(l);
    int epochs = 0;
    for (std::size_t e = 0; e < losses.size() && !fm.stop_training; ++e, ++epochs) {
      fm.w[0][0] = double(e);  // the "weights" after epoch e
      Logs logs{{"val_loss", losses[e]}};
      es.on_epoch_end(int(e), logs);
    }
    es.on_train_end(l);
    return std::pair{epochs, es};
  };
  {
    FakeModel fm;  // best at epoch 1; patience 2 stops at epoch 3 (2.0.9+ counting)
    auto [epochs, es] = run({.patience = 2}, {1.0, 0.5, 0.6, 0.7, 0.1}, fm);
    CHECK(epochs == 4);
    CHECK(es.stopped_epoch == 3);
    CHECK(fm.w[0][0] == 3.0);  // not restored
  }
  {
    FakeModel fm;
    auto [epochs, es] = run({.patience = 2, .verbose = 1, .restore_best_weights = true},
                            {1.0, 0.5, 0.6, 0.7, 0.1}, fm);
    CHECK(fm.w[0][0] == 1.0);  // the best epoch's weights
    CHECK(fm.os.str().find("Epoch 00004: early stopping") != std::string::npos);
  }
  {
    FakeModel fm;  // min_delta 0.1: 0.95 and 0.92 are no improvement on 1.0
    auto [epochs, es] = run({.min_delta = 0.1, .patience = 2}, {1.0, 0.95, 0.92, 0.5}, fm);
    CHECK(epochs == 3);
  }
  {
    FakeModel fm;  // a baseline not beaten stops after patience epochs
    auto [epochs, es] = run({.patience = 1, .baseline = 0.4}, {1.0, 0.3}, fm);
    CHECK(epochs == 1);
  }
  {
    FakeModel fm;  // auto mode maximises an accuracy
    callbacks::EarlyStopping es{.monitor = "val_acc", .patience = 1};
    es.set_model(fm);
    Logs l;
    es.on_train_begin(l);
    Logs a{{"val_acc", 0.5}}, b{{"val_acc", 0.6}}, c{{"val_acc", 0.55}};
    es.on_epoch_end(0, a);
    es.on_epoch_end(1, b);
    CHECK(!fm.stop_training);
    es.on_epoch_end(2, c);
    CHECK(fm.stop_training);
  }
}

TEST_CASE("LearningRateScheduler and ReduceLROnPlateau set lr and log it", "[callbacks]") {
  Data d;
  auto m = make_model();
  callbacks::LearningRateScheduler sched{.schedule = [](int e, double) { return 0.1 / (e + 1); }};
  const auto h =
      m.fit(d.x, d.y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {sched}});
  REQUIRE(h.history.count("lr") == 1);
  CHECK_THAT(h.history.at("lr"), Catch::Matchers::Approx(std::vector<double>{0.1, 0.05, 0.1 / 3}));
  CHECK(m.learning_rate() == Approx(0.1 / 3));

  // Plateau on a monitored value that stops improving after epoch 0:
  // patience 2, factor 0.5, cooldown 1. The lr is reduced at the end of
  // epochs 2, 4 and 6 (the last to min_lr); each epoch logs the lr it ran with.
  auto p = make_model();
  callbacks::ReduceLROnPlateau plateau{
      .monitor = "constant", .factor = 0.5, .patience = 2, .cooldown = 1, .min_lr = 0.03};
  callbacks::LambdaCallback constant{.on_epoch_end_fn = [](int, Logs& l) { l["constant"] = 1.0; }};
  const auto hp = p.fit(
      d.x, d.y, {.batch_size = 40, .epochs = 7, .verbose = 0, .callbacks = {constant, plateau}});
  CHECK_THAT(hp.history.at("lr"),
             Catch::Matchers::Approx(std::vector<double>{0.2, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05}));
  CHECK(p.learning_rate() == Approx(0.03));  // floored at min_lr
}

TEST_CASE("TerminateOnNaN stops with the weights intact", "[callbacks][bad-input]") {
  Data d;
  auto m = make_model();
  xt::xtensor<float, 2> y = d.y;
  y(5, 0) = std::numeric_limits<float>::quiet_NaN();
  const auto w0 = flat_weights(m);
  callbacks::TerminateOnNaN stop;
  std::ostringstream out;
  callbacks::ProgbarLogger redirect{.out = &out};
  const auto h =
      m.fit(d.x, y, {.batch_size = 40, .epochs = 5, .verbose = 0, .callbacks = {redirect, stop}});
  CHECK(h.epoch.size() == 1);
  CHECK(out.str().find("Batch 0: Invalid loss, terminating training") != std::string::npos);
  CHECK(flat_weights(m) == w0);
}

TEST_CASE("CSVLogger writes Keras's columns", "[callbacks]") {
  Data d;
  auto m = make_model();
  const std::string path = temp_path("log.csv");
  callbacks::CSVLogger csv{.filename = path};
  const auto h = m.fit(d.x, d.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {csv}});
  std::ifstream f(path);
  std::string header, row0, row1;
  std::getline(f, header), std::getline(f, row0), std::getline(f, row1);
  CHECK(header == "epoch,acc,loss");
  CHECK(row1.rfind("1,", 0) == 0);
  CHECK(std::stod(row1.substr(row1.rfind(',') + 1)) == Approx(h.history.at("loss")[1]));
  // append adds rows, not a second header.
  callbacks::CSVLogger more{.filename = path, .append = true};
  m.fit(d.x, d.y, {.batch_size = 8, .epochs = 1, .verbose = 0, .callbacks = {more}});
  std::ifstream g(path);
  int lines = 0;
  for (std::string s; std::getline(g, s);) ++lines;
  CHECK(lines == 4);
  std::remove(path.c_str());
}

TEST_CASE("ModelCheckpoint: filepath templates, save_best_only, period", "[callbacks][weights]") {
  CHECK(callbacks::detail::format_path("w.{epoch:02d}-{val_loss:.2f}.npz", 4,
                                       {{"val_loss", 0.12345}}) == "w.05-0.12.npz");
  CHECK_THROWS_AS(callbacks::detail::format_path("w.{nope}.npz", 0, {}), value_error);
  Data d;
  auto m = make_model();
  const std::string dir = temp_path("ckpt");
  std::filesystem::create_directories(dir);
  callbacks::ModelCheckpoint every{.filepath = dir + "/e{epoch:02d}.npz", .period = 2};
  callbacks::ModelCheckpoint best{.filepath = dir + "/best.npz", .save_best_only = true};
  m.fit(d.x, d.y,
        {.batch_size = 8,
         .epochs = 4,
         .verbose = 0,
         .callbacks = {every, best},
         .validation_split = 0.25});
  CHECK(!std::filesystem::exists(dir + "/e01.npz"));
  CHECK(std::filesystem::exists(dir + "/e02.npz"));
  CHECK(std::filesystem::exists(dir + "/e04.npz"));
  CHECK(std::filesystem::exists(dir + "/best.npz"));
  // An unwritable path throws from fit, and the model's weights are what
  // training made of them so far (nothing is rolled back).
  callbacks::ModelCheckpoint bad{.filepath = "/nonexistent-dir/w.npz"};
  CHECK_THROWS_AS(m.fit(d.x, d.y, {.epochs = 1, .verbose = 0, .callbacks = {bad}}), io_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("save_weights / load_weights round trip, bit-identical", "[weights]") {
  Data d;
  auto a = make_model();
  a.fit(d.x, d.y, {.batch_size = 8, .epochs = 3, .verbose = 0});
  const std::string path = temp_path("weights.npz");
  a.save_weights(path);
  utils::set_random_seed(99);
  auto b = Sequential{Input<3>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{}};
  b.load_weights(path);
  CHECK((a.predict(d.x) == b.predict(d.x)));
  const auto arrays = io::load_npz(path);
  REQUIRE(arrays.count("dense_1/kernel") == 1);
  CHECK(arrays.at("dense_1/kernel").shape == std::vector<std::size_t>{3, 6});
  CHECK(arrays.at("dense_2/bias").shape == std::vector<std::size_t>{3});

  // get/set_weights round trip, and a mismatch changes nothing.
  auto ws = a.get_weights();
  b.set_weights(ws);
  ws.pop_back();
  const auto before = flat_weights(b);
  CHECK_THROWS_AS(b.set_weights(ws), value_error);
  CHECK(flat_weights(b) == before);

  // A model with other shapes refuses the file and keeps its weights.
  auto other = Sequential{Input<3>{}, Dense<5, Tanh>{}, Dense<3, Softmax>{}};
  const auto other_before = flat_weights(other);
  CHECK_THROWS_AS(other.load_weights(path), shape_error);
  CHECK_THROWS_WITH(other.load_weights(path), Catch::Contains("dense_1/kernel has shape (3, 5)"));
  CHECK(flat_weights(other) == other_before);
  // A truncated or corrupt file throws io_error, and nothing changes.
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path + ".cut", std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size() / 2));
    bytes[bytes.size() / 3] ^= 0x55;
    std::ofstream(path + ".bad", std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size()));
  }
  CHECK_THROWS_AS(b.load_weights(path + ".cut"), io_error);
  CHECK_THROWS_AS(b.load_weights(path + ".bad"), io_error);
  CHECK_THROWS_AS(b.load_weights(path + ".missing"), io_error);
  CHECK(flat_weights(b) == before);
  std::remove((path + ".cut").c_str());
  std::remove((path + ".bad").c_str());

  // numpy reads the file, when it is installed.
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0) {
    const std::string script =
        "/usr/bin/python3 -c \"import numpy as np; d = np.load('" + path +
        "'); k = d['dense_1/kernel']; assert k.shape == (3, 6) and k.dtype == np.float32; "
        "assert sorted(d.files) == ['dense_1/bias', 'dense_1/kernel', 'dense_2/bias', "
        "'dense_2/kernel']; print(repr(float(k[1, 2])))\" > " +
        path + ".txt";
    REQUIRE(std::system(script.c_str()) == 0);
    std::ifstream r(path + ".txt");
    double k12 = 0;
    r >> k12;
    CHECK(k12 == double(a.get_weights()[0](1, 2)));
    // And ketl reads what numpy writes, compressed too.
    const std::string write = "/usr/bin/python3 -c \"import numpy as np; d = dict(np.load('" +
                              path + "')); np.savez_compressed('" + path + ".np.npz', **d)\"";
    REQUIRE(std::system(write.c_str()) == 0);
    auto c = Sequential{Input<3>{}, Dense<6, Tanh>{}, Dense<3, Softmax>{}};
    c.load_weights(path + ".np.npz");
    CHECK((c.predict(d.x) == a.predict(d.x)));
    std::remove((path + ".txt").c_str());
    std::remove((path + ".np.npz").c_str());
  } else {
    WARN("python3-numpy is not installed: the numpy reading check was skipped");
  }
  std::remove(path.c_str());
}

TEST_CASE("bad fit input throws clearly and changes nothing", "[training][api][bad-input]") {
  Data d;
  auto m = make_model();
  const auto w0 = flat_weights(m);
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .validation_split = 1.0}),
                    Catch::Contains("validation_split must be in [0, 1)"));
  CHECK_THROWS_AS(m.fit(d.x, d.y, {.verbose = 0, .validation_split = -0.1}), value_error);
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .class_weight = {{0, 1.0}, {2, 1.0}}}),
                    Catch::Contains("`class_weight` must contain all classes in the data. The "
                                    "classes {1} exist in the data but not in `class_weight`."));
  xt::xtensor<float, 2> w2 = xt::ones<float>({40, 2});
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w2}),
                    Catch::Contains("sample_weight_mode=\"temporal\""));
  xt::xtensor<float, 1> w_short = xt::ones<float>({39});
  CHECK_THROWS_AS(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w_short}), value_error);
  xt::xtensor<float, 2> bad_vx = xt::zeros<float>({5, 4});
  CHECK_THROWS_WITH(
      m.fit(d.x, d.y, {.verbose = 0, .validation_data = ValidationData<float>{bad_vx, d.y}}),
      Catch::Contains("expected dense_1_input to have shape (3,) but got array with shape (4,)"));
  xt::xtensor<float, 2> x_short = xt::zeros<float>({39, 3});
  CHECK_THROWS_WITH(m.fit(x_short, d.y, {.verbose = 0}),
                    Catch::Contains("Found 39 input samples and 40 target samples"));
  CHECK(flat_weights(m) == w0);
}
