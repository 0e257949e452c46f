// Dropout, Flatten, Reshape, Input and the initializers.
#include <cmath>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

TEST_CASE("Dropout is inverted dropout in training and the identity otherwise",
          "[layers][dropout]") {
  Dropout d{0.25f};
  constexpr std::size_t n = 4000;
  std::vector<double> x(n, 2.0), y(n), mask(n), dx(n), dy(n, 1.0);
  Random rng(123);
  Pass<double> train{true, &rng, mask.data()};
  d.forward<Shape<1000>>(x.data(), y.data(), 4, train);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE((y[i] == 0.0 || y[i] == Approx(2.0 / 0.75)));
    kept += y[i] != 0.0;
  }
  // 4000 Bernoulli(0.75) draws: mean 3000, sd 27; 5 sd either way.
  CHECK(kept > 2863);
  CHECK(kept < 3137);
  d.backward<Shape<1000>>(x.data(), y.data(), dy.data(), dx.data(), 4, train);
  for (std::size_t i = 0; i < n; ++i) CHECK(dx[i] == Approx(y[i] == 0.0 ? 0.0 : 1 / 0.75));

  Pass<double> infer{false, &rng, mask.data()};
  d.forward<Shape<1000>>(x.data(), y.data(), 4, infer);
  CHECK(std::all_of(y.begin(), y.end(), [](double v) { return v == 2.0; }));
}

TEST_CASE("Dropout masks are reproducible from a seed", "[layers][dropout][seed]") {
  Dropout d{0.5f};
  std::vector<float> x(64, 1.0f), y1(64), y2(64), m(64);
  Random r1(99), r2(99);
  Pass<float> p1{true, &r1, m.data()}, p2{true, &r2, m.data()};
  d.forward<Shape<64>>(x.data(), y1.data(), 1, p1);
  d.forward<Shape<64>>(x.data(), y2.data(), 1, p2);
  CHECK(y1 == y2);
}

TEST_CASE("Dropout rejects a rate outside [0, 1)", "[layers][dropout]") {
  CHECK_THROWS_AS(Dropout{1.0f}, value_error);
  CHECK_THROWS_AS(Dropout{-0.1f}, value_error);
  CHECK_THROWS_AS(Dropout{std::nanf("")}, value_error);
  CHECK_NOTHROW(Dropout{0.0f});
}

TEST_CASE("Flatten and Reshape move no data and pass gradients through", "[layers]") {
  std::vector<float> x(12), y(12), g(12), dx(12);
  for (std::size_t i = 0; i < 12; ++i) x[i] = float(i), g[i] = float(100 + i);
  Pass<float> p{};
  Flatten f;
  f.forward<Shape<2, 3>>(x.data(), y.data(), 2, p);
  CHECK(y == x);
  f.backward<Shape<2, 3>>(x.data(), y.data(), g.data(), dx.data(), 2, p);
  CHECK(dx == g);
  Reshape<3, 2> r;
  r.forward<Shape<6>>(x.data(), y.data(), 2, p);
  CHECK(y == x);
  STATIC_REQUIRE(std::is_same_v<Flatten::output_shape<Shape<2, 3, 4>>, Shape<24>>);
  STATIC_REQUIRE(std::is_same_v<Reshape<3, 2>::output_shape<Shape<6>>, Shape<3, 2>>);
  STATIC_REQUIRE(Reshape<3, 2>::accepts<Shape<2, 3>>);
  STATIC_REQUIRE_FALSE(Reshape<3, 2>::accepts<Shape<7>>);
}

namespace {
struct moments {
  double mean = 0, var = 0, lo = 1e300, hi = -1e300;
};
moments stats(const Initializer& init, std::size_t fan_in, std::size_t fan_out) {
  std::vector<double> w(fan_in * fan_out);
  Random rng(2024);
  init.fill(std::span<double>(w), fan_in, fan_out, rng);
  moments m;
  for (double v : w) m.mean += v, m.lo = std::min(m.lo, v), m.hi = std::max(m.hi, v);
  m.mean /= double(w.size());
  for (double v : w) m.var += (v - m.mean) * (v - m.mean);
  m.var /= double(w.size());
  return m;
}
}  // namespace

TEST_CASE("initializers follow Keras's VarianceScaling", "[initializers]") {
  const std::size_t fi = 300, fo = 200;  // 60,000 draws: sample sd within ~1% of the truth
  SECTION("glorot_uniform: U(-sqrt(6/(in+out)), +)") {
    const auto m = stats(initializers::glorot_uniform(), fi, fo);
    const double limit = std::sqrt(6.0 / (fi + fo));
    CHECK(m.lo >= -limit);
    CHECK(m.hi <= limit);
    CHECK(std::sqrt(m.var) == Approx(limit / std::sqrt(3.0)).epsilon(0.02));
  }
  SECTION("he_uniform and lecun_uniform use fan_in") {
    CHECK(stats(initializers::he_uniform(), fi, fo).hi <= std::sqrt(6.0 / fi));
    CHECK(std::sqrt(stats(initializers::he_uniform(), fi, fo).var) ==
          Approx(std::sqrt(2.0 / fi)).epsilon(0.02));
    CHECK(std::sqrt(stats(initializers::lecun_uniform(), fi, fo).var) ==
          Approx(std::sqrt(1.0 / fi)).epsilon(0.02));
  }
  SECTION(
      "the normal variants are truncated at two of Keras's stddev and have the target variance") {
    // stddev = sqrt(scale/n) / 0.8796..., truncated at 2 stddev: the result
    // has standard deviation sqrt(scale/n).
    const struct {
      Initializer init;
      double n;
      double scale;
    } cases[] = {{initializers::glorot_normal(), (fi + fo) / 2.0, 1},
                 {initializers::he_normal(), double(fi), 2},
                 {initializers::lecun_normal(), double(fi), 1}};
    for (const auto& c : cases) {
      const auto m = stats(c.init, fi, fo);
      const double target = std::sqrt(c.scale / c.n);
      const double bound = 2 * target / 0.87962566103423978;
      CHECK(m.lo >= -bound);
      CHECK(m.hi <= bound);
      CHECK(std::sqrt(m.var) == Approx(target).epsilon(0.02));
      CHECK(std::abs(m.mean) < 0.02 * target);
    }
  }
  SECTION("zeros, ones, constant") {
    CHECK(stats(initializers::zeros(), 3, 4).hi == 0.0);
    CHECK(stats(initializers::ones(), 3, 4).lo == 1.0);
    CHECK(stats(initializers::constant(0.25), 3, 4).mean == 0.25);
  }
  SECTION("by name, with the valid names listed on a typo") {
    CHECK(initializers::get("he_normal").mode() == Initializer::Mode::fan_in);
    CHECK_THROWS_WITH(initializers::get("glorot"), Catch::Contains("glorot_uniform"));
  }
}

TEST_CASE("Dense uses glorot_uniform and zeros by default, and takes other initializers",
          "[initializers][dense]") {
  auto model = Sequential{Input<50>{}, Dense<30>{}};
  const auto k = model.layer<1>().kernel();
  const double limit = std::sqrt(6.0 / 80);
  CHECK(*std::max_element(k.begin(), k.end()) <= limit);
  CHECK(*std::max_element(k.begin(), k.end()) > 0.9 * limit);
  const auto b = model.layer<1>().bias();
  CHECK(std::all_of(b.begin(), b.end(), [](float v) { return v == 0.0f; }));

  auto custom =
      Sequential{Input<4>{}, Dense<3, Relu>{{.kernel_initializer = initializers::ones(),
                                             .bias_initializer = initializers::constant(0.5)}}};
  const auto ck = custom.layer<1>().kernel();
  CHECK(std::all_of(ck.begin(), ck.end(), [](float v) { return v == 1.0f; }));
  CHECK(custom.layer<1>().bias()[2] == 0.5f);
}
