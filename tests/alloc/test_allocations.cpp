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
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

namespace {
std::atomic<long> g_allocations{0};
}

// These operators pair malloc with free by design; GCC cannot see that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
// The nothrow forms too (Catch2 uses them): every new in the program must
// pair with these deletes, or ASan reports a mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  ++g_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  return std::aligned_alloc(align, (n + align - 1) / align * align);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept {
  return operator new(n, a, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

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
