// A model's weights in and out: get_weights/set_weights as arrays, and
// save_weights/load_weights as a file. The extension picks the format:
//   - .h5/.hdf5: Keras's HDF5 layout (engine/keras_weights.hpp for the
//     matching, io/keras_h5.hpp for the file; that header must be included,
//     and it needs libhdf5);
//   - anything else: NumPy's .npz, one array per weight named
//     "<layer>/kernel", in Keras's order and layouts.
// Every name and shape is checked before any weight changes.
// Members of engine::trainer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "ketl/engine/trainer.hpp"
#include "ketl/io/npz.hpp"

namespace ketl::engine {

namespace detail {
// Every weight of a network, layer by layer, each layer's trainable ones
// first (Keras's get_weights order: gamma, beta, moving_mean, moving_variance).
template <class N>
auto all_weights(const N& net) {
  return std::vector<WeightRef<typename N::value_type>>(net.weights().begin(), net.weights().end());
}

// Checks that arrays of these shapes can replace the weights; throws otherwise.
template <class W>
void check_weight_shapes(const std::vector<W>& weights, const std::vector<std::string>& names,
                         const std::vector<std::vector<std::size_t>>& shapes,
                         const std::vector<std::string>& where) {
  if (shapes.size() != weights.size())
    throw value_error("ketl: the model has " + std::to_string(weights.size()) + " weights, but " +
                      std::to_string(shapes.size()) + " arrays were given");
  for (std::size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i] != weights[i].shape)
      throw shape_error("ketl: weight " + names[i] + " has shape " +
                        shape_string(weights[i].shape) + ", but " + where[i] + " has shape " +
                        shape_string(shapes[i]));
}
}  // namespace detail

template <Network Net>
std::vector<xt::xarray<typename Net::value_type>> trainer<Net>::get_weights() const {
  std::vector<xt::xarray<T>> out;
  for (const auto& w : detail::all_weights(net_)) {
    xt::xarray<T> a = xt::xarray<T>::from_shape(w.shape);
    std::copy(w.value.begin(), w.value.end(), a.begin());
    out.push_back(std::move(a));
  }
  return out;
}

template <Network Net>
void trainer<Net>::set_weights(const std::vector<xt::xarray<T>>& arrays) {
  const auto weights = detail::all_weights(net_);
  std::vector<std::vector<std::size_t>> shapes;
  std::vector<std::string> where;
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    shapes.emplace_back(arrays[i].shape().begin(), arrays[i].shape().end());
    where.push_back("array " + std::to_string(i));
  }
  detail::check_weight_shapes(weights, net_.weight_names(), shapes, where);
  for (std::size_t i = 0; i < arrays.size(); ++i)
    std::copy(arrays[i].begin(), arrays[i].end(), weights[i].value.begin());
}

namespace detail {
// The registered format for path's extension, or null for .npz; refuses a
// Keras extension whose header the program does not include.
inline const io::weight_format* format_for(const std::string& path, const char* what) {
  if (const auto* f = io::weight_format_for(path)) return f;
  if (const auto header = io::weight_format_header(path); !header.empty())
    throw io_error("ketl: " + std::string(what) + ": " + path + ": this format needs #include <" +
                   std::string(header) + "> (and its library; see docs/keras-files.md)");
  return nullptr;
}
}  // namespace detail

template <Network Net>
void trainer<Net>::save_weights(const std::string& path) const {
  if (const auto* f = detail::format_for(path, "save_weights"))
    return f->write(path, detail::keras_weights_of(net_), "save_weights");
  const auto weights = detail::all_weights(net_);
  const auto& names = net_.weight_names();
  std::vector<io::NpzEntry<T>> entries;
  for (std::size_t i = 0; i < weights.size(); ++i)
    entries.push_back({names[i], weights[i].shape, weights[i].value.data()});
  io::save_npz(path, entries);
}

// Reads a Keras file as Keras does (options: by_name, skip_mismatch), or an
// .npz written by save_weights (or by numpy.savez with the same names),
// always by name. Every name and shape is checked before any weight changes.
template <Network Net>
void trainer<Net>::load_weights(const std::string& path, const load_options& options) {
  if (const auto* f = detail::format_for(path, "load_weights"))
    return detail::load_keras_weights(net_, f->read(path, "load_weights"), path, options);
  if (options.skip_mismatch)
    throw value_error("ketl: load_weights: skip_mismatch applies to Keras files; " + path +
                      " is read as .npz, by name, and must fit whole");
  const auto arrays = io::load_npz(path);
  const auto weights = detail::all_weights(net_);
  const auto& names = net_.weight_names();
  std::vector<std::vector<std::size_t>> shapes;
  std::vector<std::string> where;
  for (const auto& name : names) {
    const auto it = arrays.find(name);
    if (it == arrays.end()) {
      std::string have;
      for (const auto& [k, v] : arrays) have += (have.empty() ? "" : ", ") + k;
      throw value_error("ketl: load_weights: " + path + " has no array " + name +
                        " (it has: " + have + ")");
    }
    shapes.push_back(it->second.shape);
    where.push_back(path + ":" + name);
  }
  if (arrays.size() != names.size())
    throw value_error("ketl: load_weights: " + path + " holds " + std::to_string(arrays.size()) +
                      " arrays, but the model has " + std::to_string(names.size()) + " weights");
  detail::check_weight_shapes(weights, names, shapes, where);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& v = arrays.at(names[i]).values;
    std::transform(v.begin(), v.end(), weights[i].value.begin(), [](double d) { return T(d); });
  }
}

}  // namespace ketl::engine
