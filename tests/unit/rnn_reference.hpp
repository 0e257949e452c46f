// Naive recurrent layers, written step by step from Keras 2.2.4's
// equations (keras/layers/recurrent.py: SimpleRNNCell, LSTMCell, GRUCell
// with implementation=1), in double, one sample and one gate at a time:
// the reference the fast layers are checked against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace test::rnn_ref {

enum class cell { simple, lstm, gru };
enum class act { tanh, hard_sigmoid, sigmoid, linear, relu };

inline double apply(act a, double z) {
  switch (a) {
    case act::tanh:
      return std::tanh(z);
    case act::hard_sigmoid:
      return std::clamp(0.2 * z + 0.5, 0.0, 1.0);
    case act::sigmoid:
      return 1 / (1 + std::exp(-z));
    case act::relu:
      return z > 0 ? z : 0;
    default:
      return z;
  }
}

struct config {
  cell kind = cell::lstm;
  std::size_t units = 0, features = 0, steps = 0;
  bool return_sequences = false, go_backwards = false, use_bias = true, reset_after = false;
  act activation = act::tanh, recurrent_activation = act::hard_sigmoid;
};

// Keras's layouts: kernel (F, k*U), recurrent (U, k*U), bias (k*U) or
// (2, k*U) with reset_after. Returns (N, T, U) or (N, U).
inline std::vector<double> forward(const config& c, const std::vector<double>& x, std::size_t n,
                                   const std::vector<double>& kernel,
                                   const std::vector<double>& recurrent,
                                   const std::vector<double>& bias) {
  const std::size_t U = c.units, F = c.features, S = c.steps;
  const std::size_t k = c.kind == cell::lstm ? 4 : c.kind == cell::gru ? 3 : 1;
  const std::size_t G = k * U;
  // x . W[:, col] for one sample's step; h . R[:, col].
  auto xw = [&](const double* xt, std::size_t col) {
    double s = 0;
    for (std::size_t f = 0; f < F; ++f) s += xt[f] * kernel[f * G + col];
    return s;
  };
  auto hr = [&](const std::vector<double>& h, std::size_t col) {
    double s = 0;
    for (std::size_t u = 0; u < U; ++u) s += h[u] * recurrent[u * G + col];
    return s;
  };
  auto b_in = [&](std::size_t col) { return c.use_bias ? bias[col] : 0.0; };
  auto b_rec = [&](std::size_t col) { return c.use_bias && c.reset_after ? bias[G + col] : 0.0; };
  std::vector<double> out(n * (c.return_sequences ? S : 1) * U);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> h(U, 0.0), cs(U, 0.0), hn(U), cn(U);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t t = c.go_backwards ? S - 1 - s : s;
      const double* xt = x.data() + (i * S + t) * F;
      for (std::size_t u = 0; u < U; ++u) {
        if (c.kind == cell::simple) {
          hn[u] = apply(c.activation, xw(xt, u) + b_in(u) + hr(h, u));
        } else if (c.kind == cell::lstm) {
          const double ig = apply(c.recurrent_activation, xw(xt, u) + b_in(u) + hr(h, u));
          const double fg =
              apply(c.recurrent_activation, xw(xt, U + u) + b_in(U + u) + hr(h, U + u));
          const double cc =
              apply(c.activation, xw(xt, 2 * U + u) + b_in(2 * U + u) + hr(h, 2 * U + u));
          const double og =
              apply(c.recurrent_activation, xw(xt, 3 * U + u) + b_in(3 * U + u) + hr(h, 3 * U + u));
          cn[u] = fg * cs[u] + ig * cc;
          hn[u] = og * apply(c.activation, cn[u]);
        } else {
          const double z = apply(c.recurrent_activation, xw(xt, u) + b_in(u) + hr(h, u) + b_rec(u));
          const double r = apply(c.recurrent_activation,
                                 xw(xt, U + u) + b_in(U + u) + hr(h, U + u) + b_rec(U + u));
          double rec;
          if (c.reset_after) {
            rec = r * (hr(h, 2 * U + u) + b_rec(2 * U + u));
          } else {
            // (r * h) . Uh, with this unit's r applied to every h: needs all of r.
            rec = 0;
            for (std::size_t v = 0; v < U; ++v) {
              const double rv =
                  apply(c.recurrent_activation, xw(xt, U + v) + b_in(U + v) + hr(h, U + v));
              rec += rv * h[v] * recurrent[v * G + 2 * U + u];
            }
          }
          const double hh = apply(c.activation, xw(xt, 2 * U + u) + b_in(2 * U + u) + rec);
          hn[u] = z * h[u] + (1 - z) * hh;
        }
      }
      h = hn;
      cs = cn;
      if (c.return_sequences) std::copy(h.begin(), h.end(), out.begin() + (i * S + s) * U);
    }
    if (!c.return_sequences) std::copy(h.begin(), h.end(), out.begin() + i * U);
  }
  return out;
}

}  // namespace test::rnn_ref
