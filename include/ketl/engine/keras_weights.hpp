// A network's weights as a Keras weight file sees them (io::keras_weights:
// model.layers, each with its weights), and Keras's two ways of loading a
// file into a network (keras/engine/saving.py): topological, layer k of the
// file's layers with weights into layer k of the model's, or by name, with
// skip_mismatch. Every count and shape is checked, with Keras's words,
// before any weight changes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <iostream>
#include <map>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "ketl/detail/cudnn_weights.hpp"
#include "ketl/error.hpp"
#include "ketl/io/keras_weights.hpp"
#include "ketl/layer.hpp"

namespace ketl::engine {

// How load_weights matches a Keras file's layers to the model's.
struct load_options {
  bool by_name = false;        // by layer name, not by position
  bool skip_mismatch = false;  // by_name only: skip a layer or weight that does not fit, and warn
};

namespace detail {

// The version ketl writes as keras_version: Keras 2.2.4's format and
// semantics, which every Keras 2.x and tf.keras reads.
inline constexpr const char* keras_file_version = "2.2.4";

// One of model.layers and its weights' indices in net.weights().
struct keras_slot {
  std::string name;
  std::size_t first = 0, count = 0;
};

// The network's layers in Keras's order, each with its run of weights.
template <class N>
std::vector<keras_slot> keras_slots(const N& net) {
  const auto& names = net.weight_names();
  std::vector<keras_slot> out;
  std::size_t at = 0;
  for (auto& layer : net.layer_names()) {
    keras_slot s{layer, at, 0};
    const std::string prefix = layer + "/";
    while (at < names.size() && names[at].compare(0, prefix.size(), prefix) == 0) ++at, ++s.count;
    out.push_back(std::move(s));
  }
  if (at != names.size())  // a network whose weight names break the rule
    throw value_error("ketl: weight " + names[at] + " belongs to no layer of the model");
  return out;
}

template <class N>
io::keras_weights keras_weights_of(const N& net) {
  io::keras_weights out;
  out.keras_version = keras_file_version;
  out.backend = "tensorflow";
  const auto weights = net.weights();
  const auto& names = net.weight_names();
  for (const auto& s : keras_slots(net)) {
    io::keras_layer l{s.name, {}};
    for (std::size_t i = s.first; i < s.first + s.count; ++i) {
      const auto& w = weights[i];
      l.weights.push_back({names[i] + ":0", w.shape,
                           std::vector<double>(w.value.begin(), w.value.end()),
                           sizeof(w.value[0]) == 8});
    }
    out.layers.push_back(std::move(l));
  }
  return out;
}

inline std::string keras_shape(const std::vector<std::size_t>& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

// Loads file into net's weights, Keras's way; path names the file in
// messages. Checks everything, then assigns: a throw changes nothing.
template <class N>
void load_keras_weights(N& net, const io::keras_weights& file, const std::string& path,
                        const load_options& o) {
  const std::string where = "ketl: load_weights: " + path + ": ";
  // Keras 1 files (no keras_version) and Theano's flipped kernels need
  // conversions ketl does not make.
  if (file.keras_version.empty() || file.keras_version[0] == '1')
    throw io_error(where + "it was written by Keras 1 (keras_version \"" + file.keras_version +
                   "\"); ketl reads files of Keras 2.x and tf.keras");
  if (file.backend == "theano")
    throw io_error(where +
                   "it was written with the Theano backend, whose convolution kernels "
                   "are flipped; ketl reads TensorFlow-layout files");
  if (o.skip_mismatch && !o.by_name)
    throw value_error("ketl: load_weights: skip_mismatch needs by_name, as in Keras");
  const auto weights = net.weights();
  const auto& names = net.weight_names();
  const auto slots = keras_slots(net);
  std::vector<std::pair<std::size_t, const io::keras_weight*>> assign;
  auto shape_error_for = [&](std::size_t k, const keras_slot& s, std::size_t i,
                             const io::keras_weight& w) {
    return shape_error(where + "Layer #" + std::to_string(k) + " (named \"" + s.name +
                       "\"), weight " + names[s.first + i] + " has shape " +
                       keras_shape(weights[s.first + i].shape) +
                       ", but the saved weight has shape " + keras_shape(w.shape) + ".");
  };
  // A file layer's weights in the model's layout: a CuDNNLSTM's or
  // CuDNNGRU's converted (detail/cudnn_weights.hpp), kept here until assigned.
  std::deque<std::vector<io::keras_weight>> converted;
  auto model_layout = [&](const std::vector<io::keras_weight>& fw,
                          const keras_slot& s) -> const std::vector<io::keras_weight>& {
    const std::vector<std::string> n(names.begin() + std::ptrdiff_t(s.first),
                                     names.begin() + std::ptrdiff_t(s.first + s.count));
    std::vector<std::vector<std::size_t>> shapes;
    for (std::size_t i = 0; i < s.count; ++i) shapes.push_back(weights[s.first + i].shape);
    converted.emplace_back();
    return ketl::detail::keras_rnn_layout(fw, n, shapes, converted.back(),
                                          where + "layer " + s.name);
  };
  if (!o.by_name) {
    std::vector<const keras_slot*> model_layers;
    for (const auto& s : slots)
      if (s.count) model_layers.push_back(&s);
    std::vector<const io::keras_layer*> file_layers;
    for (const auto& l : file.layers)
      if (!l.weights.empty()) file_layers.push_back(&l);
    if (file_layers.size() != model_layers.size())
      throw value_error(where + "You are trying to load a weight file containing " +
                        std::to_string(file_layers.size()) + " layers into a model with " +
                        std::to_string(model_layers.size()) + " layers.");
    for (std::size_t k = 0; k < file_layers.size(); ++k) {
      const keras_slot& s = *model_layers[k];
      const auto& fw = model_layout(file_layers[k]->weights, s);
      if (fw.size() != s.count)
        throw value_error(where + "Layer #" + std::to_string(k) + " (named \"" + s.name +
                          "\" in the current model) was found to correspond to layer " +
                          file_layers[k]->name + " in the save file. However the new layer " +
                          s.name + " expects " + std::to_string(s.count) +
                          " weights, but the saved weights have " + std::to_string(fw.size()) +
                          " elements.");
      for (std::size_t i = 0; i < s.count; ++i) {
        if (fw[i].shape != weights[s.first + i].shape) throw shape_error_for(k, s, i, fw[i]);
        assign.emplace_back(s.first + i, &fw[i]);
      }
    }
  } else {
    std::map<std::string, const keras_slot*> index;
    for (const auto& s : slots) index[s.name] = &s;
    for (std::size_t k = 0; k < file.layers.size(); ++k) {
      const auto it = index.find(file.layers[k].name);
      if (it == index.end()) continue;  // layers with no match are skipped
      const keras_slot& s = *it->second;
      const auto& fw = model_layout(file.layers[k].weights, s);
      if (fw.size() != s.count) {
        if (o.skip_mismatch) {
          std::cerr << "ketl: load_weights: skipping loading of weights for layer " << s.name
                    << " due to mismatch in number of weights (" << s.count << " vs " << fw.size()
                    << ").\n";
          continue;
        }
        throw value_error(where + "Layer #" + std::to_string(k) + " (named \"" + s.name +
                          "\") expects " + std::to_string(s.count) +
                          " weight(s), but the saved weights have " + std::to_string(fw.size()) +
                          " element(s).");
      }
      for (std::size_t i = 0; i < s.count; ++i) {
        if (fw[i].shape == weights[s.first + i].shape) {
          assign.emplace_back(s.first + i, &fw[i]);
        } else if (o.skip_mismatch) {
          std::cerr << "ketl: load_weights: skipping loading of weights for layer " << s.name
                    << " due to mismatch in shape (" << keras_shape(weights[s.first + i].shape)
                    << " vs " << keras_shape(fw[i].shape) << ").\n";
        } else {
          throw shape_error_for(k, s, i, fw[i]);
        }
      }
    }
  }
  using T = std::decay_t<decltype(weights[0].value[0])>;
  for (const auto& [i, w] : assign)
    std::transform(w->values.begin(), w->values.end(), weights[i].value.begin(),
                   [](double d) { return T(d); });
}

}  // namespace detail
}  // namespace ketl::engine
