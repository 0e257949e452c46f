// ketl-import's layer table (io/keras_import.hpp): each Keras layer config
// as the ketl type that computes the same, with its options and name, or a
// refusal that names the layer, its class and what ketl lacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ketl/error.hpp"

namespace ketl::io::keras {

// A layer or option that ketl does not have: the model cannot be imported.
struct unsupported_layer : value_error {
  using value_error::value_error;
};

namespace import_detail {
using json = nlohmann::ordered_json;

struct spelled {
  std::string type;  // ketl::Dense<5, ketl::Relu>
  std::string make;  // ketl::Dense<5, ketl::Relu>{{.name = "dense_1"}}
};

struct context {
  std::string layer, cls;  // for messages
  [[noreturn]] void refuse(const std::string& why) const {
    throw unsupported_layer("ketl-import: layer " + layer + " (" + cls + "): " + why);
  }
};

inline std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

inline std::string number(double v) {
  std::string s = json(v).dump();  // shortest round trip
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s + "f";
}

inline const json& get(const json& c, const char* key) {
  static const json null;
  return c.is_object() && c.contains(key) ? c.at(key) : null;
}

inline std::size_t count(const context& x, const json& v, const char* what) {
  if (!v.is_number_unsigned()) x.refuse(std::string(what) + " is not a count: " + v.dump());
  return v.get<std::size_t>();
}

// Keras's int or list of ints, as n counts.
inline std::vector<std::size_t> counts(const context& x, const json& v, std::size_t n,
                                       const char* what) {
  std::vector<std::size_t> out;
  if (v.is_array()) {
    for (const auto& e : v) out.push_back(count(x, e, what));
  } else {
    out.assign(n, count(x, v, what));
  }
  if (out.size() != n)
    x.refuse(std::string(what) + " has " + std::to_string(out.size()) + " values");
  return out;
}

inline std::string join(const std::vector<std::size_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

inline std::string activation(const context& x, const json& v) {
  std::string name = v.is_string() ? v.get<std::string>() : "";
  if (v.is_object() && get(v, "config").is_string()) name = get(v, "config").get<std::string>();
  if (v.is_object() && get(get(v, "config"), "name").is_string())
    name = get(get(v, "config"), "name").get<std::string>();
  static const std::map<std::string, std::string> known = {
      {"linear", "Linear"},     {"relu", "Relu"},
      {"elu", "Elu"},           {"selu", "Selu"},
      {"sigmoid", "Sigmoid"},   {"hard_sigmoid", "HardSigmoid"},
      {"tanh", "Tanh"},         {"softplus", "Softplus"},
      {"softsign", "Softsign"}, {"exponential", "Exponential"},
      {"softmax", "Softmax"}};
  const auto it = known.find(name);
  if (it == known.end()) x.refuse("activation " + v.dump() + " is not one ketl has");
  return "ketl::" + it->second;
}

inline std::string padding(const context& x, const json& v, bool causal_ok) {
  const std::string p = v.is_string() ? v.get<std::string>() : "valid";
  if (p == "valid" || p == "same" || (p == "causal" && causal_ok)) return "ketl::" + p;
  x.refuse("padding " + v.dump() + " is not one ketl has");
}

// Options that change what a layer computes and that ketl lacks.
inline void refuse_unless(const context& x, const json& c, const char* key, const json& ok) {
  const json& v = get(c, key);
  if (!v.is_null() && v != ok) x.refuse(std::string(key) + " = " + v.dump() + " is not supported");
}
inline void channels_last(const context& x, const json& c) {
  refuse_unless(x, c, "data_format", "channels_last");
}
inline void plain_weights(const context& x, const json& c) {
  for (const char* k :
       {"kernel_regularizer", "bias_regularizer", "activity_regularizer", "recurrent_regularizer",
        "embeddings_regularizer", "beta_regularizer", "gamma_regularizer", "kernel_constraint",
        "bias_constraint", "recurrent_constraint", "embeddings_constraint", "beta_constraint",
        "gamma_constraint"})
    if (!get(c, k).is_null()) x.refuse(std::string(k) + " is set; ketl has no " + k);
}

inline std::string canonical_class(std::string cls) {
  for (const char* v : {"V2", "Unified"}) {
    const std::string s(v);
    if (cls.size() > s.size() && cls.compare(cls.size() - s.size(), s.size(), s) == 0)
      cls.resize(cls.size() - s.size());
    if (cls.rfind(s, 0) == 0) cls.erase(0, s.size());
  }
  return cls;
}

// What the generator knows of the layer's input, for the layers whose
// spelling depends on it.
struct input_info {
  std::size_t rank = 0;  // without the batch axis
};

inline spelled recurrent(const context& x, const std::string& cls, const json& c,
                         const std::string& opts) {
  const std::size_t units = count(x, get(c, "units"), "units");
  refuse_unless(x, c, "unroll", false);
  std::string spec = "ketl::rnn{";
  auto flag = [&](const char* key, const char* field) {
    if (get(c, key).is_boolean() && get(c, key).get<bool>())
      spec += std::string(".") + field + " = true, ";
  };
  flag("return_sequences", "return_sequences");
  flag("go_backwards", "go_backwards");
  if (get(c, "use_bias").is_boolean() && !get(c, "use_bias").get<bool>())
    spec += ".use_bias = false, ";
  if (cls == "GRU") flag("reset_after", "reset_after");
  flag("stateful", "stateful");
  flag("return_state", "return_state");
  if (spec.size() > 10) spec.resize(spec.size() - 2);
  spec += "}";
  const std::string act =
      activation(x, get(c, "activation").is_null() ? json("tanh") : get(c, "activation"));
  std::string type = "ketl::" + cls + "<" + std::to_string(units) + ", " + spec + ", " + act;
  if (cls != "SimpleRNN")
    type += ", " + activation(x, get(c, "recurrent_activation").is_null()
                                     ? json("hard_sigmoid")
                                     : get(c, "recurrent_activation"));
  type += ">";
  std::string o;
  if (cls == "LSTM" && get(c, "unit_forget_bias") == false) o += ".unit_forget_bias = false, ";
  for (const char* k : {"dropout", "recurrent_dropout"})
    if (get(c, k).is_number() && get(c, k).get<double>() != 0)
      o += std::string(".") + k + " = " + number(get(c, k).get<double>()) + ", ";
  return {type, type + "{{" + o + opts + "}}"};
}

// A layer's class and config as its ketl type and the expression that
// makes it. `in` is its input's rank (without the batch axis).
inline spelled spell(const json& layer, const input_info& in) {
  const json& c = get(layer, "config");
  context x{
      get(c, "name").is_string() ? get(c, "name").get<std::string>() : "?",
      get(layer, "class_name").is_string() ? get(layer, "class_name").get<std::string>() : "?"};
  const std::string cls = canonical_class(x.cls);
  if (!c.is_object()) x.refuse("it has no config");
  plain_weights(x, c);
  const std::string name = ".name = " + quote(x.layer);
  auto plain = [&](const std::string& type) { return spelled{type, type + "{{" + name + "}}"}; };
  auto arr = [](const std::vector<std::size_t>& v) {
    return v.size() == 1 ? join(v) : "{" + join(v) + "}";
  };
  if (cls == "Dense") {
    refuse_unless(x, c, "use_bias", true);
    return plain("ketl::Dense<" + std::to_string(count(x, get(c, "units"), "units")) + ", " +
                 activation(x, get(c, "activation")) + ">");
  }
  if (cls == "Activation")
    return plain("ketl::Activation<" + activation(x, get(c, "activation")) + ">");
  if (cls == "Dropout" || cls == "SpatialDropout1D" || cls == "SpatialDropout2D") {
    refuse_unless(x, c, "noise_shape", nullptr);
    if (!get(c, "rate").is_number()) x.refuse("rate is not a number");
    if (cls != "Dropout") channels_last(x, c);
    const std::string type = "ketl::" + cls;
    return {type, type + "{" + number(get(c, "rate").get<double>()) + ", {" + name + "}}"};
  }
  if (cls == "Flatten") {
    channels_last(x, c);
    return plain("ketl::Flatten");
  }
  if (cls == "Reshape" || cls == "Permute") {
    const json& v = get(c, cls == "Reshape" ? "target_shape" : "dims");
    return plain("ketl::" + cls + "<" + join(counts(x, v, v.size(), "the shape")) + ">");
  }
  if (cls == "RepeatVector")
    return plain("ketl::RepeatVector<" + std::to_string(count(x, get(c, "n"), "n")) + ">");
  if (cls == "Masking") {
    const double v = get(c, "mask_value").is_number() ? get(c, "mask_value").get<double>() : 0.0;
    return {"ketl::Masking", "ketl::Masking{{.mask_value = " + number(v) + ", " + name + "}}"};
  }
  if (cls == "Conv1D" || cls == "Conv2D") {
    channels_last(x, c);
    const std::size_t n = cls == "Conv1D" ? 1 : 2;
    const json one = 1;
    const auto k = counts(x, get(c, "kernel_size"), n, "kernel_size");
    const auto s = counts(x, get(c, "strides").is_null() ? one : get(c, "strides"), n, "strides");
    const auto d = counts(x, get(c, "dilation_rate").is_null() ? one : get(c, "dilation_rate"), n,
                          "dilation_rate");
    std::string spec = (n == 1 ? "ketl::conv1d{.kernel = " : "ketl::conv2d{.kernel = ") + arr(k);
    if (s != std::vector<std::size_t>(n, 1)) spec += ", .strides = " + arr(s);
    spec += ", .padding = " + padding(x, get(c, "padding"), n == 1);
    if (d != std::vector<std::size_t>(n, 1)) spec += ", .dilation = " + arr(d);
    if (get(c, "use_bias") == false) spec += ", .use_bias = false";
    return plain("ketl::" + cls + "<" + std::to_string(count(x, get(c, "filters"), "filters")) +
                 ", " + spec + "}, " + activation(x, get(c, "activation")) + ">");
  }
  for (const char* pool : {"MaxPooling", "AveragePooling"})
    for (const char* dim : {"1D", "2D"})
      if (cls == std::string(pool) + dim) {
        channels_last(x, c);
        const std::size_t n = dim[0] == '1' ? 1 : 2;
        const json two = 2;
        const auto size =
            counts(x, get(c, "pool_size").is_null() ? two : get(c, "pool_size"), n, "pool_size");
        const auto s =
            get(c, "strides").is_null() ? size : counts(x, get(c, "strides"), n, "strides");
        std::string spec =
            std::string(n == 1 ? "ketl::pool1d" : "ketl::pool2d") + "{.size = " + arr(size);
        if (s != size) spec += ", .strides = " + arr(s);
        spec += ", .padding = " + padding(x, get(c, "padding"), false) + "}";
        return plain("ketl::" + cls + "<" + spec + ">");
      }
  if (cls == "GlobalMaxPooling1D" || cls == "GlobalAveragePooling1D" ||
      cls == "GlobalMaxPooling2D" || cls == "GlobalAveragePooling2D") {
    channels_last(x, c);
    refuse_unless(x, c, "keepdims", false);
    return plain("ketl::" + cls);
  }
  for (const char* pad : {"ZeroPadding", "Cropping"})
    for (const char* dim : {"1D", "2D"})
      if (cls == std::string(pad) + dim) {
        channels_last(x, c);
        const char* key = pad[0] == 'Z' ? "padding" : "cropping";
        const json& v = get(c, key);
        const json one = 1;
        std::string m;
        if (dim[0] == '1') {
          m = "ketl::margins1d{" + join(counts(x, v.is_null() ? one : v, 2, key)) + "}";
        } else {
          std::vector<std::size_t> r, q;
          if (v.is_array() && v.size() == 2 && v[0].is_array()) {
            r = counts(x, v[0], 2, key), q = counts(x, v[1], 2, key);
          } else {
            const auto p = counts(x, v.is_null() ? one : v, 2, key);
            r = {p[0], p[0]}, q = {p[1], p[1]};
          }
          m = "ketl::margins2d{.rows = {" + join(r) + "}, .cols = {" + join(q) + "}}";
        }
        return plain("ketl::" + cls + "<" + m + ">");
      }
  if (cls == "UpSampling1D")
    return plain("ketl::UpSampling1D<" + std::to_string(count(x, get(c, "size"), "size")) + ">");
  if (cls == "UpSampling2D") {
    channels_last(x, c);
    refuse_unless(x, c, "interpolation", "nearest");
    return plain("ketl::UpSampling2D<" + join(counts(x, get(c, "size"), 2, "size")) + ">");
  }
  if (cls == "BatchNormalization") {
    const json& axis = get(c, "axis");
    const json a = axis.is_array() && axis.size() == 1 ? axis[0] : axis;
    if (!(a == -1 || (a.is_number_unsigned() && a.get<std::size_t>() == in.rank)))
      x.refuse("axis " + axis.dump() + " is not the last axis, the only one ketl normalizes");
    std::string spec;
    if (get(c, "center") == false) spec += ".center = false";
    if (get(c, "scale") == false) spec += std::string(spec.empty() ? "" : ", ") + ".scale = false";
    const std::string type = "ketl::BatchNormalization<ketl::batch_norm{" + spec + "}>";
    std::string o;
    for (const char* k : {"momentum", "epsilon"})
      if (get(c, k).is_number())
        o += std::string(".") + k + " = " + number(get(c, k).get<double>()) + ", ";
    return {type, type + "{{" + o + name + "}}"};
  }
  if (cls == "Embedding")
    return plain("ketl::Embedding<" + std::to_string(count(x, get(c, "input_dim"), "input_dim")) +
                 ", " + std::to_string(count(x, get(c, "output_dim"), "output_dim")) +
                 (get(c, "mask_zero") == true ? ", ketl::embedding{.mask_zero = true}" : "") + ">");
  if (cls == "SimpleRNN" || cls == "LSTM" || cls == "GRU") {
    refuse_unless(x, c, "time_major", false);
    return recurrent(x, cls, c, name);
  }
  if (cls == "Bidirectional" || cls == "TimeDistributed") {
    const bool td = cls == "TimeDistributed";
    const spelled i = spell(get(c, "layer"), td && in.rank > 0 ? input_info{in.rank - 1} : in);
    std::string type = "ketl::TimeDistributed<" + i.type + ">";
    if (!td) {
      if (!get(c, "backward_layer").is_null())
        x.refuse("a backward_layer of its own is not supported");
      const json& mode = get(c, "merge_mode");
      const std::string m = mode.is_null()     ? "none"
                            : mode.is_string() ? mode.get<std::string>()
                                               : "?";
      if (m != "concat" && m != "sum" && m != "mul" && m != "ave" && m != "none")
        x.refuse("merge_mode " + mode.dump() + " is not one ketl has");
      type = "ketl::Bidirectional<" + i.type + ", ketl::merge_mode::" + m + ">";
    }
    return {type, type + "{" + i.make + ", {" + name + "}}"};
  }
  for (const char* merge : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
    if (cls == merge) return plain("ketl::" + cls);
  if (cls == "Concatenate") {
    const json& axis = get(c, "axis");
    if (!axis.is_number_integer()) x.refuse("axis " + axis.dump() + " is not an axis");
    const int a = axis.get<int>();
    return plain(a == -1 ? "ketl::Concatenate<>" : "ketl::Concatenate<" + std::to_string(a) + ">");
  }
  if (cls == "Dot") {
    const json& axes = get(c, "axes");
    std::string ax;
    if (axes.is_number_integer())
      ax = std::to_string(axes.get<int>());
    else if (axes.is_array() && axes.size() == 2 && axes[0].is_number_integer() &&
             axes[1].is_number_integer())
      ax = std::to_string(axes[0].get<int>()) + ", " + std::to_string(axes[1].get<int>());
    else
      x.refuse("axes " + axes.dump() + " are not axes");
    const std::string type = "ketl::Dot<" + ax + ">";
    return {type,
            type + "{{" + (get(c, "normalize") == true ? ".normalize = true, " : "") + name + "}}"};
  }
  if (cls == "Model" || cls == "Functional")
    x.refuse("a functional model used as a layer is not supported by ketl-import");
  x.refuse("ketl has no such layer");
}

}  // namespace import_detail
}  // namespace ketl::io::keras
