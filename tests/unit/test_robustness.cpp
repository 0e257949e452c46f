// Hostile and broken input (issue 13): non-finite batches never reach the
// weights unannounced; hyperparameters are validated; readers never trust a
// size in a file; every failure is a ketl::error; saves are durable.
// Peak-memory checks of the readers are in tests/alloc, whose operator new counts.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <zlib.h>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

namespace fs = std::filesystem;
using namespace ketl;
using Catch::Matchers::Contains;

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("ketl_robust_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

template <class Model>
std::vector<std::vector<float>> snapshot(const Model& m) {
  std::vector<std::vector<float>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}

struct Data {
  xt::xtensor<float, 2> x = xt::zeros<float>({12, 4});
  xt::xtensor<float, 2> y = xt::zeros<float>({12, 3});
  Data() {
    for (std::size_t i = 0; i < 12; ++i) {
      for (std::size_t j = 0; j < 4; ++j) x(i, j) = float((i * 7 + j * 3) % 5) / 5.0f;
      y(i, i % 3) = 1.0f;
    }
  }
};

auto small_model() { return Sequential{Input<4>{}, Dense<8, Relu>{}, Dense<3, Softmax>{}}; }

// An .npz holding the given .npy files (name -> bytes), stored.
std::string npz_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string zip, central;
  for (const auto& file : files) {
    const std::string& name = file.first;  // not structured bindings: clang 14 cannot capture them
    const std::string& body = file.second;
    const auto crc =
        std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
    const auto offset = std::uint32_t(zip.size());
    auto common = [&](std::string& s) {
      io::detail::put16(s, 20);
      io::detail::put16(s, 0);
      io::detail::put16(s, 0);
      io::detail::put16(s, 0);
      io::detail::put16(s, 33);
      io::detail::put32(s, crc);
      io::detail::put32(s, std::uint32_t(body.size()));
      io::detail::put32(s, std::uint32_t(body.size()));
      io::detail::put16(s, std::uint16_t(name.size()));
      io::detail::put16(s, 0);
    };
    io::detail::put32(zip, 0x04034b50);
    common(zip);
    zip += name + body;
    io::detail::put32(central, 0x02014b50);
    io::detail::put16(central, 20);
    common(central);
    for (int i = 0; i < 3; ++i) io::detail::put16(central, 0);  // comment, disk, internal
    io::detail::put32(central, 0);
    io::detail::put32(central, offset);
    central += name;
  }
  const auto cd = std::uint32_t(zip.size());
  zip += central;
  io::detail::put32(zip, 0x06054b50);
  io::detail::put32(zip, 0);
  io::detail::put16(zip, std::uint16_t(files.size()));
  io::detail::put16(zip, std::uint16_t(files.size()));
  io::detail::put32(zip, std::uint32_t(central.size()));
  io::detail::put32(zip, cd);
  io::detail::put16(zip, 0);
  return zip;
}

// An .npy file with this header text (padded as numpy pads it) and data.
std::string npy_of(const std::string& header, const std::string& data) {
  std::string h = header;
  while ((10 + h.size() + 1) % 64 != 0) h.push_back(' ');
  h.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  io::detail::put16(out, std::uint16_t(h.size()));
  return out + h + data;
}
}  // namespace

TEST_CASE("a NaN in one x row: the loss is NaN, TerminateOnNaN stops, no update is made",
          "[robustness][numerics]") {
  for (float bad : {nan_f, inf_f, -inf_f}) {
    Data d;
    d.x(7, 2) = bad;  // the 4th batch of 2 when nothing is shuffled
    auto m = small_model();
    m.compile(optimizers::SGD{.lr = 0.1f}, losses::categorical_crossentropy, metrics::accuracy);
    std::vector<std::vector<float>> before_bad_batch;
    callbacks::LambdaCallback keep{.on_batch_begin_fn = [&](int batch, Logs&) {
      if (batch == 3) before_bad_batch = snapshot(m);
    }};
    callbacks::TerminateOnNaN stop;
    std::ostringstream out;
    callbacks::ProgbarLogger to_string{.out = &out};
    const History h = m.fit(d.x, d.y,
                            {.batch_size = 2,
                             .epochs = 3,
                             .verbose = 0,
                             .callbacks = {keep, stop, to_string},
                             .shuffle = false});
    INFO("bad value " << bad);
    REQUIRE(h.history.at("loss").size() == 1);  // stopped in the first epoch
    CHECK(std::isnan(h.history.at("loss")[0]));
    CHECK(std::isnan(h.history.at("acc")[0]));
    CHECK_THAT(out.str(), Contains("Batch 3: Invalid loss, terminating training"));
    REQUIRE(!before_bad_batch.empty());
    CHECK(snapshot(m) == before_bad_batch);
    for (const auto& w : snapshot(m))
      for (float v : w) CHECK(std::isfinite(v));
  }
}

TEST_CASE("a NaN batch, shuffled: the check fused with the gather finds it",
          "[robustness][numerics]") {
  Data d;
  d.x(5, 0) = nan_f;
  auto m = small_model();
  m.compile(optimizers::Adam{}, losses::categorical_crossentropy);
  int nan_batches = 0;
  callbacks::LambdaCallback count{
      .on_batch_end_fn = [&](int, Logs& logs) { nan_batches += std::isnan(logs.at("loss")); }};
  const History h =
      m.fit(d.x, d.y, {.batch_size = 4, .epochs = 4, .verbose = 0, .callbacks = {count}});
  CHECK(nan_batches == 4);  // one batch an epoch holds row 5
  for (double l : h.history.at("loss")) CHECK(std::isnan(l));
  for (const auto& w : snapshot(m))
    for (float v : w) CHECK(std::isfinite(v));
  // The other two batches of each epoch trained.
  CHECK(m.iterations() == 4 * 2);
}

TEST_CASE("train_on_batch and fit_generator refuse a non-finite batch without an update",
          "[robustness][numerics]") {
  Data d;
  auto m = small_model();
  m.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy);
  const auto before = snapshot(m);
  xt::xtensor<float, 2> x = d.x;
  x(0, 0) = inf_f;
  const auto v = m.train_on_batch(x, d.y);
  CHECK(std::isnan(v[0]));
  CHECK(std::isnan(v[1]));
  CHECK(snapshot(m) == before);
  CHECK(m.iterations() == 0);

  std::vector<std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>> seq{{x, d.y}};
  callbacks::TerminateOnNaN stop;
  std::ostringstream sink;
  callbacks::ProgbarLogger quiet{.out = &sink};
  const History h = m.fit_generator(seq, {.epochs = 5, .verbose = 0, .callbacks = {stop, quiet}});
  CHECK(h.history.at("loss").size() == 1);
  CHECK(snapshot(m) == before);
}

TEST_CASE("check_numerics off: the forward pass runs on the NaN (metrics are computed)",
          "[robustness][numerics]") {
  Data d;
  d.x(0, 1) = nan_f;
  auto m = small_model();
  m.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy);
  CHECK(m.check_numerics());
  m.set_check_numerics(false);
  const auto before = snapshot(m);
  const auto v = m.train_on_batch(d.x, d.y);
  CHECK(std::isnan(v[0]));       // relu passes the NaN on, so the loss is NaN ...
  CHECK(!std::isnan(v[1]));      // ... but the accuracy of the forward pass is a number
  CHECK(snapshot(m) == before);  // and the NaN loss still made no update
}

TEST_CASE("a finite loss with an infinite gradient makes no update and reports NaN",
          "[robustness][numerics]") {
  // sqrt(|y_true - y_pred|) at a perfect prediction: the loss is 0, its
  // gradient 0.5 / sqrt(0) * 0 = NaN. Without the check the update would
  // turn every weight into NaN.
  auto loss = custom_loss("sqrt_abs", [](auto y_true, auto y_pred) {
    using namespace ketl::expr;
    return mean(sqrt(abs(y_true - y_pred)));
  });
  auto m = Sequential{Input<2>{}, Dense<1>{}};
  auto& dense = m.layer<1>();
  std::fill(dense.kernel().begin(), dense.kernel().end(), 0.0f);
  m.compile(optimizers::SGD{}, loss);
  xt::xtensor<float, 2> x = {{1.0f, 2.0f}};
  xt::xtensor<float, 2> y = {{0.0f}};
  const auto before = snapshot(m);
  const auto v = m.train_on_batch(x, y);
  CHECK(std::isnan(v[0]));
  CHECK(snapshot(m) == before);
  m.set_check_numerics(false);
  m.train_on_batch(x, y);
  CHECK(std::isnan(dense.kernel()[0]));  // what the check prevents
}

TEST_CASE("activations propagate NaN the same way in their SIMD body and scalar tail",
          "[robustness][activations]") {
  auto check = [](const auto& act, const char* name) {
    constexpr std::size_t n = 2 * detail::simd::width<float> + 3;  // SIMD body and a tail
    std::vector<float> z(n, nan_f), y(n), dz(n), dy(n, 1.0f);
    activate(act, z.data(), y.data(), 1, n);
    INFO(name);
    for (float v : y) CHECK(std::isnan(v));
    // The derivative, read from y, agrees between body and tail.
    activate_backward(act, y.data(), dy.data(), dz.data(), 1, n);
    for (std::size_t i = 1; i < n; ++i) CHECK(std::isnan(dz[i]) == std::isnan(dz[0]));
    // And +inf: the same value in every lane, body and tail.
    std::vector<float> zi(n, inf_f), yi(n);
    activate(act, zi.data(), yi.data(), 1, n);
    for (std::size_t i = 1; i < n; ++i)
      CHECK(((std::isnan(yi[i]) && std::isnan(yi[0])) || yi[i] == yi[0]));
  };
  check(Relu{}, "relu");
  check(HardSigmoid{}, "hard_sigmoid");
  check(Softplus{}, "softplus");
  check(Sigmoid{}, "sigmoid");
  check(Tanh{}, "tanh");
  check(Elu{}, "elu");
  check(Selu{}, "selu");
  check(LeakyReLU{}, "leaky_relu");
  check(Softsign{}, "softsign");
  check(Exponential{}, "exponential");
  check(Linear{}, "linear");
  check(Softmax{}, "softmax");
  // ketl's scalar max/min follow the SIMD instruction: NaN in either gives b.
  CHECK(std::isnan(detail::simd::max(0.0f, nan_f)));
  CHECK(detail::simd::max(nan_f, 0.0f) == 0.0f);
  CHECK(std::isnan(detail::simd::min(1.0f, nan_f)));
}

TEST_CASE("every hyperparameter is validated: finite, in range, the argument named",
          "[robustness][optimizers]") {
  auto rejects = [](auto opt, const char* arg) {
    INFO(arg);
    CHECK_THROWS_AS(opt.validate(), value_error);
    CHECK_THROWS_WITH(opt.validate(), Contains(std::string(arg) + " must be a finite number"));
  };
  for (float bad : {nan_f, inf_f, -1.0f}) {
    rejects(optimizers::SGD{.lr = bad}, "lr");
    rejects(optimizers::SGD{.decay = bad}, "decay");
    rejects(optimizers::SGD{.momentum = bad}, "momentum");
    rejects(optimizers::SGD{.clipnorm = bad}, "clipnorm");
    rejects(optimizers::SGD{.clipvalue = bad}, "clipvalue");
    rejects(optimizers::RMSprop{.rho = bad}, "rho");
    rejects(optimizers::RMSprop{.epsilon = bad}, "epsilon");
    rejects(optimizers::Adagrad{.epsilon = bad}, "epsilon");
    rejects(optimizers::Adadelta{.rho = bad}, "rho");
    rejects(optimizers::Adam{.beta_1 = bad}, "beta_1");
    rejects(optimizers::Adam{.beta_2 = bad}, "beta_2");
    rejects(optimizers::Adam{.epsilon = bad}, "epsilon");
    rejects(optimizers::Adamax{.beta_1 = bad}, "beta_1");
    rejects(optimizers::Nadam{.beta_2 = bad}, "beta_2");
    rejects(optimizers::Nadam{.schedule_decay = bad}, "schedule_decay");
  }
  rejects(optimizers::Adam{.beta_1 = 1.0f}, "beta_1");     // [0, 1)
  rejects(optimizers::SGD{.momentum = 1.5f}, "momentum");  // [0, 1], as tf.keras
  CHECK_NOTHROW(optimizers::SGD{.momentum = 1.0f}.validate());
  CHECK_THROWS_WITH(optimizers::Adam{.lr = inf_f}.validate(),
                    "ketl: adam: lr must be a finite number >= 0, got inf");

  auto m = small_model();
  m.compile("sgd", losses::categorical_crossentropy);
  CHECK_THROWS_AS(m.set_learning_rate(std::numeric_limits<double>::infinity()), value_error);
  CHECK_THROWS_AS(m.set_learning_rate(std::nan("")), value_error);
  CHECK(m.learning_rate() == Approx(0.01));
  // An optimizer that fails validation leaves the model as it was compiled.
  CHECK_THROWS_AS(m.compile(optimizers::Adam{.lr = inf_f}, losses::mse), value_error);
  CHECK(m.optimizer_name() == "sgd");
}

TEST_CASE("class_weight values must be finite and non-negative", "[robustness][weights]") {
  Data d;
  auto m = small_model();
  m.compile(optimizers::SGD{}, losses::categorical_crossentropy);
  const auto before = snapshot(m);
  for (double bad : {std::nan(""), -1.0, std::numeric_limits<double>::infinity()}) {
    INFO(bad);
    CHECK_THROWS_AS(m.fit(d.x, d.y, {.verbose = 0, .class_weight = {{0, 1.0}, {1, bad}, {2, 1.0}}}),
                    value_error);
    CHECK_THROWS_WITH(m.train_on_batch(d.x, d.y, {}, {{0, 1.0}, {1, bad}, {2, 1.0}}),
                      Contains("class_weight values must be finite and >= 0; class 1"));
  }
  CHECK(snapshot(m) == before);
}

TEST_CASE("the .npy header is parsed as a dict literal, not searched", "[robustness][npz]") {
  TempDir t;
  const std::string four_floats(16, '\0');
  auto load_with = [&](const std::string& header, const std::string& data = std::string(16, '\0')) {
    const auto p = t.path / "w.npz";
    write_bytes(p, npz_of({{"a.npy", npy_of(header, data)}}));
    return io::load_npz(p.string());
  };
  // A valid header loads.
  CHECK(load_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }").at("a").shape ==
        std::vector<std::size_t>{2, 2});
  // The dtype confusion: '<i4' in descr, '<f4' under another key.
  CHECK_THROWS_WITH(
      load_with("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), 'x': '<f4'}"),
      Contains("unexpected key 'x'"));
  CHECK_THROWS_WITH(load_with("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }"),
                    Contains("dtype '<i4' cannot be read"));
  CHECK_THROWS_WITH(load_with("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, -1), }"),
                    Contains("negative"));
  CHECK_THROWS_WITH(load_with("{'descr': '<f4', 'fortran_order': False, 'shape': (abc, 3), }"),
                    Contains("expected a non-negative integer"));
  CHECK_THROWS_WITH(
      load_with("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }"),
      Contains("overflows"));
  CHECK_THROWS_WITH(load_with("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"),
                    Contains("holds 16 bytes of data, but its shape needs 5 values"));
  CHECK_THROWS_WITH(load_with("{'descr': '<f4', 'shape': (4,), }"),
                    Contains("needs the keys descr, fortran_order and shape"));
  CHECK_THROWS_WITH(load_with("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }"),
                    Contains("Fortran-order"));
  // Every failure is an io_error that names the file and the array.
  CHECK_THROWS_AS(load_with("{'descr': '<f4' 'fortran_order': False, 'shape': (4,)}"), io_error);
  CHECK_THROWS_WITH(load_with("{'descr': 3}"), Contains("w.npz") && Contains("array 'a'"));
}

TEST_CASE("the .npz reader checks every size against the file before allocating",
          "[robustness][npz]") {
  TempDir t;
  const auto p = t.path / "w.npz";
  const std::string good =
      npz_of({{"a.npy", npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                               std::string(16, '\0'))}});
  SECTION("a deflated entry that claims 4 GiB from 828 bytes") {
    std::string z = good;
    // The central directory entry's method -> deflate, uncompressed size -> 4 GiB - 1.
    const std::size_t cd = z.rfind(std::string("\x50\x4b\x01\x02", 4));
    z[cd + 10] = 8;
    for (int i = 0; i < 4; ++i) z[cd + 24 + std::size_t(i)] = char(0xfe);
    write_bytes(p, z);
    CHECK_THROWS_WITH(io::load_npz(p.string()), Contains("beyond deflate's ratio"));
  }
  SECTION("truncated") {
    write_bytes(p, good.substr(0, good.size() / 2));
    CHECK_THROWS_WITH(io::load_npz(p.string()), Contains("truncated"));
  }
  SECTION("a directory offset past the end") {
    std::string z = good;
    z[z.size() - 3] = char(0x7f);  // the directory's offset, high byte
    write_bytes(p, z);
    CHECK_THROWS_WITH(io::load_npz(p.string()), Contains("outside the file"));
  }
  SECTION("not a zip at all, a directory, a missing file") {
    write_bytes(p, "hello, world, this is not a zip archive at all");
    CHECK_THROWS_WITH(io::load_npz(p.string()), Contains("not an .npz"));
    CHECK_THROWS_WITH(io::load_npz(t.path.string()), Contains("Is a directory"));
    CHECK_THROWS_WITH(io::load_npz((t.path / "none.npz").string()),
                      Contains("none.npz: No such file or directory"));
  }
  SECTION("a model's load_weights: a ketl::io_error, the weights unchanged") {
    auto m = small_model();
    const auto before = snapshot(m);
    write_bytes(p, good.substr(0, 40));
    CHECK_THROWS_AS(m.load_weights(p.string()), io_error);
    CHECK_THROWS_AS(m.load_weights(t.path.string()), io_error);
    CHECK(snapshot(m) == before);
  }
}

TEST_CASE("IDX headers that lie are refused before anything is allocated", "[robustness][idx]") {
  TempDir t;
  auto idx = [](std::vector<std::uint32_t> dims, std::size_t data_bytes) {
    std::string b{0, 0, 0x08, char(dims.size())};
    for (auto d : dims)
      for (int s = 24; s >= 0; s -= 8) b.push_back(char((d >> s) & 0xff));
    return b + std::string(data_bytes, '\x01');
  };
  const auto p = t.path / "x-idx3-ubyte";
  SECTION("plain: the header must match the file's length exactly") {
    write_bytes(p, idx({1000000, 28, 28}, 22));  // 38 bytes claiming 784 MB
    CHECK_THROWS_AS(detail::read_idx_u8(p.string(), 3), io_error);
    CHECK_THROWS_WITH(detail::read_idx_u8(p.string(), 3), Contains("cannot hold that many"));
    write_bytes(p, idx({2, 2, 2}, 9));
    CHECK_THROWS_WITH(detail::read_idx_u8(p.string(), 3), Contains("holds 9"));
  }
  SECTION("dimensions whose product overflows") {
    write_bytes(p, idx({4, 0x80000000u, 0x80000000u}, 0));  // 2^64: 0 modulo 2^64
    CHECK_THROWS_WITH(detail::read_idx_u8(p.string(), 3), Contains("overflow"));
    write_bytes(p, idx({0xffffffffu, 0xffffffffu, 0xffffffffu}, 0));
    CHECK_THROWS_AS(detail::read_idx_u8(p.string(), 3), io_error);
  }
  SECTION("gzipped: no more than deflate's ratio, and the data must end where it says") {
    const auto gz = t.path / "x-idx3-ubyte.gz";
    auto write_gz = [&](const std::string& bytes) {
      gzFile f = gzopen(gz.c_str(), "wb");
      gzwrite(f, bytes.data(), unsigned(bytes.size()));
      gzclose(f);
    };
    write_gz(idx({0xffffffffu, 1, 1}, 10));
    CHECK_THROWS_WITH(detail::read_idx_u8(gz.string(), 3), Contains("cannot hold that many"));
    write_gz(idx({100, 10, 10}, 5000));  // fits the ratio, but is truncated
    CHECK_THROWS_WITH(detail::read_idx_u8(gz.string(), 3), Contains("truncated"));
    write_gz(idx({2, 2, 2}, 9));
    CHECK_THROWS_WITH(detail::read_idx_u8(gz.string(), 3), Contains("more data than"));
    write_gz(idx({2, 2, 2}, 8));
    CHECK(detail::read_idx_u8(gz.string(), 3).data.size() == 8);
  }
}

TEST_CASE("the digits CSV parses each cell whole and checks its range", "[robustness][digits]") {
  std::string row;
  for (int i = 0; i < 63; ++i) row += "1,";
  auto parse = [&](const std::string& last_pixel, const std::string& label) {
    return datasets::digits::parse_csv(row + last_pixel + "," + label + "\n", "d.csv");
  };
  CHECK(parse("16", "9").y(0) == 9);
  CHECK_THROWS_WITH(parse("3junk", "1"), "ketl: d.csv:1: column 64: '3junk' is not a number");
  CHECK_THROWS_WITH(parse("nan", "1"), Contains("column 64: nan is not a pixel value in 0..16"));
  CHECK_THROWS_WITH(parse("inf", "1"), Contains("not a pixel value"));
  CHECK_THROWS_WITH(parse("17", "1"), Contains("column 64: 17 is not a pixel value in 0..16"));
  CHECK_THROWS_WITH(parse("-1", "1"), Contains("not a pixel value"));
  CHECK_THROWS_WITH(parse("1", "3.5"), Contains("column 65: 3.5 is not a label in 0..9"));
  CHECK_THROWS_WITH(parse("1", ""), Contains("column 65: '' is not a number"));
  CHECK_THROWS_WITH(parse("1", " 2"), Contains("is not a number"));
}

TEST_CASE("std:: exceptions become ketl::error at ketl's boundary", "[robustness][errors]") {
  SECTION("workers = SIZE_MAX") {
    Data d;
    auto m = small_model();
    m.compile(optimizers::SGD{}, losses::categorical_crossentropy);
    std::vector<std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>> seq{{d.x, d.y}};
    const auto before = snapshot(m);
    CHECK_THROWS_AS(
        m.fit_generator(seq, {.verbose = 0, .workers = std::numeric_limits<std::size_t>::max()}),
        resource_error);
    CHECK_THROWS_AS(
        m.fit_generator(seq,
                        {.verbose = 0, .max_queue_size = std::numeric_limits<std::size_t>::max()}),
        ketl::error);
    CHECK(snapshot(m) == before);
  }
  SECTION("to_categorical of a label of 1e12") {
    xt::xtensor<float, 1> y = {1.0f, 1e12f};
    CHECK_THROWS_AS(utils::to_categorical(y), ketl::error);
    try {
      utils::to_categorical(y);
    } catch (const ketl::error& e) {
      CHECK_THAT(e.what(), Contains("to_categorical"));
    }
  }
  SECTION("the original exception stays reachable as the cause") {
    try {
      detail::as_ketl_error("allocating", []() -> int { throw std::bad_alloc(); });
      FAIL("no exception");
    } catch (const resource_error& e) {
      CHECK_THAT(e.what(), Contains("allocating: out of memory"));
      CHECK_THROWS_AS(std::rethrow_if_nested(e), std::bad_alloc);
    }
  }
}

TEST_CASE("messages say which file, which data and why", "[robustness][errors]") {
  Data d;
  TempDir t;
  auto m = small_model();
  m.compile(optimizers::SGD{}, losses::categorical_crossentropy);
  SECTION("save_weights: the OS's reason and the file that failed") {
    const std::string p = (t.path / "no" / "such" / "dir" / "w.npz").string();
    CHECK_THROWS_AS(m.save_weights(p), io_error);
    CHECK_THROWS_WITH(m.save_weights(p), Contains("No such file or directory"));
    CHECK_THROWS_WITH(m.save_weights(t.path.string()), Contains("Is a directory"));
  }
  SECTION("validation data of the wrong shape says it was the validation data") {
    xt::xtensor<float, 2> vx = xt::zeros<float>({3, 5});
    CHECK_THROWS_WITH(
        m.fit(d.x, d.y, {.verbose = 0, .validation_data = ValidationData<float>{vx, d.y}}),
        "Error when checking input: expected dense_1_input to have shape (4,) but got array with "
        "shape (5,) (in fit's validation_data)");
  }
  SECTION("an empty generator batch is the generator's, not train_on_batch's") {
    std::vector<std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>> seq{
        {xt::zeros<float>({0, 4}), xt::zeros<float>({0, 3})}};
    CHECK_THROWS_WITH(m.fit_generator(seq, {.verbose = 0}),
                      Contains("fit_generator: the source gave an empty batch"));
    CHECK_THROWS_WITH(m.evaluate_generator(seq),
                      Contains("evaluate_generator: the source gave an empty"));
  }
}

TEST_CASE("saves keep permissions, write through symlinks and leave no temporary file",
          "[robustness][weights]") {
  TempDir t;
  auto m = small_model();
  const auto p = t.path / "w.npz";
  m.save_weights(p.string());
  ::chmod(p.c_str(), 0640);
  m.save_weights(p.string());
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);

  const auto target = t.path / "real.npz", link = t.path / "link.npz";
  m.save_weights(target.string());
  fs::create_symlink("real.npz", link);
  auto m2 = small_model();
  m2.save_weights(link.string());
  CHECK(fs::is_symlink(link));
  auto m3 = small_model();
  m3.load_weights(target.string());
  CHECK(snapshot(m3) == snapshot(m2));
  // A dangling link: the file it names is created.
  fs::create_symlink("later.npz", t.path / "dangling.npz");
  m.save_weights((t.path / "dangling.npz").string());
  CHECK(fs::is_regular_file(t.path / "later.npz"));

  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(t.path)) {
    CHECK(e.path().string().find("ketl-tmp") == std::string::npos);
    ++files;
  }
  CHECK(files == 5);
}
