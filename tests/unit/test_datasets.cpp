// The IDX reader on files written here (valid, truncated, corrupt, missing),
// Debian's Fashion-MNIST itself, and the digits CSV with its bad rows.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <zlib.h>

#include <catch2/catch.hpp>

#include <ketl/datasets/digits.hpp>
#include <ketl/datasets/fashion_mnist.hpp>

namespace fs = std::filesystem;
using namespace ketl;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("ketl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int c = 0;
    return c;
  }
};

std::vector<unsigned char> idx_bytes(std::vector<std::uint32_t> dims,
                                     const std::vector<unsigned char>& data) {
  std::vector<unsigned char> b{0, 0, 0x08, static_cast<unsigned char>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

void write_gz(const fs::path& p, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == int(bytes.size()));
  gzclose(f);
}

// A tiny Fashion-MNIST layout: 3 train and 2 test images of 2x2.
void write_split(const fs::path& dir, const std::string& prefix, std::uint32_t n) {
  std::vector<unsigned char> px(n * 4), labels(n);
  for (std::uint32_t i = 0; i < n * 4; ++i) px[i] = static_cast<unsigned char>(i * 10);
  for (std::uint32_t i = 0; i < n; ++i) labels[i] = static_cast<unsigned char>(i + 3);
  write_gz(dir / (prefix + "-images-idx3-ubyte.gz"), idx_bytes({n, 2, 2}, px));
  write_gz(dir / (prefix + "-labels-idx1-ubyte.gz"), idx_bytes({n}, labels));
}
}  // namespace

TEST_CASE("fashion_mnist::load_data reads gzipped IDX files from a given directory", "[datasets]") {
  TempDir d;
  write_split(d.path, "train", 3);
  write_split(d.path, "t10k", 2);
  auto [train, test] = datasets::fashion_mnist::load_data(d.path.string());
  auto& [x_train, y_train] = train;
  CHECK(x_train.shape() == std::array<std::size_t, 3>{3, 2, 2});
  CHECK(y_train.shape()[0] == 3);
  CHECK(x_train(1, 0, 1) == 50);  // image 1, row 0, column 1 is byte 5 of the pixels
  CHECK(y_train(2) == 5);
  CHECK(test.x.shape()[0] == 2);
  CHECK(test.y(0) == 3);
}

TEST_CASE("a missing, truncated or corrupt IDX file gives a clear io_error", "[datasets][errors]") {
  TempDir d;
  write_split(d.path, "t10k", 2);
  SECTION("missing") {
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data(d.path.string()), io_error);
    CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(d.path.string()),
                      Catch::Matchers::Contains("cannot open") &&
                          Catch::Matchers::Contains("train-images-idx3-ubyte.gz"));
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data("/nonexistent/ketl"), io_error);
  }
  SECTION("truncated") {
    write_split(d.path, "train", 3);
    auto bytes = idx_bytes({3, 2, 2}, std::vector<unsigned char>(7));  // 12 pixels promised
    write_gz(d.path / "train-images-idx3-ubyte.gz", bytes);
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data(d.path.string()), io_error);
    CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(d.path.string()),
                      Catch::Matchers::Contains("truncated"));
  }
  SECTION("not an IDX file") {
    write_split(d.path, "train", 3);
    write_gz(d.path / "train-labels-idx1-ubyte.gz", {'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data(d.path.string()), io_error);
    CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(d.path.string()),
                      Catch::Matchers::Contains("bad magic"));
  }
  SECTION("corrupt gzip data") {
    write_split(d.path, "train", 3);
    const auto p = d.path / "train-images-idx3-ubyte.gz";
    std::vector<char> raw(fs::file_size(p));
    std::ifstream(p, std::ios::binary).read(raw.data(), std::streamsize(raw.size()));
    for (std::size_t i = 12; i < raw.size() - 8; ++i)
      raw[i] = char(raw[i] ^ 0x5A);  // scramble the deflate body
    std::ofstream(p, std::ios::binary).write(raw.data(), std::streamsize(raw.size()));
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data(d.path.string()), io_error);
  }
  SECTION("images and labels that disagree in count") {
    write_split(d.path, "train", 3);
    write_gz(d.path / "train-labels-idx1-ubyte.gz", idx_bytes({2}, {1, 2}));
    CHECK_THROWS_AS(datasets::fashion_mnist::load_data(d.path.string()), io_error);
    CHECK_THROWS_WITH(datasets::fashion_mnist::load_data(d.path.string()),
                      Catch::Matchers::Contains("3 images but 2 labels"));
  }
}

TEST_CASE("Debian's Fashion-MNIST: 60,000 + 10,000 28x28 images, 6,000 + 1,000 of each class",
          "[datasets][fashion_mnist]") {
  const auto [train, test] = datasets::fashion_mnist::load_data();
  CHECK(train.x.shape() == std::array<std::size_t, 3>{60000, 28, 28});
  CHECK(test.x.shape() == std::array<std::size_t, 3>{10000, 28, 28});
  std::array<int, 10> train_counts{}, test_counts{};
  for (auto l : train.y) ++train_counts[l];
  for (auto l : test.y) ++test_counts[l];
  for (int c = 0; c < 10; ++c) {
    CHECK(train_counts[static_cast<std::size_t>(c)] == 6000);
    CHECK(test_counts[static_cast<std::size_t>(c)] == 1000);
  }
  CHECK(test.y(0) == 9);  // the first test image is an ankle boot
}

TEST_CASE("the digits CSV: 1,797 rows of 64 pixels in 0..16 and a label", "[datasets][digits]") {
  const auto d = datasets::digits::load_csv(KETL_TEST_DATA_DIR "/digits.csv");
  CHECK(d.x.shape() == std::array<std::size_t, 2>{1797, 64});
  CHECK(d.y.size() == 1797);
  CHECK(d.y(0) == 0);
  CHECK(d.x(0, 2) == 5.0f);
  CHECK(d.x(0, 3) == 13.0f);
  CHECK(*std::max_element(d.x.begin(), d.x.end()) == 16.0f);
  std::array<int, 10> counts{};
  for (auto l : d.y) ++counts[l];
  // scikit-learn's digits class sizes.
  CHECK(counts == std::array<int, 10>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});
}

TEST_CASE("a bad digits CSV names the file, the line and the fault", "[datasets][digits][errors]") {
  TempDir d;
  const auto p = d.path / "bad.csv";
  std::string good_row;
  for (int i = 0; i < 64; ++i) good_row += "1,";
  SECTION("too few columns") {
    std::ofstream(p) << good_row << "3\n1,2,3\n";
    CHECK_THROWS_AS(datasets::digits::load_csv(p.string()), io_error);
    CHECK_THROWS_WITH(datasets::digits::load_csv(p.string()),
                      Catch::Matchers::Contains(":2: expected 65 columns, got 3"));
  }
  SECTION("not a number") {
    std::ofstream(p) << good_row << "x\n";
    CHECK_THROWS_AS(datasets::digits::load_csv(p.string()), io_error);
    CHECK_THROWS_WITH(datasets::digits::load_csv(p.string()),
                      Catch::Matchers::Contains("'x' is not a number"));
  }
  SECTION("a label outside 0..9") {
    std::ofstream(p) << good_row << "12\n";
    CHECK_THROWS_AS(datasets::digits::load_csv(p.string()), io_error);
    CHECK_THROWS_WITH(datasets::digits::load_csv(p.string()), Catch::Matchers::Contains("label"));
  }
  SECTION("missing or empty") {
    CHECK_THROWS_AS(datasets::digits::load_csv((d.path / "none.csv").string()), io_error);
    std::ofstream(p) << "";
    CHECK_THROWS_AS(datasets::digits::load_csv(p.string()), io_error);
  }
}
