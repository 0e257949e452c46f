// Every Keras optimizer, and optimizers::get for Keras's names.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <variant>

#include "ketl/optimizer.hpp"
#include "ketl/optimizers/adadelta.hpp"
#include "ketl/optimizers/adagrad.hpp"
#include "ketl/optimizers/adam.hpp"
#include "ketl/optimizers/adamax.hpp"
#include "ketl/optimizers/nadam.hpp"
#include "ketl/optimizers/rmsprop.hpp"
#include "ketl/optimizers/sgd.hpp"

namespace ketl::optimizers {

// An optimizer chosen at run time, with Keras's default hyperparameters.
using AnyOptimizer = std::variant<SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam>;

// Keras's optimizers.get: the names are case-insensitive. An unknown name
// throws and lists the valid ones.
inline AnyOptimizer get(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  AnyOptimizer found;
  bool ok = false;
  std::string valid;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using O = std::variant_alternative_t<I, AnyOptimizer>;
          valid += (I ? ", " : "") + std::string(O::name);
          if (!ok && lower == O::name) {
            found = O{};
            ok = true;
          }
        }(),
        ...);
  }
  (std::make_index_sequence<std::variant_size_v<AnyOptimizer>>{});
  if (!ok)
    throw value_error("Unknown optimizer: " + std::string(name) + " (valid names: " + valid + ")");
  return found;
}

}  // namespace ketl::optimizers

namespace ketl::detail {
// The runner for an optimizer given as an object, a variant or a name.
template <class T, class O>
std::unique_ptr<optimizer_runner<T>> optimizer_for(const O& o, std::span<const WeightRef<T>> w) {
  if constexpr (Optimizer<O>) {
    return make_optimizer<T>(o, w);
  } else if constexpr (std::is_same_v<O, optimizers::AnyOptimizer>) {
    return std::visit([&](const auto& x) { return make_optimizer<T>(x, w); }, o);
  } else {
    static_assert(
        std::is_convertible_v<const O&, std::string_view>,
        "ketl::compile: the optimizer must be a ketl optimizer (ketl::optimizers::Adam{}, "
        "...) or its Keras name (\"adam\")");
    return optimizer_for<T>(optimizers::get(std::string_view(o)), w);
  }
}
}  // namespace ketl::detail
