// Each ketl layer's Keras config: the {"class_name", "config"} object Keras
// 2.2.4's layer.get_config() gives for the same layer, with Keras's keys
// and defaults, so that keras.models.model_from_json (and load_model)
// rebuilds it. JSON through nlohmann-json (Debian's nlohmann-json3-dev,
// header-only); only the model-file headers include this one.
//
// layer_config(layer, shape) is found by overload resolution; a layer
// without one is refused by save_model, by name.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "ketl/detail/layer_names.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layers/activation.hpp"
#include "ketl/layers/add.hpp"
#include "ketl/layers/average.hpp"
#include "ketl/layers/average_pooling1d.hpp"
#include "ketl/layers/average_pooling2d.hpp"
#include "ketl/layers/batch_normalization.hpp"
#include "ketl/layers/bidirectional.hpp"
#include "ketl/layers/concatenate.hpp"
#include "ketl/layers/conv1d.hpp"
#include "ketl/layers/conv2d.hpp"
#include "ketl/layers/cropping1d.hpp"
#include "ketl/layers/cropping2d.hpp"
#include "ketl/layers/dense.hpp"
#include "ketl/layers/dot.hpp"
#include "ketl/layers/dropout.hpp"
#include "ketl/layers/embedding.hpp"
#include "ketl/layers/flatten.hpp"
#include "ketl/layers/global_average_pooling1d.hpp"
#include "ketl/layers/global_average_pooling2d.hpp"
#include "ketl/layers/global_max_pooling1d.hpp"
#include "ketl/layers/global_max_pooling2d.hpp"
#include "ketl/layers/gru.hpp"
#include "ketl/layers/lstm.hpp"
#include "ketl/layers/masking.hpp"
#include "ketl/layers/max_pooling1d.hpp"
#include "ketl/layers/max_pooling2d.hpp"
#include "ketl/layers/maximum.hpp"
#include "ketl/layers/minimum.hpp"
#include "ketl/layers/multiply.hpp"
#include "ketl/layers/permute.hpp"
#include "ketl/layers/repeat_vector.hpp"
#include "ketl/layers/reshape.hpp"
#include "ketl/layers/simple_rnn.hpp"
#include "ketl/layers/spatial_dropout1d.hpp"
#include "ketl/layers/spatial_dropout2d.hpp"
#include "ketl/layers/subtract.hpp"
#include "ketl/layers/time_distributed.hpp"
#include "ketl/layers/up_sampling1d.hpp"
#include "ketl/layers/up_sampling2d.hpp"
#include "ketl/layers/zero_padding1d.hpp"
#include "ketl/layers/zero_padding2d.hpp"

namespace ketl::io::keras {

using json = nlohmann::ordered_json;  // keys in Keras's order

// Keras's serialized initializer (2.2.4's initializers.serialize): the
// Glorot, He and LeCun families are VarianceScaling with their arguments.
inline json initializer(const Initializer& i) {
  using K = Initializer::Kind;
  switch (i.kind()) {
    case K::constant:
      if (i.scale() == 0) return {{"class_name", "Zeros"}, {"config", json::object()}};
      if (i.scale() == 1) return {{"class_name", "Ones"}, {"config", json::object()}};
      return {{"class_name", "Constant"}, {"config", {{"value", i.scale()}}}};
    case K::uniform:
      return {{"class_name", "RandomUniform"},
              {"config", {{"minval", i.low()}, {"maxval", i.high()}, {"seed", nullptr}}}};
    case K::normal:
      return {{"class_name", "RandomNormal"},
              {"config", {{"mean", i.low()}, {"stddev", i.high()}, {"seed", nullptr}}}};
    case K::variance_scaling: {
      using M = Initializer::Mode;
      const char* mode = i.mode() == M::fan_in    ? "fan_in"
                         : i.mode() == M::fan_out ? "fan_out"
                                                  : "fan_avg";
      const char* dist =
          i.distribution() == Initializer::Distribution::uniform ? "uniform" : "normal";
      return {{"class_name", "VarianceScaling"},
              {"config",
               {{"scale", i.scale()}, {"mode", mode}, {"distribution", dist}, {"seed", nullptr}}}};
    }
    case K::orthogonal:
      return {{"class_name", "Orthogonal"}, {"config", {{"gain", i.scale()}, {"seed", nullptr}}}};
  }
  return nullptr;
}

// A float option as the decimal it was written as (0.001, not
// 0.0010000000474974513): the shortest that reads back as the same float.
inline double decimal(float f) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, f);
  double d = 0;
  std::from_chars(buf, r.ptr, d);
  return d;
}

template <class Act>
std::string activation_name() {
  return std::string(Act::name);
}

// The keys every layer has, and the null regularizers and constraints of
// layers with weights.
template <class L>
json base(const L& l, std::string name) {
  return {{"name", std::move(name)}, {"trainable", ketl::detail::layer_trainable(l)}};
}
inline void no_regularizers(json& c, std::initializer_list<const char*> keys) {
  for (const char* k : keys) c[k] = nullptr;
}
inline const char* padding(padding_mode p) {
  return p == padding_mode::same ? "same" : p == padding_mode::causal ? "causal" : "valid";
}
inline json wrap(std::string_view class_name, json config) {
  return {{"class_name", std::string(class_name)}, {"config", std::move(config)}};
}

template <std::size_t U, class Act, class T, class In>
json layer_config(const Dense<U, Act, T>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["units"] = U;
  c["activation"] = activation_name<Act>();
  c["use_bias"] = true;
  c["kernel_initializer"] = initializer(l.options().kernel_initializer);
  c["bias_initializer"] = initializer(l.options().bias_initializer);
  no_regularizers(c, {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                      "kernel_constraint", "bias_constraint"});
  return wrap("Dense", std::move(c));
}

template <class In>
json layer_config(const Dropout& l, const std::string& name, In*) {
  json c = base(l, name);
  c["rate"] = decimal(l.rate());
  c["noise_shape"] = nullptr;
  c["seed"] = nullptr;
  return wrap("Dropout", std::move(c));
}

template <class In>
json layer_config(const Flatten& l, const std::string& name, In*) {
  json c = base(l, name);
  c["data_format"] = "channels_last";
  return wrap("Flatten", std::move(c));
}

template <class Conv, class Spec>
json conv_config(const Conv& l, const std::string& name, std::size_t filters, json kernel,
                 json strides, padding_mode pad, json dilation, bool use_bias,
                 std::string activation) {
  json c = base(l, name);
  c["filters"] = filters;
  c["kernel_size"] = std::move(kernel);
  c["strides"] = std::move(strides);
  c["padding"] = padding(pad);
  c["data_format"] = "channels_last";
  c["dilation_rate"] = std::move(dilation);
  c["activation"] = std::move(activation);
  c["use_bias"] = use_bias;
  c["kernel_initializer"] = initializer(l.options().kernel_initializer);
  c["bias_initializer"] = initializer(l.options().bias_initializer);
  no_regularizers(c, {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                      "kernel_constraint", "bias_constraint"});
  return c;
}

template <std::size_t F, conv2d S, class Act, class T, class In>
json layer_config(const Conv2D<F, S, Act, T>& l, const std::string& name, In*) {
  constexpr conv2d s = S;
  return wrap("Conv2D",
              conv_config<Conv2D<F, S, Act, T>, void>(
                  l, name, F, {s.kernel[0], s.kernel[1]}, {s.strides[0], s.strides[1]}, s.padding,
                  {s.dilation[0], s.dilation[1]}, s.use_bias, activation_name<Act>()));
}

template <std::size_t F, conv1d S, class Act, class T, class In>
json layer_config(const Conv1D<F, S, Act, T>& l, const std::string& name, In*) {
  constexpr conv1d s = S;
  json c =
      conv_config<Conv1D<F, S, Act, T>, void>(l, name, F, {s.kernel}, {s.strides}, s.padding,
                                              {s.dilation}, s.use_bias, activation_name<Act>());
  return wrap("Conv1D", std::move(c));
}

template <class L>
json pool2d_config(const L& l, const std::string& name, pool2d s, std::string_view cls) {
  json c = base(l, name);
  c["pool_size"] = {s.size[0], s.size[1]};
  c["padding"] = padding(s.padding);
  c["strides"] = {s.strides[0] ? s.strides[0] : s.size[0], s.strides[1] ? s.strides[1] : s.size[1]};
  c["data_format"] = "channels_last";
  return wrap(cls, std::move(c));
}
template <class L>
json pool1d_config(const L& l, const std::string& name, pool1d s, std::string_view cls) {
  json c = base(l, name);
  c["pool_size"] = {s.size};
  c["padding"] = padding(s.padding);
  c["strides"] = {s.strides ? s.strides : s.size};
  c["data_format"] = "channels_last";
  return wrap(cls, std::move(c));
}
template <pool2d S, class In>
json layer_config(const MaxPooling2D<S>& l, const std::string& name, In*) {
  return pool2d_config(l, name, S, "MaxPooling2D");
}
template <pool2d S, class In>
json layer_config(const AveragePooling2D<S>& l, const std::string& name, In*) {
  return pool2d_config(l, name, S, "AveragePooling2D");
}
template <pool1d S, class In>
json layer_config(const MaxPooling1D<S>& l, const std::string& name, In*) {
  return pool1d_config(l, name, S, "MaxPooling1D");
}
template <pool1d S, class In>
json layer_config(const AveragePooling1D<S>& l, const std::string& name, In*) {
  return pool1d_config(l, name, S, "AveragePooling1D");
}

template <class L, class In>
requires(std::is_same_v<L, GlobalMaxPooling1D> || std::is_same_v<L, GlobalAveragePooling1D> ||
         std::is_same_v<L, GlobalMaxPooling2D> || std::is_same_v<L, GlobalAveragePooling2D>) json
    layer_config(const L& l, const std::string& name, In*) {
  json c = base(l, name);
  c["data_format"] = "channels_last";
  return wrap(L::class_name, std::move(c));
}

template <batch_norm S, class T, class In>
json layer_config(const BatchNormalization<S, T>& l, const std::string& name, In*) {
  const auto& o = l.options();
  json c = base(l, name);
  c["axis"] = In::rank;  // the last axis, counted with the batch's, as tf.keras writes it
  c["momentum"] = decimal(o.momentum);
  c["epsilon"] = decimal(o.epsilon);
  c["center"] = S.center;
  c["scale"] = S.scale;
  c["beta_initializer"] = initializer(o.beta_initializer);
  c["gamma_initializer"] = initializer(o.gamma_initializer);
  c["moving_mean_initializer"] = initializer(o.moving_mean_initializer);
  c["moving_variance_initializer"] = initializer(o.moving_variance_initializer);
  no_regularizers(c,
                  {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"});
  return wrap("BatchNormalization", std::move(c));
}

template <std::size_t InputDim, std::size_t OutputDim, embedding S, class T, class In>
json layer_config(const Embedding<InputDim, OutputDim, S, T>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["input_dim"] = InputDim;
  c["output_dim"] = OutputDim;
  c["embeddings_initializer"] = initializer(l.options().embeddings_initializer);
  no_regularizers(c, {"embeddings_regularizer", "activity_regularizer", "embeddings_constraint"});
  c["mask_zero"] = S.mask_zero;
  c["input_length"] = In::rank == 1 ? json(In::dims[0]) : json(In::dims);
  return wrap("Embedding", std::move(c));
}

// The recurrent layers: 2.2.4's RNN keys, then the cell's.
template <class L>
json recurrent_config(const L& l, const std::string& name, std::size_t units, std::string act,
                      const char* rec_act) {
  const auto& o = l.options();
  json c = base(l, name);
  c["return_sequences"] = L::return_sequences;
  c["return_state"] = L::return_state;
  c["go_backwards"] = L::go_backwards;
  c["stateful"] = L::stateful;
  c["unroll"] = false;
  c["units"] = units;
  c["activation"] = std::move(act);
  if (rec_act) c["recurrent_activation"] = rec_act;
  c["use_bias"] = L::use_bias;
  c["kernel_initializer"] = initializer(o.kernel_initializer);
  c["recurrent_initializer"] = initializer(o.recurrent_initializer);
  c["bias_initializer"] = initializer(o.bias_initializer);
  no_regularizers(
      c, {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
          "kernel_constraint", "recurrent_constraint", "bias_constraint"});
  c["dropout"] = decimal(o.dropout);
  c["recurrent_dropout"] = decimal(o.recurrent_dropout);
  return c;
}

template <std::size_t U, rnn S, class Act, class T, class In>
json layer_config(const SimpleRNN<U, S, Act, T>& l, const std::string& name, In*) {
  return wrap("SimpleRNN", recurrent_config(l, name, U, activation_name<Act>(), nullptr));
}
template <std::size_t U, rnn S, class Act, class RecAct, class T, class In>
json layer_config(const LSTM<U, S, Act, RecAct, T>& l, const std::string& name, In*) {
  const std::string rec = activation_name<RecAct>();
  json c = recurrent_config(l, name, U, activation_name<Act>(), rec.c_str());
  c["unit_forget_bias"] = l.options().unit_forget_bias;
  c["implementation"] = 1;
  return wrap("LSTM", std::move(c));
}
template <std::size_t U, rnn S, class Act, class RecAct, class T, class In>
json layer_config(const GRU<U, S, Act, RecAct, T>& l, const std::string& name, In*) {
  const std::string rec = activation_name<RecAct>();
  json c = recurrent_config(l, name, U, activation_name<Act>(), rec.c_str());
  c["implementation"] = 1;
  c["reset_after"] = S.reset_after;
  return wrap("GRU", std::move(c));
}

// The shape and helper layers.
template <class A, class In>
json layer_config(const Activation<A>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["activation"] = activation_name<A>();
  return wrap("Activation", std::move(c));
}
template <std::size_t... D, class In>
json layer_config(const Reshape<D...>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["target_shape"] = {D...};
  return wrap("Reshape", std::move(c));
}
template <std::size_t... D, class In>
json layer_config(const Permute<D...>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["dims"] = {D...};
  return wrap("Permute", std::move(c));
}
template <std::size_t N, class In>
json layer_config(const RepeatVector<N>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["n"] = N;
  return wrap("RepeatVector", std::move(c));
}
template <class In>
json layer_config(const Masking& l, const std::string& name, In*) {
  json c = base(l, name);
  c["mask_value"] = decimal(l.mask_value());
  return wrap("Masking", std::move(c));
}
template <class L, class In>
requires(std::is_same_v<L, SpatialDropout1D> || std::is_same_v<L, SpatialDropout2D>) json
    layer_config(const L& l, const std::string& name, In*) {
  json c = base(l, name);
  c["rate"] = decimal(l.rate());
  c["noise_shape"] = nullptr;
  c["seed"] = nullptr;
  if constexpr (std::is_same_v<L, SpatialDropout2D>) c["data_format"] = "channels_last";
  return wrap(L::class_name, std::move(c));
}
template <margins1d M, class In>
json layer_config(const ZeroPadding1D<M>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["padding"] = {M.before, M.after};
  return wrap("ZeroPadding1D", std::move(c));
}
template <margins1d M, class In>
json layer_config(const Cropping1D<M>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["cropping"] = {M.before, M.after};
  return wrap("Cropping1D", std::move(c));
}
template <margins2d M, class In>
json layer_config(const ZeroPadding2D<M>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["padding"] = {{M.rows[0], M.rows[1]}, {M.cols[0], M.cols[1]}};
  c["data_format"] = "channels_last";
  return wrap("ZeroPadding2D", std::move(c));
}
template <margins2d M, class In>
json layer_config(const Cropping2D<M>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["cropping"] = {{M.rows[0], M.rows[1]}, {M.cols[0], M.cols[1]}};
  c["data_format"] = "channels_last";
  return wrap("Cropping2D", std::move(c));
}
template <std::size_t S, class In>
json layer_config(const UpSampling1D<S>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["size"] = S;
  return wrap("UpSampling1D", std::move(c));
}
template <std::size_t R, std::size_t C, class In>
json layer_config(const UpSampling2D<R, C>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["size"] = {R, C};
  c["data_format"] = "channels_last";
  c["interpolation"] = "nearest";
  return wrap("UpSampling2D", std::move(c));
}

// The merges (functional models): Keras's _Merge keys, and Concatenate's axis.
template <class L, class In>
requires(std::is_same_v<L, Add> || std::is_same_v<L, Subtract> || std::is_same_v<L, Multiply> ||
         std::is_same_v<L, Average> || std::is_same_v<L, Maximum> ||
         std::is_same_v<L, Minimum>) json layer_config(const L& l, const std::string& name, In*) {
  return wrap(L::class_name, base(l, name));
}
template <int Axis, class In>
json layer_config(const Concatenate<Axis>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["axis"] = Axis;
  return wrap("Concatenate", std::move(c));
}

template <int A, int B, class In>
json layer_config(const Dot<A, B>& l, const std::string& name, In*) {
  json c = base(l, name);
  c["axes"] = A == B ? json(A) : json({A, B});
  c["normalize"] = l.normalize();
  return wrap("Dot", std::move(c));
}

// The wrappers: the wrapped layer's config under "layer", named as the
// layer names itself (its own name, or its class in snake case).
template <class L>
std::string inner_name(const L& l) {
  return l.name().empty() ? ketl::detail::to_snake_case(L::class_name) : std::string(l.name());
}

template <class F, merge_mode M, class B, class In>
requires requires(const F& f) { layer_config(f, std::string(), static_cast<In*>(nullptr)); }
json layer_config(const Bidirectional<F, M, B>& l, const std::string& name, In*) {
  json c = base(l, name);
  const F& f = l.forward_layer();
  c["layer"] = layer_config(f, inner_name(f), static_cast<In*>(nullptr));
  constexpr const char* modes[] = {"concat", "sum", "mul", "ave"};
  c["merge_mode"] = M == merge_mode::none ? json(nullptr) : json(modes[int(M)]);
  return wrap("Bidirectional", std::move(c));
}

template <class Inner, class In>
requires requires(const Inner& i) {
  layer_config(i, std::string(),
               static_cast<typename ketl::detail::drop_first<In>::type*>(nullptr));
}
json layer_config(const TimeDistributed<Inner>& l, const std::string& name, In*) {
  json c = base(l, name);
  const Inner& i = l.layer();
  c["layer"] = layer_config(i, inner_name(i),
                            static_cast<typename ketl::detail::drop_first<In>::type*>(nullptr));
  return wrap("TimeDistributed", std::move(c));
}

}  // namespace ketl::io::keras
