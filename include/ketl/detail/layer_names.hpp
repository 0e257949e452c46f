// Keras's automatic layer names: snake_case(ClassName) + "_" + a count per
// class, so the first Dense is dense_1 (Keras 2.2.4's base_layer.py).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace ketl::detail {

// keras.engine.base_layer._to_snake_case, without regex.
inline std::string to_snake_case(std::string_view name) {
  // Step 1: "(.)([A-Z][a-z0-9]+)" -> "\1_\2"
  std::string a;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool upper = std::isupper(static_cast<unsigned char>(name[i]));
    const bool next_lower =
        i + 1 < name.size() && (std::islower(static_cast<unsigned char>(name[i + 1])) ||
                                std::isdigit(static_cast<unsigned char>(name[i + 1])));
    if (i > 0 && upper && next_lower) a += '_';
    a += name[i];
  }
  // Step 2: "([a-z])([A-Z])" -> "\1_\2", then lower-case.
  std::string b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(a[i])) &&
        std::islower(static_cast<unsigned char>(a[i - 1])))
      b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

// A layer of a Sequential nested in a functional model, as ketl's files
// name it: "<model>_<layer>" (encoder_dense_1). Keras's names are unique
// across a model and TensorFlow.js finds weights by name, while a ketl
// network names its own layers (dense_1, ...) apart from the model's. The
// config (io/keras_model.hpp) and the TF.js weights (io/tfjs.hpp) both
// follow this rule.
inline std::string nested_layer_name(std::string_view model, std::string_view layer) {
  std::string out(model);
  out += '_';
  out += layer;
  return out;
}

}  // namespace ketl::detail
