// Losses and metrics by their Keras names.
//
// At run time, for configuration read from a file:
//   model.compile(SGD{}, ketl::losses::get("categorical_crossentropy"), ketl::metrics::get("acc"));
// An unknown name throws ketl::value_error listing the valid ones.
//
// At compile time, where a typo should not build:
//   model.compile(SGD{}, ketl::losses::named<"mse">, ketl::metrics::named<"acc">);
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "ketl/error.hpp"
#include "ketl/losses.hpp"
#include "ketl/metrics.hpp"

namespace ketl {

namespace detail {
// A string usable as a template argument: named<"mse">.
template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, text); }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

template <class Entry, std::size_t N>
std::string list_names(const std::array<Entry, N>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}
}  // namespace detail

namespace losses {

// Every built-in loss, for run-time names.
using AnyLoss = std::variant<MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                             MeanSquaredLogarithmicError, SquaredHinge, Hinge, CategoricalHinge,
                             LogCosh, Huber, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                             BinaryCrossentropy, KLDivergence, Poisson, CosineProximity>;

namespace detail {
struct loss_entry {
  std::string_view name;
  AnyLoss loss;
};
// Every Keras name and alias, once: get() reads it at run time, named<> at
// compile time.
inline constexpr std::array<loss_entry, 28> loss_table{{
    {"mean_squared_error", mean_squared_error},
    {"mse", mse},
    {"MSE", mse},
    {"mean_absolute_error", mean_absolute_error},
    {"mae", mae},
    {"MAE", mae},
    {"mean_absolute_percentage_error", mean_absolute_percentage_error},
    {"mape", mape},
    {"MAPE", mape},
    {"mean_squared_logarithmic_error", mean_squared_logarithmic_error},
    {"msle", msle},
    {"MSLE", msle},
    {"squared_hinge", squared_hinge},
    {"hinge", hinge},
    {"categorical_hinge", categorical_hinge},
    {"logcosh", logcosh},
    {"huber", huber},
    {"huber_loss", huber},
    {"categorical_crossentropy", categorical_crossentropy},
    {"sparse_categorical_crossentropy", sparse_categorical_crossentropy},
    {"binary_crossentropy", binary_crossentropy},
    {"kullback_leibler_divergence", kullback_leibler_divergence},
    {"kld", kld},
    {"KLD", kld},
    {"poisson", poisson},
    {"cosine_proximity", cosine_proximity},
    {"cosine", cosine},
    {"cosine_similarity", cosine_similarity},
}};

template <class Table>
constexpr std::size_t find(const Table& table, std::string_view name) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].name == name) return i;
  return table.size();
}
}  // namespace detail

// A built-in loss by its Keras name or alias.
inline AnyLoss get(std::string_view name) {
  const std::size_t i = detail::find(detail::loss_table, name);
  if (i == detail::loss_table.size())
    throw value_error("ketl: unknown loss '" + std::string(name) +
                      "'; valid names: " + ketl::detail::list_names(detail::loss_table));
  return detail::loss_table[i].loss;
}

// named<"mse">: the same table, read at compile time.
template <ketl::detail::fixed_string Name>
inline constexpr auto named = [] {
  constexpr std::size_t i = detail::find(detail::loss_table, Name.view());
  static_assert(
      i < detail::loss_table.size(),
      "ketl::losses::named / metrics::named: unknown name. Valid losses: mean_squared_error (mse), "
      "mean_absolute_error (mae), mean_absolute_percentage_error (mape), "
      "mean_squared_logarithmic_error (msle), squared_hinge, hinge, categorical_hinge, "
      "logcosh, huber, categorical_crossentropy, sparse_categorical_crossentropy, "
      "binary_crossentropy, kullback_leibler_divergence (kld), poisson, cosine_proximity "
      "(cosine, cosine_similarity); valid metrics also: acc, ce, binary_accuracy, "
      "categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, "
      "sparse_top_k_categorical_accuracy, precision, recall, fbeta_score, fmeasure");
  if constexpr (i < detail::loss_table.size())
    return std::get<detail::loss_table[i].loss.index()>(detail::loss_table[i].loss);
  else
    return mean_squared_error;
}();

}  // namespace losses

namespace metrics {

// A metric chosen at run time: type-erased behind one virtual call per batch.
class AnyMetric {
 public:
  // "acc" and "ce" are resolved by compile(), against the loss and output.
  enum class Alias { none, accuracy, crossentropy };

  template <MetricFunction M>
  requires(!ketl::detail::is_value_set<
           std::remove_cvref_t<decltype(std::declval<const M&>().expression())>>::value)
      AnyMetric(const M& m)
      : impl_(std::make_shared<model<M>>(m)), target_(M::target), name_(m.name()) {}
  explicit AnyMetric(Alias alias) : alias_(alias), name_(alias == Alias::accuracy ? "acc" : "ce") {}

  Alias alias() const { return alias_; }
  std::string_view name() const { return name_; }
  Target runtime_target() const { return target_; }

  // The kernel compile() runs: begin, add_rows per batch, result.
  template <class T>
  struct kernel {
    std::shared_ptr<void> state;
    const AnyMetric* self;
    void begin() { self->impl_->begin(state); }
    void add_rows(const T* yt, const T* yp, std::size_t rows, std::size_t cols, std::size_t yt_cols,
                  const T* w = nullptr) {
      if constexpr (std::is_same_v<T, float>)
        self->impl_->add_rows_f(state, yt, yp, rows, cols, yt_cols, w);
      else
        self->impl_->add_rows_d(state, yt, yp, rows, cols, yt_cols, w);
    }
    void set_divisor(double d) { self->impl_->set_divisor(state, d); }
    template <class>
    double result() {
      return self->impl_->result(state, std::is_same_v<T, float>);
    }
  };
  template <class T>
  kernel<T> make_kernel() const {
    if (!impl_) throw value_error("ketl: metric '" + name_ + "' was not resolved by compile()");
    return {impl_->make_state(), this};
  }

 private:
  struct concept_t {
    virtual ~concept_t() = default;
    virtual std::shared_ptr<void> make_state() const = 0;
    virtual void begin(const std::shared_ptr<void>&) const = 0;
    virtual void add_rows_f(const std::shared_ptr<void>&, const float*, const float*, std::size_t,
                            std::size_t, std::size_t, const float*) const = 0;
    virtual void add_rows_d(const std::shared_ptr<void>&, const double*, const double*, std::size_t,
                            std::size_t, std::size_t, const double*) const = 0;
    virtual void set_divisor(const std::shared_ptr<void>&, double) const = 0;
    virtual double result(const std::shared_ptr<void>&, bool is_float) const = 0;
  };
  template <class M>
  struct model final : concept_t {
    M m;
    using K = decltype(ketl::detail::make_metric_kernel(std::declval<const M&>()));
    explicit model(M x) : m(std::move(x)) {}
    std::shared_ptr<void> make_state() const override {
      return std::make_shared<K>(ketl::detail::make_metric_kernel(m));
    }
    void begin(const std::shared_ptr<void>& s) const override { static_cast<K*>(s.get())->begin(); }
    void add_rows_f(const std::shared_ptr<void>& s, const float* yt, const float* yp,
                    std::size_t rows, std::size_t cols, std::size_t ytc,
                    const float* w) const override {
      static_cast<K*>(s.get())->add_rows(yt, yp, rows, cols, ytc, w);
    }
    void add_rows_d(const std::shared_ptr<void>& s, const double* yt, const double* yp,
                    std::size_t rows, std::size_t cols, std::size_t ytc,
                    const double* w) const override {
      static_cast<K*>(s.get())->add_rows(yt, yp, rows, cols, ytc, w);
    }
    void set_divisor(const std::shared_ptr<void>& s, double d) const override {
      static_cast<K*>(s.get())->set_divisor(d);
    }
    double result(const std::shared_ptr<void>& s, bool is_float) const override {
      auto* k = static_cast<K*>(s.get());
      return is_float ? k->template result<float>() : k->template result<double>();
    }
  };

  std::shared_ptr<const concept_t> impl_;
  Alias alias_ = Alias::none;
  Target target_ = Target::same_shape;
  std::string name_;
};

// Every built-in metric type (losses are metrics too, through the loss table).
using AnyBuiltinMetric =
    std::variant<accuracy_tag, crossentropy_tag, BinaryAccuracy, CategoricalAccuracy,
                 SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                 Precision, Recall, FbetaScore, Fmeasure>;

namespace detail {
struct metric_entry {
  std::string_view name;
  AnyBuiltinMetric metric;
};
inline constexpr std::array<metric_entry, 15> metric_table{{
    {"acc", accuracy},
    {"accuracy", accuracy},
    {"ce", crossentropy},
    {"crossentropy", crossentropy},
    {"binary_accuracy", binary_accuracy},
    {"categorical_accuracy", categorical_accuracy},
    {"sparse_categorical_accuracy", sparse_categorical_accuracy},
    {"top_k_categorical_accuracy", top_k_categorical_accuracy},
    {"sparse_top_k_categorical_accuracy", sparse_top_k_categorical_accuracy},
    {"precision", precision},
    {"recall", recall},
    {"fbeta_score", fbeta_score},
    {"fmeasure", fmeasure},
    {"fscore", fmeasure},
    {"f1score", fmeasure},
}};

// Templates, so that a program that never names a metric at run time never
// instantiates the kernels of every metric and loss.
template <class = void>
AnyMetric erase(const AnyBuiltinMetric& m) {
  return std::visit(
      [](const auto& x) -> AnyMetric {
        using X = std::remove_cvref_t<decltype(x)>;
        if constexpr (std::is_same_v<X, accuracy_tag>)
          return AnyMetric(AnyMetric::Alias::accuracy);
        else if constexpr (std::is_same_v<X, crossentropy_tag>)
          return AnyMetric(AnyMetric::Alias::crossentropy);
        else
          return AnyMetric(x);
      },
      m);
}
}  // namespace detail

// A metric, or a loss used as a metric, by its Keras name.
template <class = void>
AnyMetric get(std::string_view name) {
  const std::size_t i = losses::detail::find(detail::metric_table, name);
  if (i < detail::metric_table.size()) return detail::erase<>(detail::metric_table[i].metric);
  const std::size_t l = losses::detail::find(losses::detail::loss_table, name);
  if (l < losses::detail::loss_table.size())
    return std::visit([](const auto& loss) { return AnyMetric(loss); },
                      losses::detail::loss_table[l].loss);
  throw value_error("ketl: unknown metric '" + std::string(name) + "'; valid names: " +
                    ketl::detail::list_names(detail::metric_table) + ", and every loss name: " +
                    ketl::detail::list_names(losses::detail::loss_table));
}

template <ketl::detail::fixed_string Name>
inline constexpr auto named = [] {
  constexpr std::size_t i = losses::detail::find(detail::metric_table, Name.view());
  if constexpr (i < detail::metric_table.size())
    return std::get<detail::metric_table[i].metric.index()>(detail::metric_table[i].metric);
  else
    return losses::named<Name>;  // a loss as a metric, or the unknown-name error
}();

}  // namespace metrics
}  // namespace ketl
