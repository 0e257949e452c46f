// Whole Keras model files: ketl::save_model(model, "m.h5") writes what
// Keras 2.2.4's model.save writes, so that keras.models.load_model("m.h5")
// in Python rebuilds the model and predicts what ketl predicts; and
// ketl::load_model reads such files back into a typed model. The model's
// part is here: its architecture (model_config: Keras 2.2.4's JSON for the
// Sequential, {"class_name": "Sequential", "config": {"name", "layers"}},
// and for the functional Model, with its inbound_nodes; each layer's config
// from io/keras_config.hpp), its weights, and for a compiled model its
// training_config and optimizer state (io/keras_training.hpp). The file's
// part is the format's, picked by the extension as for save_weights:
// io/keras_h5.hpp for .h5 (libhdf5), io/tfjs.hpp for TensorFlow.js's
// model.json. Include the one (or both) the program uses.
//
// Needs nlohmann-json (io/keras_config.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/engine/weight_io.hpp"
#include "ketl/io/file.hpp"
#include "ketl/io/keras_architecture.hpp"
#include "ketl/io/keras_config.hpp"
#include "ketl/io/keras_training.hpp"
#include "ketl/models/functional.hpp"
#include "ketl/models/sequential.hpp"

namespace ketl {

namespace io::keras {

template <class E>
constexpr const char* dtype_name() {
  if constexpr (std::is_same_v<E, double>) return "float64";
  if constexpr (std::is_same_v<E, float>) return "float32";
  if constexpr (std::is_same_v<E, std::int64_t>) return "int64";
  if constexpr (std::is_same_v<E, std::int32_t>) return "int32";
  if constexpr (std::is_same_v<E, std::int16_t>) return "int16";
  if constexpr (std::is_same_v<E, std::uint8_t>) return "uint8";
  return "int32";
}

// A layer ketl has no Keras config for stops the build here, naming it.
template <class L>
inline constexpr bool has_keras_config = false;

// Layer I of a Sequential's network (Input excluded at I = 0).
template <class S, std::size_t I>
json sequential_layer(const S& m, const std::string& owner) {
  using L = typename S::template layer_type<I>;
  using In = typename S::template input_shape_of<I>;
  if constexpr (requires(const L& l) {
                  layer_config(l, std::string(), static_cast<In*>(nullptr));
                }) {
    const std::string name = m.layer_name(I);
    return layer_config(m.template layer<I>(),
                        owner.empty() ? name : ketl::detail::nested_layer_name(owner, name),
                        static_cast<In*>(nullptr));
  } else {
    static_assert(has_keras_config<L>,
                  "ketl::save_model: this layer has no Keras config in ketl yet (see "
                  "docs/keras-files.md for the layers save_model writes)");
    return nullptr;
  }
}

// The layers of a Sequential's network, as Keras 2.2.4's Sequential config
// lists them: the first with batch_input_shape and dtype. A nested
// model's layers (below) are named after their `owner`.
template <class S>
json sequential_config_layers(const S& m, const std::string& owner = "") {
  using First = typename S::template layer_type<0>;
  json layers = json::array();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (layers.push_back(sequential_layer<S, I + 1>(m, owner)), ...);
  }
  (std::make_index_sequence<S::depth - 1>{});
  json shape = json::array();
  if constexpr (First::batch_size > 0)
    shape.push_back(First::batch_size);
  else
    shape.push_back(nullptr);
  for (auto d : S::input_shape::dims) shape.push_back(d);
  layers[0]["config"]["batch_input_shape"] = shape;
  // The layer's dtype (its weights'); Keras 2.2.4's Sequential has no
  // entry for an integer Input: an Embedding casts what it is given.
  layers[0]["config"]["dtype"] = dtype_name<typename S::value_type>();
  return layers;
}

// Keras 2.2.4's Sequential.get_config, as model.save writes it.
template <Layer... L>
json model_config(const Sequential<L...>& m) {
  return {
      {"class_name", "Sequential"},
      {"config", {{"name", "sequential_1"}, {"layers", sequential_config_layers(m.network())}}}};
}

// A Sequential used as a layer of a functional model: its config nested,
// as Keras nests it ({"name", "layers"}, the form tf.keras and Keras 2.2.5+
// write and 2.2.4 reads). Its layers are named "<name>_<layer>"
// (detail::nested_layer_name says why).
template <class Net, class In>
requires requires { typename Net::template layer_type<0>; }
json layer_config(const models::nested<Net>& l, const std::string& name, In*) {
  return {{"class_name", "Sequential"},
          {"config", {{"name", name}, {"layers", sequential_config_layers(l.network(), name)}}}};
}

// A functional network's Input node types, for their dtypes.
template <class Net>
struct input_nodes;
template <class... In, class Out>
struct input_nodes<models::functional_network<ketl::detail::type_list<In...>, Out>> {
  template <class T>
  static std::vector<std::string> dtypes() {
    return {[] {
      if constexpr (requires { typename In::dtype; })
        return std::string(dtype_name<typename In::dtype>());
      else
        return std::string(dtype_name<T>());
    }()...};
  }
};

inline json refs(const std::vector<models::detail::keras_ref>& r, bool with_kwargs) {
  json out = json::array();
  for (const auto& x : r) {
    json e = {x.layer, x.node, x.tensor};
    if (with_kwargs) e.push_back(json::object());
    out.push_back(std::move(e));
  }
  return out;
}

// Keras 2.2.4's Network.get_config for a functional Model: the layers in
// model.layers order, each with its calls' inbound nodes, then the model's
// input and output layers.
template <class Inputs, class Outputs>
json model_config(const Model<Inputs, Outputs>& m) {
  const auto& net = m.network();
  using Net = std::decay_t<decltype(net)>;
  const auto topo = net.keras_topology();
  std::vector<json> configs(topo.rows.size());
  std::vector<std::size_t> row_of_slot(topo.rows.size(), 0);
  for (std::size_t r = 0; r < topo.rows.size(); ++r)
    if (topo.rows[r].slot != models::detail::no_index) row_of_slot[topo.rows[r].slot] = r;
  net.visit_layers([&](const auto& l, std::size_t slot, auto* in) {
    using L = std::decay_t<decltype(l)>;
    if constexpr (requires { layer_config(l, std::string(), in); }) {
      configs[row_of_slot[slot]] = layer_config(l, topo.rows[row_of_slot[slot]].name, in);
    } else {
      static_assert(has_keras_config<L>,
                    "ketl::save_model: this layer has no Keras config in ketl yet (see "
                    "docs/keras-files.md for the layers save_model writes)");
    }
  });
  const auto dtypes = input_nodes<Net>::template dtypes<typename Net::value_type>();
  std::vector<json> input_shapes;
  [&]<class... S>(ketl::detail::type_list<S...>*) {
    (input_shapes.push_back([] {
      json shape = json::array({nullptr});
      for (auto d : S::dims) shape.push_back(d);
      return shape;
    }()),
     ...);
  }(static_cast<typename Net::input_shapes*>(nullptr));
  json layers = json::array();
  for (std::size_t r = 0; r < topo.rows.size(); ++r) {
    const auto& row = topo.rows[r];
    json entry = {{"name", row.name}};
    if (row.input != models::detail::no_index) {
      json shape = input_shapes[row.input];
      if (Net::fixed_batch_size) shape[0] = Net::fixed_batch_size;
      entry["class_name"] = "InputLayer";
      entry["config"] = {{"batch_input_shape", shape},
                         {"dtype", dtypes[row.input]},
                         {"sparse", false},
                         {"name", row.name}};
      entry["inbound_nodes"] = json::array();
    } else {
      entry["class_name"] = configs[r]["class_name"];
      entry["config"] = configs[r]["config"];
      json nodes = json::array();
      for (const auto& call : row.calls) nodes.push_back(refs(call, true));
      entry["inbound_nodes"] = std::move(nodes);
    }
    layers.push_back(std::move(entry));
  }
  return {{"class_name", "Model"},
          {"config",
           {{"name", "model_1"},
            {"layers", std::move(layers)},
            {"input_layers", refs(topo.inputs, false)},
            {"output_layers", refs(topo.outputs, false)}}}};
}

}  // namespace io::keras

// Keras's load_model, for a model whose type ketl knows: `prototype` is the
// model as the program builds it. The file's architecture (model_config) is
// compared with the prototype's, and the first difference is an error in
// plain words; then the file's weights are loaded into it, topologically.
// When the file has a training_config, a compiled prototype takes the
// file's optimizer config and state (its loss must be the file's), and an
// uncompiled one is compiled as the file says (io/keras_training.hpp).
// It is returned; nothing is returned on any failure.
template <class M>
M load_model(const std::string& path, M prototype) {
  const std::string where = "ketl: load_model: " + path + ": ";
  const auto* format = engine::detail::format_for(path, "load_model");
  if (!format)
    throw io_error(where + "load_model reads Keras's .h5 and TensorFlow.js's model.json files");
  const io::keras_weights file = format->read(path, "load_model");
  if (file.model_config.empty())
    throw io_error(where +
                   "it holds weights only (save_weights); build the model and call "
                   "load_weights");
  const std::string diff =
      io::keras::check_architecture(io::keras::model_config(prototype), file.model_config, where);
  if (!diff.empty()) throw value_error(where + diff);
  engine::detail::load_keras_weights(prototype.network(), file, path, {});
  if (!file.training_config.empty()) {
    if (!prototype.compiled()) io::keras::compile_from_file(prototype, file, where);
    io::keras::restore_training(prototype, file, where);
  }
  return prototype;
}

// The same for a model type that builds itself: a Sequential built from
// its layers' defaults, or a type whose default constructor builds the
// model (as ketl-import's headers declare them):
//   using Net = ketl::Sequential<ketl::Input<784>, ketl::Dense<128, ketl::Relu>, ...>;
//   auto model = ketl::load_model<Net>("model.h5");
template <class M>
requires std::is_default_constructible_v<M> || requires {
  []<class... L>(Sequential<L...>*) {}(static_cast<M*>(nullptr));
}
M load_model(const std::string& path) {
  if constexpr (std::is_default_constructible_v<M>)
    return load_model(path, M{});
  else
    return load_model(path, []<class... L>(Sequential<L...>*) {
      return Sequential<L...>(L{}...);
    }(static_cast<M*>(nullptr)));
}

namespace io::keras {
// What save_model writes: the weights, the architecture, and for a
// compiled model its training_config and optimizer state.
template <class M>
keras_weights model_file(const M& model) {
  auto file = engine::detail::keras_weights_of(model.network());
  file.model_config = model_config(model).dump();
  if (model.compiled()) {
    file.training_config = training_config(model).dump();
    file.optimizer_weights =
        optimizer_weights(model, std::is_same_v<typename M::value_type, double>);
  }
  return file;
}
}  // namespace io::keras

namespace io::keras {
template <class M>
void save_model_file(const M& model, const std::string& path) {
  const auto* format = engine::detail::format_for(path, "save_model");
  if (!format)
    throw io_error("ketl: save_model: " + path +
                   ": save_model writes Keras's .h5 and TensorFlow.js's model.json files");
  format->write_model(path, model_file(model), "save_model");
}
}  // namespace io::keras

// Keras's model.save for a functional Model.
template <class Inputs, class Outputs>
void save_model(const Model<Inputs, Outputs>& model, const std::string& path) {
  io::keras::save_model_file(model, path);
}

// Keras's model.save for a Sequential: the architecture, the weights and,
// once compiled, the training config and the optimizer's state, in the
// format of the path's extension (.h5; .json, TensorFlow.js), written
// atomically (a failed save leaves the old file).
template <Layer... L>
void save_model(const Sequential<L...>& model, const std::string& path) {
  io::keras::save_model_file(model, path);
}

}  // namespace ketl
