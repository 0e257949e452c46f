// Data-parallel training under `mpirun -np 2` (tests/meson.build runs it):
// two ranks with batch 16 each against one process with batch 32 on the
// same sample order, for SGD, Adam, Dropout, weights, local shards,
// validation, evaluate, predict and train_on_batch; a failure on one rank
// ending the call on both; a stop on one rank stopping both; rank 0's
// duties.
//
// The tolerance, 2e-6 relative (plus 1e-7 absolute): the two ranks' halves
// of a batch are summed apart and then added, so each gradient is the one
// process's with its row sums associated differently; float's rounding of
// that, about 6e-8 per sum, and a few dozen steps that carry it forward,
// stay well under it. A wrong share, a lost row or another sample order
// moves weights by 1e-3 or more.
#define CATCH_CONFIG_RUNNER
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/distributed.hpp>
#include <ketl/ketl.hpp>

using namespace ketl;

namespace {

int my_rank() { return distributed::rank(); }

xt::xtensor<float, 2> features(std::size_t n, std::uint64_t seed) {
  xt::xtensor<float, 2> x({n, 8});
  Random r(seed);
  for (auto& v : x) v = float(r.uniform(-1, 1));
  return x;
}
xt::xtensor<float, 2> one_hot(std::size_t n) {
  xt::xtensor<float, 2> y = xt::zeros<float>({n, std::size_t(3)});
  for (std::size_t i = 0; i < n; ++i) y(i, (i * 7 + i / 5) % 3) = 1;
  return y;
}

template <class M>
void same_weights(const M& a, const M& b) {
  const auto wa = a.get_weights(), wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) {
    INFO("weight " << i);
    REQUIRE(wa[i].shape() == wb[i].shape());
    for (std::size_t j = 0; j < wa[i].size(); ++j)
      REQUIRE(std::abs(wa[i].flat(j) - wb[i].flat(j)) <=
              1e-7 + 2e-6 * std::abs(double(wa[i].flat(j))));
  }
}
void same_history(const History& a, const History& b) {
  for (const auto& [name, values] : a.history) {
    INFO(name);
    REQUIRE(b.history.count(name));
    const auto& other = b.history.at(name);
    REQUIRE(values.size() == other.size());
    for (std::size_t e = 0; e < values.size(); ++e)
      REQUIRE(other[e] == Approx(values[e]).epsilon(1e-5).margin(1e-6));
  }
}
// The same value on every rank.
void same_on_all_ranks(double v) {
  double h[2] = {v, -v};
  distributed::world()->max(h, 2);
  REQUIRE(h[0] == -h[1]);
}
template <class M>
double weight_sum(const M& m) {
  double s = 0;
  for (const auto& w : m.get_weights()) s += double(xt::sum(w)());
  return s;
}

// Two models with one seed: the same weights and the same generator.
template <class Make>
auto twins(Make make) {
  utils::set_random_seed(1234);
  auto a = make();
  utils::set_random_seed(1234);
  auto b = make();
  return std::pair{std::move(a), std::move(b)};
}

auto mlp() { return Sequential{Input<8>{}, Dense<16, Relu>{}, Dense<3, Softmax>{}}; }
auto mlp_dropout() {
  return Sequential{Input<8>{},        Dense<16, Relu>{}, Dropout{0.3f},
                    Dense<12, Tanh>{}, Dropout{0.2f},     Dense<3, Softmax>{}};
}

}  // namespace

TEST_CASE("2 ranks of batch 16 train as 1 process of batch 32: SGD, shuffled, with validation") {
  REQUIRE(distributed::size() == 2);
  const auto x = features(100, 1), y = one_hot(100);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::SGD{.lr = 0.1, .momentum = 0.9}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{.lr = 0.1, .momentum = 0.9}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  // 100 rows, 20 held out: global batches of 32, 32, 16; ranks take halves.
  const auto h1 =
      one.fit(x, y, {.batch_size = 32, .epochs = 4, .verbose = 0, .validation_split = 0.2});
  const auto h2 =
      two.fit(x, y, {.batch_size = 16, .epochs = 4, .verbose = 0, .validation_split = 0.2});
  same_weights(one, two);
  same_history(h1, h2);
  REQUIRE(h2.history.count("val_loss"));
  REQUIRE(two.iterations() == one.iterations());
  same_on_all_ranks(weight_sum(two));
}

TEST_CASE("fit starts every rank from rank 0's weights and optimizer state") {
  const auto x = features(64, 16), y = one_hot(64);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::Adam{.lr = 0.01}, "categorical_crossentropy");
  two.compile(optimizers::Adam{.lr = 0.01}, "categorical_crossentropy",
              distributed::DataParallel());
  if (my_rank() == 1) {
    // Rank 1 takes another model's weights and Adam's state after a step
    // of its own: moments and iterations differ from rank 0's.
    auto other = mlp();
    other.compile(optimizers::Adam{.lr = 0.01}, "categorical_crossentropy");
    other.train_on_batch(x, y);
    two.set_weights(other.get_weights());
    auto& opt = *two.compilation().optimizer;
    opt.set_keras_weights(other.compilation().optimizer->keras_weights(), 1, "test: ");
    REQUIRE(two.iterations() == 1);
  }
  one.fit(x, y, {.batch_size = 32, .epochs = 2, .verbose = 0});
  two.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  same_weights(one, two);
  REQUIRE(two.iterations() == one.iterations());
  same_on_all_ranks(double(two.iterations()));
}

TEST_CASE("2 ranks train as 1 process: Adam, batch shuffle, a partial last batch") {
  const auto x = features(90, 2), y = one_hot(90);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::Adam{.lr = 0.01}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::Adam{.lr = 0.01}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  // 90 = 2 x 32 + 26: the last global batch is 13 + 13 rows.
  const auto h1 =
      one.fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 0, .shuffle = shuffle_batch});
  const auto h2 =
      two.fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0, .shuffle = shuffle_batch});
  same_weights(one, two);
  same_history(h1, h2);
}

TEST_CASE("2 ranks train as 1 process: Dropout draws the masks one process would") {
  const auto x = features(96, 3), y = one_hot(96);
  auto [one, two] = twins(mlp_dropout);
  one.compile(optimizers::SGD{.lr = 0.2}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{.lr = 0.2}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  const auto h1 = one.fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 0});
  const auto h2 = two.fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0});
  same_weights(one, two);
  same_history(h1, h2);
  same_on_all_ranks(weight_sum(two));
}

TEST_CASE("2 ranks train as 1 process: sample and class weights, zeros included") {
  const auto x = features(64, 4), y = one_hot(64);
  xt::xtensor<float, 1> sw = xt::ones<float>({std::size_t(64)});
  for (std::size_t i = 0; i < 64; i += 5) sw(i) = 0;  // uneven between the halves
  for (std::size_t i = 1; i < 64; i += 7) sw(i) = 3;
  auto [one, two] = twins(mlp);
  one.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  const ClassWeight cw{{0, 1.0}, {1, 2.0}, {2, 0.5}};
  const auto h1 = one.fit(x, y,
                          {.batch_size = 32,
                           .epochs = 3,
                           .verbose = 0,
                           .shuffle = false,
                           .class_weight = cw,
                           .sample_weight = sw});
  const auto h2 = two.fit(x, y,
                          {.batch_size = 16,
                           .epochs = 3,
                           .verbose = 0,
                           .shuffle = false,
                           .class_weight = cw,
                           .sample_weight = sw});
  same_weights(one, two);
  REQUIRE(h2.history.at("loss").back() == Approx(h1.history.at("loss").back()).epsilon(1e-5));
}

TEST_CASE("Shard::local: uneven shards end every epoch together, at the smallest shard's steps") {
  // Rank 0 holds 50 rows, rank 1 holds 70: ceil(50 / 16) = 4 steps an
  // epoch on both; rank 1's last 6 rows wait.
  const std::size_t n0 = 50, n1 = 70;
  const auto x0 = features(n0, 5), y0 = one_hot(n0);
  const auto x1 = features(n1, 6), y1 = one_hot(n1);
  // One process sees each global batch as rank 0's part, then rank 1's.
  std::vector<std::size_t> order0, order1;
  xt::xtensor<float, 2> xs({std::size_t(114), std::size_t(8)}),
      ys({std::size_t(114), std::size_t(3)});
  std::size_t row = 0;
  for (std::size_t b = 0; b < 4; ++b) {
    for (std::size_t i = b * 16; i < std::min(n0, b * 16 + 16); ++i, ++row)
      xt::row(xs, row) = xt::row(x0, i), xt::row(ys, row) = xt::row(y0, i);
    for (std::size_t i = b * 16; i < b * 16 + 16; ++i, ++row)
      xt::row(xs, row) = xt::row(x1, i), xt::row(ys, row) = xt::row(y1, i);
  }
  REQUIRE(row == 114);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel(Shard::local));
  int batches = 0;
  callbacks::LambdaCallback count{.on_batch_end_fn = [&](int, Logs&) { ++batches; }};
  const auto h1 = one.fit(xs, ys, {.batch_size = 32, .epochs = 2, .verbose = 0, .shuffle = false});
  const auto h2 = my_rank() == 0 ? two.fit(x0, y0,
                                           {.batch_size = 16,
                                            .epochs = 2,
                                            .verbose = 0,
                                            .callbacks = {count},
                                            .shuffle = false})
                                 : two.fit(x1, y1,
                                           {.batch_size = 16,
                                            .epochs = 2,
                                            .verbose = 0,
                                            .callbacks = {count},
                                            .shuffle = false});
  REQUIRE(batches == 8);
  same_on_all_ranks(batches);
  same_weights(one, two);
  same_history(h1, h2);
}

TEST_CASE("evaluate and predict split the rows and give every rank the whole result") {
  const auto x = features(75, 7), y = one_hot(75);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::SGD{}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  const auto e1 = one.evaluate(x, y, {.batch_size = 75});
  const auto e2 = two.evaluate(x, y, {.batch_size = 10});
  REQUIRE(e2.size() == e1.size());
  for (std::size_t k = 0; k < e1.size(); ++k) REQUIRE(e2[k] == Approx(e1[k]).epsilon(1e-6));
  const auto p1 = one.predict(x);
  const auto p2 = two.predict(x, {.batch_size = 8});
  REQUIRE(p2.shape() == p1.shape());
  REQUIRE(double(xt::amax(xt::abs(p1 - p2))()) < 1e-6);
}

TEST_CASE("train_on_batch: each rank's batch makes one global step") {
  const auto x = features(40, 8), y = one_hot(40);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::Adam{}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::Adam{}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  // Rank 0 gives rows [0, 15), rank 1 rows [15, 40): one batch of 40.
  const auto v1 = one.train_on_batch(x, y);
  const auto lo = my_rank() == 0 ? 0 : 15, hi = my_rank() == 0 ? 15 : 40;
  const xt::xtensor<float, 2> xr = xt::view(x, xt::range(lo, hi), xt::all());
  const xt::xtensor<float, 2> yr = xt::view(y, xt::range(lo, hi), xt::all());
  const auto v2 = two.train_on_batch(xr, yr);
  REQUIRE(v2[0] == Approx(v1[0]).epsilon(1e-6));
  REQUIRE(v2[1] == Approx(v1[1]).epsilon(1e-6));
  same_weights(one, two);
  const auto t1 = one.test_on_batch(x, y);
  const auto t2 = two.test_on_batch(xr, yr);
  REQUIRE(t2[0] == Approx(t1[0]).epsilon(1e-6));
}

TEST_CASE("BatchNormalization's moving statistics stay one model's on every rank") {
  const auto x = features(64, 9), y = one_hot(64);
  utils::set_random_seed(77);
  Sequential m{Input<8>{}, Dense<16>{}, BatchNormalization{}, Activation<Relu>{},
               Dense<3, Softmax>{}};
  m.compile(optimizers::SGD{.lr = 0.05}, "categorical_crossentropy", distributed::DataParallel());
  m.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  for (const auto& w : m.weights()) {
    double s = 0;
    for (float v : w.value) s += v;
    same_on_all_ranks(s);
  }
}

TEST_CASE("a callback that throws on rank 1 ends fit on both ranks, naming it") {
  const auto x = features(128, 10), y = one_hot(128);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel());
  callbacks::LambdaCallback bad{.on_batch_end_fn = [](int batch, Logs&) {
    if (my_rank() == 1 && batch == 2) throw std::runtime_error("the disk is full");
  }};
  const auto t0 = std::chrono::steady_clock::now();
  try {
    m.fit(x, y, {.batch_size = 8, .epochs = 5, .verbose = 0, .callbacks = {bad}});
    FAIL("fit returned");
  } catch (const distributed_error& e) {
    REQUIRE(e.rank == 1);
    REQUIRE(std::string(e.what()) == "ketl: rank 1 of 2 failed: the disk is full");
  }
  REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
  same_on_all_ranks(weight_sum(m));  // both stopped after the same step
  // The group is usable again.
  const auto h = m.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0});
  REQUIRE(h.history.at("loss").size() == 1);
}

TEST_CASE("a bad batch on one rank: both ranks get its error, and no weight changes") {
  const auto x = features(32, 11), y = one_hot(32);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel(Shard::local));
  const auto before = m.get_weights();
  // Rank 1's targets have 2 columns, not 3.
  const xt::xtensor<float, 2> y_bad = xt::zeros<float>({std::size_t(32), std::size_t(2)});
  try {
    m.fit(x, my_rank() == 1 ? y_bad : y, {.batch_size = 8, .epochs = 1, .verbose = 0});
    FAIL("fit returned");
  } catch (const distributed_error& e) {
    REQUIRE(e.rank == 1);
    REQUIRE_THAT(e.what(), Catch::Contains("ketl: rank 1 of 2 failed: ") &&
                               Catch::Contains("expected dense_") && Catch::Contains("(3,)"));
  }
  const auto after = m.get_weights();
  for (std::size_t i = 0; i < before.size(); ++i) REQUIRE(before[i] == after[i]);
}

TEST_CASE("a rank's stop (EarlyStopping, TerminateOnNaN, a callback) stops every rank") {
  const auto x = features(64, 12), y = one_hot(64);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel());
  ModelHandle* handle = nullptr;
  int seen = 0;
  callbacks::LambdaCallback stop{
      .on_batch_end_fn =
          [&](int batch, Logs&) {
            ++seen;
            if (my_rank() == 1 && batch == 1) handle->stop_training = true;
          },
  };
  struct keep_handle {
    ModelHandle** h;
    void set_model(ModelHandle& m) { *h = &m; }
  } keep{&handle};
  const auto h =
      m.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {keep, stop}});
  REQUIRE(seen == 2);  // batches 0 and 1 of the first epoch, on both ranks
  REQUIRE(h.history.at("loss").size() == 1);
  // EarlyStopping sees the same global loss on both ranks: one decision.
  callbacks::EarlyStopping early{.monitor = "loss", .min_delta = 10.0, .patience = 1};
  const auto h2 = m.fit(x, y, {.batch_size = 8, .epochs = 10, .verbose = 0, .callbacks = {early}});
  REQUIRE(h2.history.at("loss").size() == 2);
  same_on_all_ranks(double(h2.history.at("loss").back()));
}

namespace {
struct BatchesOnRank0 {
  static constexpr bool rank_zero_only = true;
  int seen = 0;
  void on_batch_end(int, Logs&) { ++seen; }
};
}  // namespace

TEST_CASE("rank 0 alone prints and writes files") {
  const auto x = features(32, 13), y = one_hot(32);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel());
  std::ostringstream out;
  callbacks::ProgbarLogger bar{.out = &out};
  const auto dir = std::filesystem::temp_directory_path() / "ketl_distributed_test";
  std::filesystem::create_directories(dir);
  const auto csv = dir / ("log_rank" + std::to_string(my_rank()) + ".csv");
  std::filesystem::remove(csv);
  callbacks::CSVLogger log{.filename = csv.string()};
  // A batch hook on rank 0 alone: the ranks still sync after the same batches.
  BatchesOnRank0 counter;
  m.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 1, .callbacks = {bar, log, counter}});
  REQUIRE(counter.seen == (my_rank() == 0 ? 4 : 0));
  if (my_rank() == 0) {
    REQUIRE_THAT(out.str(), Catch::Contains("Epoch 2/2") && Catch::Contains("32/32"));
    REQUIRE(std::filesystem::exists(csv));
  } else {
    REQUIRE(out.str().empty());
    REQUIRE_FALSE(std::filesystem::exists(csv));
  }
}

TEST_CASE("Shard::split refuses arrays that differ between the ranks") {
  const auto x = features(my_rank() == 0 ? 40 : 48, 14), y = one_hot(my_rank() == 0 ? 40 : 48);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel());
  REQUIRE_THROWS_WITH(
      m.fit(x, y, {.batch_size = 8, .verbose = 0}),
      Catch::Contains("needs the same arrays on every rank") && Catch::Contains("Shard::local"));
}

namespace {
// Batches of bs rows of (x, y), in order.
struct Rows {
  const xt::xtensor<float, 2>* x;
  const xt::xtensor<float, 2>* y;
  std::size_t bs;
  std::size_t size() const { return x->shape()[0] / bs; }
  std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>> operator[](std::size_t i) const {
    return {xt::view(*x, xt::range(i * bs, (i + 1) * bs), xt::all()),
            xt::view(*y, xt::range(i * bs, (i + 1) * bs), xt::all())};
  }
};
}  // namespace

TEST_CASE("fit_generator on a Sequence: each rank reads its share of the batches") {
  // 8 batches of 12 rows: rank 0 reads batches 0, 2, 4, 6 and rank 1 the
  // others, so step t is rows [24 t, 24 t + 24), one process's batch t of 24.
  const auto x = features(96, 15), y = one_hot(96);
  auto [one, two] = twins(mlp);
  one.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy");
  two.compile(optimizers::SGD{.lr = 0.1}, "categorical_crossentropy", "accuracy",
              distributed::DataParallel());
  const auto h1 =
      one.fit_generator(Rows{&x, &y, 24}, {.epochs = 2, .verbose = 0, .shuffle = false});
  const auto h2 =
      two.fit_generator(Rows{&x, &y, 12}, {.epochs = 2, .verbose = 0, .shuffle = false});
  same_weights(one, two);
  same_history(h1, h2);
  const auto e1 = one.evaluate_generator(Rows{&x, &y, 24}, {.verbose = 0});
  const auto e2 = two.evaluate_generator(Rows{&x, &y, 12}, {.verbose = 0});
  REQUIRE(e2[0] == Approx(e1[0]).epsilon(1e-6));
}

TEST_CASE("a generator that fails on one rank ends fit_generator on both") {
  const auto x = features(96, 18), y = one_hot(96);
  auto m = mlp();
  m.compile(optimizers::SGD{}, "categorical_crossentropy", distributed::DataParallel());
  // Rank 1's Sequence cannot read its third batch.
  struct Failing : Rows {
    std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>> operator[](std::size_t i) const {
      if (my_rank() == 1 && i == 5) throw std::runtime_error("batch 5: the file is truncated");
      return Rows::operator[](i);
    }
  };
  try {
    m.fit_generator(Failing{{&x, &y, 8}}, {.epochs = 1, .verbose = 0, .shuffle = false});
    FAIL("fit_generator returned");
  } catch (const distributed_error& e) {
    REQUIRE(e.rank == 1);
    REQUIRE(std::string(e.what()) == "ketl: rank 1 of 2 failed: batch 5: the file is truncated");
  }
  same_on_all_ranks(weight_sum(m));
}

int main(int argc, char** argv) {
  distributed::init(argc, argv);
  return Catch::Session().run(argc, argv);
}
