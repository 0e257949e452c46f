// The fused softmax + cross-entropy gradient (detail/softmax_crossentropy.hpp):
// the closed form p * sum(t) - t against finite differences of Keras's
// loss, in double precision, for one-hot, soft and integer targets, label
// smoothing, row weights, and rows whose p is clipped (the exact fallback);
// then a whole training step, whose update is checked against finite
// differences of the loss the model reports.
#include <cmath>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;

namespace {
constexpr std::size_t C = 5;

// Keras's loss of one row of logits z (softmax inside), in double.
double keras_loss(const double* t, const double* z, bool sparse, double ls) {
  double m = z[0], s = 0, p[C];
  for (std::size_t j = 1; j < C; ++j) m = std::max(m, z[j]);
  for (std::size_t j = 0; j < C; ++j) s += p[j] = std::exp(z[j] - m);
  double psum = 0;
  for (std::size_t j = 0; j < C; ++j) psum += p[j] /= s;
  double loss = 0;
  for (std::size_t j = 0; j < C; ++j) {
    const double tj = (sparse ? (std::size_t(t[0]) == j ? 1.0 : 0.0) : t[j]) * (1 - ls) + ls / C;
    // The sparse loss clips p, then normalises; the dense one the reverse.
    const double q = sparse ? std::log(std::clamp(p[j], 1e-7, 1 - 1e-7)) : 0.0;
    if (sparse) {
      double lse = 0;
      for (std::size_t k = 0; k < C; ++k) lse += std::clamp(p[k], 1e-7, 1 - 1e-7);
      loss -= tj * (q - std::log(lse));
    } else {
      loss -= tj * std::log(std::clamp(p[j] / psum, 1e-7, 1 - 1e-7));
    }
  }
  return loss;
}
}  // namespace

TEST_CASE("softmax + cross-entropy: the closed form and its fallback match finite differences",
          "[loss][gradient][fused]") {
  Random rng(31);
  for (bool sparse : {false, true})
    for (double ls : {0.0, 0.1}) {
      INFO("sparse " << sparse << ", label_smoothing " << ls);
      constexpr std::size_t rows = 6;
      std::vector<double> z = test::random_vector(rows * C, rng, -2, 2);
      z[3 * C + 1] = 40;   // row 3 saturates: p near 1 and near 0, clipped
      z[5 * C + 2] = -30;  // row 5: one p near 0
      std::vector<double> t(rows * (sparse ? 1 : C), 0.0);
      for (std::size_t r = 0; r < rows; ++r) {
        if (sparse) {
          t[r] = double((r * 3) % C);
        } else if (r % 2) {
          t[r * C + (r % C)] = 1;  // one-hot
        } else {
          for (std::size_t j = 0; j < C; ++j) t[r * C + j] = double(j + 1) / 15;  // soft, sums to 1
        }
      }
      const std::vector<double> w = {1, 0.5, 2, 1, 0, 3};
      const double scale = 0.25;
      // p = softmax(z), as the model's output would hold it.
      std::vector<double> p(rows * C);
      for (std::size_t r = 0; r < rows; ++r) {
        double m = *std::max_element(&z[r * C], &z[r * C] + C), s = 0;
        for (std::size_t j = 0; j < C; ++j) s += p[r * C + j] = std::exp(z[r * C + j] - m);
        for (std::size_t j = 0; j < C; ++j) p[r * C + j] /= s;
      }
      // The fallback, as the training step gives it: the derived gradient of
      // the loss expression, through the softmax's Jacobian.
      std::vector<std::size_t> exact_rows;
      const auto dense_kernel =
          ketl::detail::make_loss_kernel(losses::CategoricalCrossentropy{.label_smoothing = ls});
      const auto sparse_kernel = ketl::detail::make_loss_kernel(
          losses::SparseCategoricalCrossentropy{.label_smoothing = ls});
      std::vector<double> dz(rows * C);
      ketl::detail::softmax_crossentropy_grad(
          t.data(), p.data(), rows, C, sparse, ls, scale, w.data(), dz.data(),
          [&](std::size_t r, double s) {
            exact_rows.push_back(r);
            double g[C];
            const std::size_t tc = sparse ? 1 : C;
            const expr::row_ref<double> row{t.data() + r * tc, p.data() + r * C, C, tc};
            if (sparse) {
              auto k = sparse_kernel;
              k.row(row, g, s);
            } else {
              auto k = dense_kernel;
              k.row(row, g, s);
            }
            ketl::detail::softmax_vjp_row(p.data() + r * C, g, C, dz.data() + r * C);
          });
      CHECK(exact_rows == std::vector<std::size_t>{3, 5});
      for (std::size_t r = 0; r < rows; ++r) {
        INFO("row " << r);
        const double* tr = t.data() + r * (sparse ? 1 : C);
        test::check_gradient(
            std::span<double>(z.data() + r * C, C), std::span<const double>(dz.data() + r * C, C),
            [&] { return scale * w[r] * keras_loss(tr, z.data() + r * C, sparse, ls); });
      }
    }
}

TEST_CASE("a training step with a softmax output follows the loss's gradient",
          "[training][gradient][fused]") {
  // Double precision, so that finite differences are sharp. One SGD step of
  // lr 1 moves each weight by minus its gradient.
  auto make = [] {
    auto m = Sequential{Input<2, 3>{}, Dense<6, Tanh, double>{}, Dense<C, Softmax, double>{}};
    return m;
  };
  Random rng(5);
  xt::xtensor<double, 3> x = xt::zeros<double>({4, 2, 3});
  for (auto& v : x) v = rng.uniform(-1, 1);
  xt::xtensor<double, 3> onehot = xt::zeros<double>({std::size_t{4}, std::size_t{2}, C});
  xt::xtensor<double, 2> labels = xt::zeros<double>({4, 2});
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t s = 0; s < 2; ++s) {
      onehot(i, s, (i + 2 * s) % C) = 1;
      labels(i, s) = double((i + 2 * s) % C);
    }
  xt::xtensor<double, 2> w = {{1, 0}, {2, 1}, {0.5, 1}, {1, 3}};
  for (bool sparse : {false, true}) {
    INFO("sparse " << sparse);
    utils::set_random_seed(17);
    auto model = make();
    auto probe = model;  // the same weights, to differentiate the loss
    auto compile = [&](auto& m) {
      if (sparse)
        m.compile(optimizers::SGD{.lr = 1.0f},
                  losses::SparseCategoricalCrossentropy{.label_smoothing = 0.1}, ketl::temporal);
      else
        m.compile(optimizers::SGD{.lr = 1.0f},
                  losses::CategoricalCrossentropy{.label_smoothing = 0.1}, ketl::temporal);
    };
    compile(model);
    compile(probe);
    const auto before = model.get_weights();
    if (sparse)
      model.train_on_batch(x, labels, w);
    else
      model.train_on_batch(x, onehot, w);
    const auto after = model.get_weights();
    std::size_t k = 0;
    for (const auto& wr : probe.weights()) {
      std::vector<double> analytic(wr.value.size());
      for (std::size_t i = 0; i < analytic.size(); ++i)
        analytic[i] = before[k].data()[i] - after[k].data()[i];
      test::check_gradient(wr.value, analytic, [&] {
        return sparse ? probe.test_on_batch(x, labels, w)[0] : probe.test_on_batch(x, onehot, w)[0];
      });
      ++k;
    }
  }
}
