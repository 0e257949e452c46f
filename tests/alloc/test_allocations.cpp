// After the first batch, a training step allocates nothing on the heap.
//
// The global operator new is replaced by one that counts. fit() on 2 and on
// 20 batches then allocates the same number of times: its setup (the index
// array, History) is paid once per call, and the steps add nothing. A step
// that allocated once would add 18 to the second count. The same holds for
// evaluate(), and with shuffling, dropout, class weights, Adam and metrics
// of every kind (SIMD, batch-wise, named at run time).
//
// Its own program, because replacing operator new is program-wide.
#include <unistd.h>

#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <malloc.h>

#include <catch2/catch.hpp>

#include <ketl/detail/idx.hpp>
#include <ketl/ketl.hpp>

namespace {
std::atomic<long> g_allocations{0};
// Live heap bytes and their peak, for the readers' memory bounds.
std::atomic<long> g_live{0}, g_peak{0};
void* counted(void* p) {
  if (p) {
    const long now = g_live += long(malloc_usable_size(p));
    long peak = g_peak.load();
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
  }
  return p;
}
void release(void* p) {
  if (p) g_live -= long(malloc_usable_size(p));
  std::free(p);
}
}  // namespace

// These operators pair malloc with free by design; GCC cannot see that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = counted(std::malloc(n ? n : 1))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = counted(std::aligned_alloc(align, (n + align - 1) / align * align))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
// The nothrow forms too (Catch2 uses them): every new in the program must
// pair with these deletes, or ASan reports a mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return counted(std::malloc(n ? n : 1));
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  ++g_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  return counted(std::aligned_alloc(align, (n + align - 1) / align * align));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept {
  return operator new(n, a, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }

using namespace ketl;

namespace {
template <class F>
long allocations_of(F&& f) {
  const long before = g_allocations.load();
  f();
  return g_allocations.load() - before;
}

struct Data {
  xt::xtensor<float, 2> x, y;
  explicit Data(std::size_t n)
      : x(xt::zeros<float>({n, std::size_t{20}})), y(xt::zeros<float>({n, std::size_t{4}})) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < 20; ++j) x(i, j) = float((i * 31 + j * 7) % 13) / 13;
      y(i, i % 4) = 1;
    }
  }
};
}  // namespace

TEST_CASE("the counting operator new counts", "[allocations]") {
  static int* volatile sink = nullptr;  // volatile: the pair cannot be optimised away
  CHECK(allocations_of([] {
          sink = new int(3);
          delete sink;
        }) == 1);
  CHECK(allocations_of([] { std::vector<float> v(100); }) == 1);
}

TEST_CASE("a training step allocates nothing after the first batch", "[allocations]") {
  const Data small(64), large(640);  // 2 and 20 batches of 32
  auto model = Sequential{Input<20>{}, Dense<32, Relu>{}, Dropout{0.25f}, Dense<16, Tanh>{},
                          Dense<4, Softmax>{}};
  const std::map<int, double> class_weight{{0, 1.0}, {1, 2.0}, {2, 0.5}, {3, 1.0}};

  SECTION("SGD, SIMD metrics, shuffled") {
    model.compile(optimizers::SGD{.lr = 0.01f, .momentum = 0.9f}, losses::categorical_crossentropy,
                  metrics::accuracy, metrics::top_k_categorical_accuracy);
  }
  SECTION("Adam, a batch-wise metric and one named at run time, class weights") {
    model.compile(optimizers::Adam{}, losses::categorical_crossentropy, metrics::precision,
                  metrics::get("mae"), ketl::weighted_metrics(metrics::accuracy));
  }
  auto fit = [&](const Data& d) {
    model.fit(d.x, d.y,
              {.batch_size = 32, .epochs = 1, .verbose = 0, .class_weight = class_weight});
  };
  fit(large);  // buffers and optimizer slots reach their size
  const long a = allocations_of([&] { fit(small); });
  const long b = allocations_of([&] { fit(large); });
  INFO("fit on 2 batches: " << a << " allocations; on 20: " << b);
  CHECK(b == a);

  auto evaluate = [&](const Data& d) {
    model.evaluate(d.x, d.y, {.batch_size = 32, .verbose = 0});
  };
  evaluate(large);
  const long e2 = allocations_of([&] { evaluate(small); });
  const long e20 = allocations_of([&] { evaluate(large); });
  INFO("evaluate on 2 batches: " << e2 << " allocations; on 20: " << e20);
  CHECK(e20 == e2);
}

namespace {
// The heap's growth at its peak while f runs, in bytes.
template <class F>
long peak_growth(F&& f) {
  const long base = g_live.load();
  g_peak = base;
  f();
  return g_peak.load() - base;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

std::string idx_header(std::initializer_list<std::uint32_t> dims) {
  std::string b{0, 0, 0x08, char(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(char((d >> s) & 0xff));
  return b;
}
}  // namespace

TEST_CASE("a functional model's training step allocates nothing after the first batch",
          "[allocations][functional]") {
  const Data small(64), large(640);
  auto in = Input<20>{};
  auto h = Dense<32, Relu>{}(in);
  auto shared_dense = shared(Dense<16, Tanh>{});
  auto merged = Concatenate{}(shared_dense(h), Dropout{0.25f}(shared_dense(Dense<32>{}(in))));
  auto main_out = Dense<4, Softmax>{}(Add{}(merged, Dense<32>{}(h)));
  auto aux_out = Dense<1>{}(h);
  auto model = Model{inputs(in), outputs(main_out, aux_out)};
  model.compile(optimizers::Adam{}, per_output(losses::categorical_crossentropy, losses::mse),
                metrics::accuracy, loss_weights(1.0, 0.5));
  xt::xtensor<float, 2> aux_small = xt::zeros<float>({64, 1}),
                        aux_large = xt::zeros<float>({640, 1});
  auto fit = [&](const Data& d, const xt::xtensor<float, 2>& aux) {
    model.fit(d.x, std::tie(d.y, aux), {.batch_size = 32, .epochs = 1, .verbose = 0});
  };
  fit(large, aux_large);
  const long a = allocations_of([&] { fit(small, aux_small); });
  const long b = allocations_of([&] { fit(large, aux_large); });
  INFO("fit on 2 batches: " << a << " allocations; on 20: " << b);
  CHECK(b == a);
}

TEST_CASE("hostile file headers: a fast io_error, the heap never grows by 50 MB",
          "[allocations][robustness]") {
  const std::string dir = "/tmp/ketl_alloc_" + std::to_string(::getpid());
  std::system(("mkdir -p " + dir).c_str());
  constexpr long limit = 50L << 20;
  auto refused = [&](const std::string& name, auto&& read) {
    INFO(name);
    const auto t0 = std::chrono::steady_clock::now();
    const long grew = peak_growth([&] { CHECK_THROWS_AS(read(), ketl::io_error); });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO("peak growth " << grew << " bytes, " << seconds << " s");
    CHECK(grew < limit);
    CHECK(seconds < 5.0);  // generous: it is a header check, microseconds in fact
  };
  // A 38-byte IDX file whose header asks for 16.8 GB.
  write_file(dir + "/a", idx_header({60000000u, 28u, 10u}) + std::string(22, '\1'));
  refused("16.8 GB from 38 bytes", [&] { return ketl::detail::read_idx_u8(dir + "/a", 3); });
  // 10^6 images claimed by a small gzipped file.
  {
    gzFile f = gzopen((dir + "/b.gz").c_str(), "wb");
    const std::string b = idx_header({1000000u, 28u, 28u}) + std::string(4096, '\7');
    gzwrite(f, b.data(), unsigned(b.size()));
    gzclose(f);
  }
  refused("10^6 images, gzipped", [&] { return ketl::detail::read_idx_u8(dir + "/b.gz", 3); });
  // 2^32 - 1 images, and dimensions whose product overflows.
  write_file(dir + "/c", idx_header({0xffffffffu, 28u, 28u}) + std::string(64, '\1'));
  refused("2^32 - 1 images", [&] { return ketl::detail::read_idx_u8(dir + "/c", 3); });
  write_file(dir + "/d", idx_header({4u, 0x80000000u, 0x80000000u}));
  refused("a product of 2^64", [&] { return ketl::detail::read_idx_u8(dir + "/d", 3); });
  // An .npz entry that claims 4 GiB inflated from a few hundred bytes.
  {
    auto m = Sequential{Input<4>{}, Dense<3>{}};
    m.save_weights(dir + "/w.npz");
    std::FILE* f = std::fopen((dir + "/w.npz").c_str(), "rb");
    std::string z(4096, '\0');
    z.resize(std::fread(z.data(), 1, z.size(), f));
    std::fclose(f);
    const std::size_t cd = z.rfind(std::string("\x50\x4b\x01\x02", 4));
    z[cd + 10] = 8;  // deflate
    for (int i = 0; i < 4; ++i) z[cd + 24 + std::size_t(i)] = char(0xff - (i == 0));
    write_file(dir + "/w.npz", z);
    refused("4 GiB from an .npz of " + std::to_string(z.size()) + " bytes",
            [&] { return ketl::io::load_npz(dir + "/w.npz"); });
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("a convnet's training step allocates nothing after the first batch",
          "[allocations][spatial]") {
  const Data small(64), large(640);
  auto model = Sequential{Input<20>{},
                          Reshape<5, 4, 1>{},
                          ZeroPadding2D<>{},
                          Conv2D<8, conv2d{.kernel = {3, 3}, .padding = same}, Relu>{},
                          BatchNormalization<>{},
                          MaxPooling2D<>{},
                          SpatialDropout2D{0.2f},
                          Conv2D<6, conv2d{.kernel = {2, 2}}, Tanh>{},
                          GlobalAveragePooling2D{},
                          Dense<4, Softmax>{}};
  model.compile(optimizers::Adam{}, losses::categorical_crossentropy, metrics::accuracy);
  auto fit = [&](const Data& d) {
    model.fit(d.x, d.y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  };
  fit(large);
  const long a = allocations_of([&] { fit(small); });
  const long b = allocations_of([&] { fit(large); });
  INFO("fit on 2 batches: " << a << " allocations; on 20: " << b);
  CHECK(b == a);
}
