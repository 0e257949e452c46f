// The functional API's layers (issue 14): every merge layer's values and
// gradients, a residual block, a shared layer and a nested model, checked
// by finite differences through the network's forward and backward.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "functional_helpers.hpp"

using namespace ketl;
using Catch::Matchers::Contains;

using test::check_model_gradient;
using test::random_2d;

namespace {
// Two dense branches meeting in a merge layer, and a dense head: the
// head's and both branches' gradients go through the merge's backward.
template <class Merge, std::size_t A, std::size_t B, std::size_t U = 4, class... O>
void check_merge(Merge merge) {
  Random rng(11);
  auto x1 = Input<3>{};
  auto x2 = Input<5>{};
  auto a = Dense<A, Tanh, double>{}(x1);
  auto b = Dense<B, Tanh, double>{}(x2);
  auto m = merge(a, b);
  auto out = Dense<U, Linear, double>{}(Flatten{}(m));
  auto model = Model{inputs(x1, x2), outputs(out)};
  constexpr std::size_t n = 3;
  const auto v1 = test::random_vector(n * 3, rng), v2 = test::random_vector(n * 5, rng);
  check_model_gradient(model, n, rng, v1, v2);
}
}  // namespace

TEST_CASE("a residual block: Add of a Dense stack and its input", "[functional][gradient]") {
  auto x = Input<5>{};
  auto d1 = Dense<7, Tanh, double>{}(x);
  auto d2 = Dense<5, Linear, double>{}(d1);
  auto res = Add{}(x, d2);
  auto out = Dense<2, Sigmoid, double>{}(res);
  auto model = Model{x, out};
  Random rng(2);
  const auto xv = random_2d(4, 5, rng);
  // The forward pass is x + dense(dense(x)) through the head.
  const auto p = model.predict(xv);
  auto seq = Sequential{Input<5>{}, Dense<7, Tanh, double>{}, Dense<5, Linear, double>{}};
  auto ws = model.get_weights();
  seq.set_weights({ws[0], ws[1], ws[2], ws[3]});
  const auto inner = seq.predict(xv);
  const auto& head = ws[4];
  const auto& hb = ws[5];
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      double z = hb(j);
      for (std::size_t f = 0; f < 5; ++f) z += (xv(i, f) + inner(i, f)) * head(f, j);
      CHECK(p(i, j) == Approx(1 / (1 + std::exp(-z))).epsilon(1e-12));
    }
  const auto v = test::random_vector(4 * 5, rng);
  check_model_gradient(model, 4, rng, v);
}

TEST_CASE("a shared Dense on two inputs: one set of weights, gradients summed over both uses",
          "[functional][gradient]") {
  auto a = Input<4>{}, b = Input<4>{};
  auto enc = shared(Dense<3, Tanh, double>{});
  auto merged = Concatenate{}(enc(a), enc(b));
  auto out = Dense<2, Linear, double>{}(merged);
  auto model = Model{inputs(a, b), outputs(out)};
  CHECK(model.weights().size() == 4);
  CHECK(model.param_count() == (4 * 3 + 3) + (6 * 2 + 2));
  Random rng(8);
  const auto va = test::random_vector(3 * 4, rng), vb = test::random_vector(3 * 4, rng);
  check_model_gradient(model, 3, rng, va, vb);
}

TEST_CASE("every merge layer's gradient, by finite differences", "[functional][gradient][merge]") {
  check_merge<Add, 4, 4>(Add{});
  check_merge<Subtract, 4, 4>(Subtract{});
  check_merge<Multiply, 4, 4>(Multiply{});
  check_merge<Average, 4, 4>(Average{});
  check_merge<Maximum, 4, 4>(Maximum{});
  check_merge<Minimum, 4, 4>(Minimum{});
  check_merge<Concatenate<>, 4, 6>(Concatenate{});
  check_merge<Dot<1>, 5, 5>(Dot<1>{});
  check_merge<Dot<1>, 5, 5>(Dot<1>{{.normalize = true}});
  check_merge<Dot<-1>, 5, 5>(Dot<-1>{});
  // Rank-2 inputs: Concatenate on the first feature axis, and a batch matmul.
  {
    Random rng(4);
    auto x1 = Input<6>{};
    auto x2 = Input<8>{};
    auto a = Reshape<2, 3>{}(Dense<6, Tanh, double>{}(x1));
    auto b = Reshape<2, 4>{}(Dense<8, Tanh, double>{}(x2));
    auto c = Concatenate<-1>{}(a, b);                                               // (2, 7)
    auto a2 = Reshape<3, 2>{}(Dense<6, Tanh, double>{}(x1));                        // (3, 2)
    auto c2 = Concatenate<1>{}(a2, Reshape<1, 2>{}(Dense<2, Tanh, double>{}(x2)));  // (4, 2)
    auto d = Dot<2, 1>{}(c, Reshape<7, 3>{}(Dense<21, Tanh, double>{}(x2)));        // (2, 3)
    auto d2 = Dot<1, 1>{{.normalize = true}}(c2, Reshape<4, 5>{}(Dense<20, Tanh, double>{}(x1)));
    auto out = Concatenate{}(Flatten{}(d), Flatten{}(d2));
    auto model = Model{inputs(x1, x2), outputs(Dense<3, Linear, double>{}(out))};
    STATIC_REQUIRE(std::is_same_v<decltype(c)::shape, Shape<2, 7>>);
    STATIC_REQUIRE(std::is_same_v<decltype(c2)::shape, Shape<4, 2>>);
    STATIC_REQUIRE(std::is_same_v<decltype(d)::shape, Shape<2, 3>>);
    STATIC_REQUIRE(std::is_same_v<decltype(d2)::shape, Shape<2, 5>>);
    const auto v1 = test::random_vector(2 * 6, rng), v2 = test::random_vector(2 * 8, rng);
    check_model_gradient(model, 2, rng, v1, v2);
  }
}

TEST_CASE("merge layers compute Keras's values", "[functional][merge]") {
  auto a = Input<3>{}, b = Input<3>{}, c = Input<3>{};
  xt::xtensor<float, 2> va = {{1, -2, 3}}, vb = {{4, 5, -6}}, vc = {{0.5f, 2, 9}};
  // An identity Dense after the merge: the merge's values come out as they are.
  auto run = [&](auto node) {
    auto model = Model{inputs(a, b, c), outputs(Dense<3>{}(node))};
    model.set_weights(
        {xt::xarray<float>(xt::eye<float>(3)), xt::xarray<float>(xt::zeros<float>({3}))});
    return model.predict(std::tie(va, vb, vc));
  };
  auto run2 = [&](auto node) {
    auto model = Model{inputs(a, b), outputs(Dense<3>{}(node))};
    model.set_weights(
        {xt::xarray<float>(xt::eye<float>(3)), xt::xarray<float>(xt::zeros<float>({3}))});
    return model.predict(std::tie(va, vb));
  };
  CHECK((run(Add{}(a, b, c)) == xt::xtensor<float, 2>{{5.5f, 5, 6}}));
  CHECK((run2(Subtract{}(a, b)) == xt::xtensor<float, 2>{{-3, -7, 9}}));
  CHECK((run(Multiply{}(a, b, c)) == xt::xtensor<float, 2>{{2, -20, -162}}));
  CHECK(xt::allclose(run(Average{}(a, b, c)), xt::xtensor<float, 2>{{5.5f / 3, 5.0f / 3, 2}}));
  CHECK((run(Maximum{}(a, b, c)) == xt::xtensor<float, 2>{{4, 5, 9}}));
  CHECK((run(Minimum{}(a, b, c)) == xt::xtensor<float, 2>{{0.5f, -2, -6}}));
  // Dot: 1*4 - 2*5 - 3*6 = -24; normalised, a cosine.
  auto dot = Model{inputs(a, b), outputs(Dot<1>{}(a, b))};
  CHECK(dot.predict(std::tie(va, vb))(0, 0) == -24.0f);
  auto cosine = Model{inputs(a, b), outputs(Dot<1>{{.normalize = true}}(a, b))};
  CHECK(cosine.predict(std::tie(va, vb))(0, 0) ==
        Approx(-24.0 / std::sqrt(14.0) / std::sqrt(77.0)).epsilon(1e-6));
  STATIC_REQUIRE(std::is_same_v<decltype(Concatenate{}(a, b, c))::shape, Shape<9>>);
}

TEST_CASE("a Sequential called on a node is one layer; ketl::shared shares it",
          "[functional][nested][gradient]") {
  auto encoder = Sequential{Input<4>{}, Dense<5, Tanh, double>{}, Dense<3, Tanh, double>{}};
  auto a = Input<4>{}, b = Input<4>{};
  auto enc = shared(encoder);
  auto out = Dense<2, Linear, double>{}(Subtract{}(enc(a), enc(b)));
  auto model = Model{inputs(a, b), outputs(out)};
  CHECK(model.weights().size() == 6);
  CHECK(model.layer_names()[2] == "sequential_1");
  Random rng(12);
  const auto va = test::random_vector(3 * 4, rng), vb = test::random_vector(3 * 4, rng);
  check_model_gradient(model, 3, rng, va, vb);
  // Called plainly, it is a copy with the encoder's weights as they are.
  auto single = Model{a, encoder(a)};
  const auto xa = random_2d(3, 4, rng);
  CHECK((single.predict(xa) == encoder.predict(xa)));
  std::ostringstream os;
  single.summary(os);
  CHECK_THAT(os.str(), Contains("sequential_1 (Sequential)       (None, 3)            43"));
}
