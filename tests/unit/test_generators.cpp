// fit_generator, evaluate_generator and predict_generator: the same results
// as fit / evaluate / predict on the same batches, in-order delivery from
// parallel workers, Keras's step counting and messages, and the faults:
// exceptions that reach the caller, finite generators that run out, early
// stops, and no thread left behind. Also built alone under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;
using Approx = Catch::Detail::Approx;

namespace {
using Item = std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>>;

// 50 samples, 3 features, 2 one-hot classes.
struct Data {
  xt::xtensor<float, 2> x = xt::zeros<float>({50, 3});
  xt::xtensor<float, 2> y = xt::zeros<float>({50, 2});
  Data() {
    for (std::size_t i = 0; i < 50; ++i) {
      x(i, 0) = std::sin(float(i));
      x(i, 1) = std::cos(float(3 * i));
      x(i, 2) = float(i % 5) / 5;
      y(i, (i % 3 == 0) ? 1 : 0) = 1;
    }
  }
};

// Batches of bs rows in order; the last one short. Records what was asked.
struct Batches {
  const Data* d;
  std::size_t bs = 8;
  std::chrono::microseconds delay{0};  // a slow operator[]
  mutable std::mutex m{};
  mutable std::vector<std::size_t> asked{};
  int epoch_ends = 0;
  std::size_t size() const { return (d->x.shape()[0] + bs - 1) / bs; }
  Item operator[](std::size_t i) const {
    {
      std::lock_guard lock(m);
      asked.push_back(i);
    }
    if (delay.count()) std::this_thread::sleep_for(delay * ((i * 7) % 3));  // out of order
    const std::size_t a = i * bs, b = std::min(a + bs, d->x.shape()[0]);
    return {xt::view(d->x, xt::range(a, b), xt::all()), xt::view(d->y, xt::range(a, b), xt::all())};
  }
  void on_epoch_end() { ++epoch_ends; }
};

void compile(auto& m) {
  m.compile(optimizers::SGD{.lr = 0.3f}, losses::categorical_crossentropy, metrics::accuracy);
}
auto make_model() {
  utils::set_random_seed(21);
  auto m = Sequential{Input<3>{}, Dense<5, Tanh>{}, Dense<2, Softmax>{}};
  compile(m);
  return m;
}
std::vector<float> flat_weights(const auto& m) {
  std::vector<float> out;
  for (const auto& w : m.get_weights()) out.insert(out.end(), w.begin(), w.end());
  return out;
}
// The process's thread count (Linux), to show that workers are joined.
int thread_count() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}
struct Redirect {
  std::ostream* os;
  void set_model(ModelHandle& h) { h.set_output(*os); }
};

// A single-pass input range of n items (not a Sequence: no size(), no []).
struct Finite {
  const Batches* b;
  std::size_t n;
  struct iterator {
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    const Finite* f = nullptr;
    std::size_t i = 0;
    Item operator*() const { return (*f->b)[i % f->b->size()]; }
    iterator& operator++() {
      ++i;
      return *this;
    }
    void operator++(int) { ++i; }
    bool operator==(std::default_sentinel_t) const { return i == f->n; }
  };
  iterator begin() const { return {this, 0}; }
  std::default_sentinel_t end() const { return {}; }
};
}  // namespace

static_assert(Sequence<Batches, float>);
static_assert(Generator<Finite, float>);
static_assert(TrainingSource<std::function<Item()>, float>);
static_assert(!TrainingSource<std::function<xt::xtensor<float, 2>()>, float>);  // x only: predict
static_assert(DataSource<std::function<xt::xtensor<float, 2>()>, float>);
// Arrays of any numeric element type are converted per batch, as Keras
// converts NumPy arrays (issue 15: uint8 images, int64 labels).
static_assert(
    DataSource<std::function<std::tuple<xt::xtensor<double, 2>, xt::xtensor<std::uint8_t, 1>>()>,
               float>);
static_assert(!DataSource<std::function<std::tuple<xt::xtensor<bool, 2>, xt::xtensor<float, 2>>()>,
                          float>);  // not numbers

TEST_CASE("fit_generator matches fit on the same batches (Sequence, workers 0 and 3)",
          "[generators]") {
  Data d;
  auto ref = make_model();
  auto seq0 = ref, seq3 = ref;  // the same weights; a copy is compiled anew
  compile(seq0);
  compile(seq3);
  const auto h = ref.fit(d.x, d.y, {.batch_size = 8, .epochs = 3, .verbose = 0, .shuffle = false});
  Batches b{&d};
  const auto h0 =
      seq0.fit_generator(b, {.epochs = 3, .verbose = 0, .workers = 0, .shuffle = false});
  b.delay = std::chrono::microseconds(200);
  const auto h3 =
      seq3.fit_generator(b, {.epochs = 3, .verbose = 0, .workers = 3, .shuffle = false});
  for (const char* k : {"loss", "acc"})
    for (std::size_t e = 0; e < 3; ++e) {
      CHECK(h0.history.at(k)[e] == Approx(h.history.at(k)[e]).epsilon(1e-6));
      CHECK(h3.history.at(k)[e] == Approx(h.history.at(k)[e]).epsilon(1e-6));
    }
  // Same batches in the same order: the same weights, bit for bit.
  CHECK(flat_weights(seq0) == flat_weights(ref));
  CHECK(flat_weights(seq3) == flat_weights(ref));
  CHECK(b.epoch_ends == 6);  // once per pass: 3 epochs of 7 steps, twice
}

TEST_CASE("a Sequence's batches arrive in order from parallel workers; shuffle permutes each pass",
          "[generators]") {
  Data d;
  auto m = make_model();
  Batches b{&d};
  b.delay = std::chrono::microseconds(300);
  const auto p = m.predict_generator(b, {.max_queue_size = 3, .workers = 4});
  CHECK((p == m.predict(d.x, {.batch_size = 8})));  // the same batches: bit for bit
  // evaluate_generator weighs batches by their sizes (the last one is 2 rows).
  const auto e = m.evaluate_generator(b, {.workers = 2});
  const auto want = m.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0});
  CHECK(e[0] == Approx(want[0]).epsilon(1e-6));
  CHECK(e[1] == Approx(want[1]).epsilon(1e-6));

  // shuffle: every pass asks for each batch once, in a new order.
  b.delay = {};
  b.asked.clear();
  m.fit_generator(b, {.epochs = 4, .verbose = 0, .workers = 0, .shuffle = true});
  REQUIRE(b.asked.size() == 28);
  std::vector<std::vector<std::size_t>> passes;
  for (std::size_t p0 = 0; p0 < 28; p0 += 7) {
    std::vector<std::size_t> pass(b.asked.begin() + std::ptrdiff_t(p0),
                                  b.asked.begin() + std::ptrdiff_t(p0 + 7));
    passes.push_back(pass);
    std::sort(pass.begin(), pass.end());
    CHECK(pass == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6});
  }
  CHECK((passes[0] != passes[1] || passes[1] != passes[2]));
}

TEST_CASE("generators: a callable, a finite range, x-only items; Keras's step counting",
          "[generators]") {
  Data d;
  Batches b{&d};
  auto m = make_model();
  std::size_t calls = 0;
  auto gen = [&] { return b[calls++ % b.size()]; };  // loops forever, as Keras's
  struct Sizes {
    std::vector<double> sizes = {};
    void on_batch_end(int, Logs& l) { sizes.push_back(l.at("size")); }
  } sizes;
  const auto h =
      m.fit_generator(gen, {.steps_per_epoch = 9, .epochs = 2, .verbose = 0, .callbacks = {sizes}});
  CHECK(h.epoch == std::vector<int>{0, 1});
  // BaseLogger: batch logs carry x's rows; epoch values are size-weighted.
  CHECK(sizes.sizes.size() == 18);
  CHECK(sizes.sizes[6] == 2);
  CHECK(calls >= 18);

  // The progress bar counts steps.
  std::ostringstream log;
  Redirect r{&log};
  m.fit_generator(gen, {.steps_per_epoch = 4, .epochs = 1, .verbose = 1, .callbacks = {r}});
  CHECK_THAT(log.str(), Catch::Contains("4/4 ["));

  // predict_generator takes x alone, and uses only x of (x, y) items.
  std::size_t k = 0;
  auto xs = [&] {
    const std::size_t a = (k++ % 7) * 8, e = std::min<std::size_t>(a + 8, 50);
    return xt::xtensor<float, 2>(xt::view(d.x, xt::range(a, e), xt::all()));
  };
  CHECK((m.predict_generator(xs, {.steps = 7, .workers = 2}) == m.predict(d.x, {.batch_size = 8})));

  // A finite range that runs out: the epoch ends, training stops, with a message.
  Finite f{&b, 10};
  std::ostringstream out;
  Redirect to{&out};
  const auto hf = m.fit_generator(
      f, {.steps_per_epoch = 4, .epochs = 5, .verbose = 0, .callbacks = {to}, .workers = 2});
  CHECK(hf.epoch == std::vector<int>{0, 1, 2});  // 4 + 4 + 2 batches
  CHECK_THAT(out.str(), Catch::Contains("the generator ended after 2 of the 4 steps of epoch 3"));
  Finite g{&b, 3};
  CHECK_THROWS_WITH(m.evaluate_generator(g, {.steps = 5}),
                    Catch::Contains("the generator ended after 3 of 5 steps"));
}

TEST_CASE("fit_generator's validation: arrays, a Sequence, a generator", "[generators]") {
  Data d;
  Batches b{&d};
  auto m = make_model();
  const auto h = m.fit_generator(b, {.epochs = 1, .verbose = 0, .validation_data = b});
  const auto v = m.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0});
  CHECK(h.history.at("val_loss")[0] == Approx(v[0]).epsilon(1e-6));
  const auto ha = m.fit_generator(
      b, {.epochs = 1, .verbose = 0, .validation_data = ValidationData<float>{d.x, d.y}});
  CHECK(ha.history.at("val_acc")[0] ==
        Approx(m.evaluate(d.x, d.y, {.verbose = 0})[1]).epsilon(1e-6));
  std::size_t calls = 0;
  auto gen = [&] { return b[calls++ % b.size()]; };
  const auto hg = m.fit_generator(
      b, {.epochs = 1, .verbose = 0, .validation_data = gen, .validation_steps = 7});
  CHECK(hg.history.at("val_loss")[0] ==
        Approx(m.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0})[0]).epsilon(1e-6));
  CHECK(calls == 7);
  // Keras's messages for missing steps.
  CHECK_THROWS_WITH(m.fit_generator(gen, {.verbose = 0}),
                    Catch::Contains("`steps_per_epoch=None` is only valid for a generator based "
                                    "on the `keras.utils.Sequence` class"));
  CHECK_THROWS_WITH(m.fit_generator(b, {.verbose = 0, .validation_data = gen}),
                    Catch::Contains("`validation_steps=None` is only valid"));
}

TEST_CASE("faults: an exception reaches the caller; workers are joined; early stops are prompt",
          "[generators][bad-input]") {
  Data d;
  Batches b{&d};
  auto m = make_model();
  const int threads_before = thread_count();
  for (std::size_t workers : {0u, 1u, 4u}) {
    INFO("workers " << workers);
    std::atomic<int> calls{0};
    auto bad = [&]() -> Item {
      if (++calls == 5) throw std::out_of_range("batch 5 is missing");
      return b[0];
    };
    CHECK_THROWS_AS(m.fit_generator(bad, {.steps_per_epoch = 3,
                                          .epochs = 4,
                                          .verbose = 0,
                                          .max_queue_size = 2,
                                          .workers = workers}),
                    std::out_of_range);
    // A Sequence that throws for one index, with later ones in flight.
    struct Throwing {
      const Batches* b;
      std::size_t size() const { return 7; }
      Item operator[](std::size_t i) const {
        if (i == 4) throw std::invalid_argument("bad index 4");
        return (*b)[i];
      }
    } t{&b};
    CHECK_THROWS_WITH(m.fit_generator(t, {.verbose = 0, .workers = workers, .shuffle = false}),
                      "bad index 4");
    CHECK_THROWS_AS(m.predict_generator(t, {.workers = workers}), std::invalid_argument);
  }
  CHECK(thread_count() == threads_before);

  // A callback's stop_training ends an endless generator's training at once.
  struct StopAt {
    int at;
    ModelHandle* model = nullptr;
    void set_model(ModelHandle& h) { model = &h; }
    void on_batch_end(int batch, Logs&) {
      if (batch == at) model->stop_training = true;
    }
  } stop{2};
  std::atomic<int> made{0};
  auto endless = [&] {
    ++made;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return b[1];
  };
  const auto h = m.fit_generator(endless, {.steps_per_epoch = 1000,
                                           .epochs = 3,
                                           .verbose = 0,
                                           .callbacks = {stop},
                                           .max_queue_size = 4,
                                           .workers = 2});
  CHECK(h.epoch.size() == 1);
  CHECK(made <= 3 + 4 + 2);  // the batches trained, the queue, one in each worker's hands
  CHECK(thread_count() == threads_before);

  // Batches that do not fit the model throw fit's errors, and change nothing.
  const auto before = flat_weights(m);
  auto wrong = [&] { return Item{xt::zeros<float>({4, 4}), xt::zeros<float>({4, 2})}; };
  CHECK_THROWS_WITH(m.fit_generator(wrong, {.steps_per_epoch = 2, .verbose = 0, .workers = 2}),
                    Catch::Contains("expected dense_1_input to have shape (3,) but got array with "
                                    "shape (4,)"));
  CHECK(flat_weights(m) == before);
  CHECK(thread_count() == threads_before);
}

TEST_CASE("a slow generator with max_queue_size 1 makes progress", "[generators]") {
  Data d;
  Batches b{&d};
  auto m = make_model();
  std::atomic<int> calls{0};
  auto slow = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return b[std::size_t(calls++) % 7];
  };
  const auto h = m.fit_generator(
      slow, {.steps_per_epoch = 10, .epochs = 2, .verbose = 0, .max_queue_size = 1, .workers = 3});
  CHECK(h.epoch.size() == 2);
  CHECK(calls >= 20);
  CHECK(calls <= 20 + 1 + 3);
}
