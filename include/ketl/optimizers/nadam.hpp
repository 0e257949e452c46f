// Nadam, as Keras 2.2.4, with t = iterations + 1 and sd = schedule_decay:
//   mu_t = beta_1 * (1 - 0.5 * 0.96^(t sd)),  mu_t1 = beta_1 * (1 - 0.5 * 0.96^((t+1) sd))
//   s = s * mu_t (the schedule, from 1),  s_next = s * mu_t1
//   g' = g / (1 - s);  m = beta_1 m + (1 - beta_1) g;  m' = m / (1 - s_next)
//   v = beta_2 v + (1 - beta_2) g^2;  v' = v / (1 - beta_2^t)
//   p -= lr * ((1 - mu_t) g' + mu_t1 m') / (sqrt(v') + epsilon)
// Nadam has no time-based decay: schedule_decay takes its place.
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct Nadam {
  static constexpr std::string_view name = "nadam";
  static constexpr std::string_view keras_class = "Nadam";
  float lr = 0.002f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  float schedule_decay = 0.004f;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;
  static constexpr float decay = 0.0f;  // for the common checks

  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("beta_1", o.beta_1), f("beta_2", o.beta_2), f("epsilon", o.epsilon),
        f("schedule_decay", o.schedule_decay);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "beta_1", beta_1, 0, 1, true);
    detail::check_hyper(name, "beta_2", beta_2, 0, 1, true);
    detail::check_hyper(name, "epsilon", epsilon, 0);
    detail::check_hyper(name, "schedule_decay", schedule_decay, 0);
  }

  template <class T>
  struct State {
    detail::slots<T> ms, vs;
    double m_schedule = 1.0;
    explicit State(std::span<const WeightRef<T>> w) : ms(w), vs(w) {}
    // Keras 2.2.4 saves [iterations] + ms + vs; the schedule is the
    // product of the first `iterations` mu_t, so it is recomputed, in the
    // order apply() multiplies it.
    static constexpr bool keras_iterations = true;
    template <class F>
    void each_slot(const Nadam&, F&& f) {
      f("ms", ms, true), f("vs", vs, true);
    }
    void restored(const Nadam& o, std::int64_t iterations) {
      m_schedule = 1.0;
      for (std::int64_t i = 0; i < iterations; ++i)
        m_schedule *= double(o.beta_1) *
                      (1.0 - 0.5 * std::pow(0.96, double(i + 1) * double(o.schedule_decay)));
    }

    void apply(const Nadam& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const double t = double(iterations + 1), b1 = o.beta_1, b2 = o.beta_2, sd = o.schedule_decay;
      const double mu_t = b1 * (1.0 - 0.5 * std::pow(0.96, t * sd));
      const double mu_t1 = b1 * (1.0 - 0.5 * std::pow(0.96, (t + 1) * sd));
      const double s_new = m_schedule * mu_t, s_next = s_new * mu_t1;
      m_schedule = s_new;
      const T lr = T(o.lr), eps = T(o.epsilon), tb1 = T(b1), tb2 = T(b2);
      const T g_scale = T(1.0 / (1.0 - s_new)), m_scale = T(1.0 / (1.0 - s_next));
      const T v_scale = T(1.0 / (1.0 - std::pow(b2, t)));
      const T c_g = T(1.0 - mu_t), c_m = T(mu_t1);
      detail::update_each<T>(
          weights,
          [=](auto& p, auto g, auto& m, auto& v) {
            using V = std::remove_cvref_t<decltype(p)>;
            m = V(tb1) * m + V(T(1) - tb1) * g;
            v = V(tb2) * v + V(T(1) - tb2) * g * g;
            const V m_bar = V(c_g) * (g * V(g_scale)) + V(c_m) * (m * V(m_scale));
            p -= V(lr) * m_bar / (xsimd::sqrt(v * V(v_scale)) + V(eps));
          },
          ms, vs);
    }
  };
};

}  // namespace ketl::optimizers
