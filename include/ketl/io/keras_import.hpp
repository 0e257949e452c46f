// ketl-import's generator (tools/ketl_import.cpp is the program): a Keras
// model config (a .h5 file's model_config, a model.json's modelTopology) as
// a C++ header that declares the typed model,
//
//   struct NAME : ketl::Sequential<ketl::Input<784>, ketl::Dense<128, ketl::Relu>, ...> {
//     NAME() : ketl::Sequential<...>(ketl::Input<784>{}, ...) {}
//   };
//
// so that `auto m = ketl::load_model<NAME>(file);` builds it, checks the
// file's architecture against it and loads the weights. A functional model
// becomes a function that builds its graph (its inputs, each call, shared
// layers, an RNN's returned states) and a struct NAME of the graph's type.
// Every layer ketl has is spelled with its options and name
// (detail/keras_import_layers.hpp); a layer or an option ketl lacks throws
// unsupported_layer, naming the layer and its class, and nothing is made.
// Handles the forms Keras 2.0-2.3 and tf.keras 2.x write: a bare-list
// Sequential, an InputLayer entry, batch_input_shape on the first layer
// (and stale on inner ones), dtype objects, a list axis, the V2 and
// Unified class names.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ketl/detail/keras_import_layers.hpp"
#include "ketl/io/keras_architecture.hpp"

namespace ketl::io::keras {

namespace import_detail {

// A batch_input_shape and dtype as ketl's Input type.
inline std::string input_type(const context& x, const json& shape, const json& dtype, bool integer,
                              std::size_t length) {
  if (!shape.is_array() || shape.size() < 2)
    x.refuse("its input shape " + shape.dump() + " is not known");
  std::vector<std::size_t> dims;
  for (std::size_t i = 1; i < shape.size(); ++i) {
    if (shape[i].is_null() && length > 0) {
      dims.push_back(length);  // --length: a free axis fixed at import
      continue;
    }
    if (!shape[i].is_number_unsigned())
      x.refuse("its input shape " + shape.dump() +
               " has a free axis; ketl's shapes are static: fix it with --length N");
    dims.push_back(shape[i].get<std::size_t>());
  }
  std::string d = dtype.is_string() ? dtype.get<std::string>() : "";
  if (dtype.is_object())
    d = get(get(dtype, "config"), "name").is_string()
            ? get(get(dtype, "config"), "name").get<std::string>()
            : "";
  std::string type = "ketl::Input<" + join(dims) + ">";
  if (integer || d.rfind("int", 0) == 0 || d.rfind("uint", 0) == 0) type += "::of<std::int32_t>";
  if (shape[0].is_number_unsigned())
    type += "::batch<" + std::to_string(shape[0].get<std::size_t>()) + ">";
  return type;
}

inline std::string class_of(const json& l) {
  return get(l, "class_name").is_string() ? canonical_class(get(l, "class_name").get<std::string>())
                                          : "";
}

// The output rank a layer leaves, as far as the layers that need it
// (BatchNormalization's axis, TimeDistributed) care: a guess only where the
// rank cannot matter to them.
inline std::size_t rank_after(const json& l, std::size_t rank) {
  const std::string cls = class_of(l);
  const json& c = get(l, "config");
  if (cls == "Sequential") {  // through its layers
    const json& layers = c.is_array() ? c : get(c, "layers");
    if (layers.is_array())
      for (const auto& inner : layers)
        if (class_of(inner) != "InputLayer") rank = rank_after(inner, rank);
    return rank;
  }
  if (cls == "Flatten" || cls.rfind("Global", 0) == 0) return 1;
  if (cls == "Reshape") return get(c, "target_shape").size();
  if (cls == "Embedding") return rank + 1;
  if (cls == "RepeatVector") return 2;
  if (cls == "SimpleRNN" || cls == "LSTM" || cls == "GRU" || cls == "Bidirectional") {
    const json& inner = cls == "Bidirectional" ? get(get(c, "layer"), "config") : c;
    return get(inner, "return_sequences") == true ? rank : rank - 1;
  }
  return rank;
}

// A Sequential config's Input and layers, spelled.
inline std::vector<spelled> sequential_parts(const json& config, std::size_t length) {
  const json& c = get(config, "config");
  const json& layers = c.is_array() ? c : get(c, "layers");
  context x{get(c, "name").is_string() ? get(c, "name").get<std::string>() : "?", "Sequential"};
  if (!layers.is_array() || layers.empty()) x.refuse("it has no layers");
  std::size_t first = 0;
  if (class_of(layers[0]) == "InputLayer") first = 1;
  const json& shape = get(get(layers[0], "config"), "batch_input_shape");
  const json& dtype = get(get(layers[0], "config"), "dtype");
  if (first >= layers.size()) x.refuse("it has no layers after its input");
  const bool embedding = class_of(layers[first]) == "Embedding";
  const std::string in = input_type(x, shape, dtype, embedding, length);
  std::vector<spelled> out{{in, in + "{}"}};
  input_info info{shape.size() - 1};
  for (std::size_t i = first; i < layers.size(); ++i) {
    if (class_of(layers[i]) == "Sequential")
      context{get(get(layers[i], "config"), "name").is_string()
                  ? get(get(layers[i], "config"), "name").get<std::string>()
                  : "?",
              "Sequential"}
          .refuse("a Sequential inside a Sequential is not supported by ketl-import");
    out.push_back(spell(layers[i], info));
    info.rank = rank_after(layers[i], info.rank);
  }
  return out;
}

// The Sequential's header body.
inline std::string sequential(const json& config, const std::string& name, std::size_t length) {
  const auto parts = sequential_parts(config, length);
  std::string list, args;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    list += (i ? ",\n                         " : "") + parts[i].type;
    args += (i ? ",\n      " : "      ") + parts[i].make;
  }
  return "using " + name + "_base = ketl::Sequential<" + list + ">;\n\nstruct " + name + " : " +
         name + "_base {\n  " + name + "()\n    : " + name + "_base(\n" + args + ") {}\n};\n";
}

// The functional model's header body: a function that builds the graph, in
// model.layers order (each layer's inputs come before it), and the struct.
inline std::string functional(const json& config, const std::string& name, std::size_t length) {
  const json& c = get(config, "config");
  const json& layers = get(c, "layers");
  context x{"?", "Model"};
  if (!layers.is_array()) x.refuse("it has no layers");
  std::map<std::tuple<std::string, std::size_t, std::size_t>, std::string> tensors;
  std::map<std::string, std::size_t> rank_of;  // each layer's output rank, for the next
  std::string body;
  std::size_t var = 0;
  auto ref = [&](const json& r, const context& at) -> std::pair<std::string, std::size_t> {
    if (!r.is_array() || r.size() < 3 || !r[0].is_string() || !r[1].is_number_unsigned() ||
        !r[2].is_number_unsigned())
      at.refuse("an inbound reference " + r.dump() + " is not [layer, node, tensor]");
    const auto key =
        std::make_tuple(r[0].get<std::string>(), r[1].get<std::size_t>(), r[2].get<std::size_t>());
    const auto it = tensors.find(key);
    if (it == tensors.end()) at.refuse("it reads " + r.dump() + " before that tensor is made");
    return {it->second, rank_of[r[0].get<std::string>()]};
  };
  for (const auto& l : layers) {
    const std::string lname = get(l, "name").is_string()
                                  ? get(l, "name").get<std::string>()
                                  : get(get(l, "config"), "name").get<std::string>();
    const std::string cls = class_of(l);
    context at{lname, cls};
    if (cls == "InputLayer") {
      const json& lc = get(l, "config");
      const std::string v = "in" + std::to_string(var++);
      body += "  auto " + v + " = " +
              input_type(at, get(lc, "batch_input_shape"), get(lc, "dtype"), false, length) +
              "{{.name = " + quote(lname) + "}};\n";
      tensors[{lname, 0, 0}] = v;
      rank_of[lname] = get(lc, "batch_input_shape").size() - 1;
      continue;
    }
    const json& nodes = get(l, "inbound_nodes");
    if (!nodes.is_array() || nodes.empty()) at.refuse("it has no inbound nodes");
    const bool returns_state = get(get(l, "config"), "return_state") == true;
    // Its input rank from its first call's first input.
    if (!nodes[0].is_array() || nodes[0].empty()) at.refuse("its first call has no inputs");
    const std::size_t in_rank = ref(nodes[0][0], at).second;
    spelled s;
    if (cls == "Sequential") {  // a Sequential used as a layer: built in place
      std::string args;
      for (const auto& p : sequential_parts(l, length)) args += (args.empty() ? "" : ", ") + p.make;
      s = {"", "ketl::Sequential{" + args + "}"};
    } else {
      s = spell(l, input_info{in_rank});
    }
    std::string layer_expr = s.make;
    if (nodes.size() > 1) {
      const std::string lv = "layer" + std::to_string(var++);
      body += "  auto " + lv + " = ketl::shared(" + s.make + ");\n";
      layer_expr = lv;
    }
    // A nested model's calls count from 1 (its node 0 is its own).
    const std::size_t first_node = cls == "Sequential" ? 1 : 0;
    for (std::size_t n0 = 0; n0 < nodes.size(); ++n0) {
      const std::size_t n = n0 + first_node;
      std::string args;
      for (const auto& r : nodes[n0]) args += (args.empty() ? "" : ", ") + ref(r, at).first;
      const std::string v = "t" + std::to_string(var++);
      if (returns_state) {
        const std::size_t k = cls == "LSTM" ? 3 : 2;
        std::string names;
        for (std::size_t i = 0; i < k; ++i) {
          names += (i ? ", " : "") + v + "_" + std::to_string(i);
          tensors[{lname, n, i}] = v + "_" + std::to_string(i);
        }
        body += "  auto [" + names + "] = " + layer_expr + "(" + args + ");\n";
      } else {
        body += "  auto " + v + " = " + layer_expr + "(" + args + ");\n";
        tensors[{lname, n, 0}] = v;
      }
    }
    rank_of[lname] = rank_after(l, in_rank);
  }
  auto list = [&](const char* key) {
    std::vector<std::string> out;
    const json& refs = get(c, key);
    if (!refs.is_array() || refs.empty()) x.refuse(std::string("it has no ") + key);
    for (const auto& r : refs) out.push_back(ref(r, x).first);
    return out;
  };
  const auto ins = list("input_layers"), outs = list("output_layers");
  auto join_names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
    return s;
  };
  const std::string model = ins.size() == 1 && outs.size() == 1
                                ? "ketl::Model{" + ins[0] + ", " + outs[0] + "}"
                                : "ketl::Model{ketl::inputs(" + join_names(ins) +
                                      "), ketl::outputs(" + join_names(outs) + ")}";
  return "inline auto " + name + "_graph() {\n" + body + "  return " + model + ";\n}\n\nstruct " +
         name + " : decltype(" + name + "_graph()) {\n  " + name + "() : decltype(" + name +
         "_graph())(" + name + "_graph()) {}\n};\n";
}
}  // namespace import_detail

// The header for a model config (Keras's JSON text); `source` names the file
// in the header's comment and `format_header` is the format's ketl header
// ("ketl/io/keras_h5.hpp"). Throws unsupported_layer for what ketl lacks.
// `length`, when not 0, fixes the input's free axes (a variable sequence
// length, Keras's None) at that size.
inline std::string import_header(const std::string& model_config, const std::string& name,
                                 const std::string& source, const std::string& format_header,
                                 std::size_t length = 0) {
  using import_detail::json;
  json config;
  try {
    config = json::parse(model_config);
  } catch (const json::exception& e) {
    throw io_error("ketl-import: " + source + ": its model config is not JSON (" + e.what() + ")");
  }
  io::keras::detail::cudnn_as_plain(config);  // a CuDNNLSTM is spelled as the LSTM it computes
  const std::string cls = import_detail::class_of(config);
  std::string body;
  if (cls == "Sequential")
    body = import_detail::sequential(config, name, length);
  else if (cls == "Model" || cls == "Functional")
    body = import_detail::functional(config, name, length);
  else
    throw unsupported_layer("ketl-import: " + source + ": the model is a " + cls +
                            ", not a Sequential or a functional Model");
  return "// Generated by ketl-import from " + source +
         ".\n// Load it with: auto model = ketl::load_model<" + name + ">(\"" + source +
         "\");\n#pragma once\n\n#include <cstdint>\n\n#include <" + format_header +
         ">\n#include <ketl/io/keras_model.hpp>\n#include <ketl/ketl.hpp>\n\n" + body;
}

}  // namespace ketl::io::keras
