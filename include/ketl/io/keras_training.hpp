// A compiled model's training state in Keras's model files, so that
// training resumes where it stopped:
//   - training_config, Keras 2.2.4's JSON (keras/engine/saving.py):
//     optimizer_config ({"class_name": "Adam", "config": get_config()}),
//     loss, metrics, sample_weight_mode and loss_weights, plus
//     weighted_metrics when there are some (tf.keras reads it) and
//     ketl_iterations, the update count, which Keras 2.2.4 does not save
//     for RMSprop, Adagrad and Adadelta (Keras ignores the key);
//   - optimizer_weights, Keras 2.2.4's optimizer.weights
//     (detail/optimizer_state.hpp has each optimizer's list).
// Reading: a compiled model keeps its loss and metrics types and takes the
// file's optimizer config and state (the file's loss must be the model's);
// an uncompiled one is compiled from the file, with the loss and metrics
// looked up by name (names.hpp).
//
// JSON only (nlohmann-json): the .h5 and model.json formats both use it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ketl/engine/compile.hpp"
#include "ketl/error.hpp"
#include "ketl/io/keras_config.hpp"
#include "ketl/io/keras_weights.hpp"
#include "ketl/names.hpp"

namespace ketl::io::keras {

// training_config's metrics (or weighted_metrics): a list when every output
// has the same, else Keras's dict of each output's list (its shared
// metrics, then its own).
inline json metrics_config(const std::vector<std::string>& shared,
                           const std::vector<std::vector<std::string>>& own,
                           const std::vector<std::string>& outputs) {
  std::vector<std::vector<std::string>> per(outputs.size(), shared);
  for (std::size_t k = 0; k < per.size() && k < own.size(); ++k)
    per[k].insert(per[k].end(), own[k].begin(), own[k].end());
  if (std::all_of(per.begin(), per.end(), [&](const auto& p) { return p == per[0]; }))
    return per.empty() ? json(shared) : json(per[0]);
  json out = json::object();
  for (std::size_t k = 0; k < per.size(); ++k) out[outputs[k]] = per[k];
  return out;
}

// Keras 2.2.4's training_config for a compiled model.
template <class M>
json training_config(const M& model) {
  const auto& c = model.compilation();
  json opt = json::object();
  for (const auto& h : c.optimizer->config()) {
    if (h.boolean)
      opt[h.name] = h.value != 0;
    else
      opt[h.name] = decimal(static_cast<float>(h.value));  // every hyperparameter is a float
  }
  const auto& names = model.network().output_names();
  json loss;
  if (c.outputs.size() == 1) {
    loss = c.outputs[0]->loss_name;
  } else {
    loss = json::object();
    for (std::size_t k = 0; k < c.outputs.size(); ++k) loss[names[k]] = c.outputs[k]->loss_name;
  }
  json out = {{"optimizer_config",
               {{"class_name", std::string(c.optimizer->keras_class())}, {"config", opt}}},
              {"loss", loss},
              {"metrics", metrics_config(c.metric_config, c.output_metric_config, names)},
              {"sample_weight_mode", c.temporal ? json("temporal") : json(nullptr)},
              {"loss_weights", c.loss_weights_given ? json(c.loss_weights) : json(nullptr)}};
  const json weighted =
      metrics_config(c.weighted_metric_config, c.output_weighted_metric_config, names);
  if (!weighted.empty()) out["weighted_metrics"] = weighted;
  out["ketl_iterations"] = c.optimizer->iterations();
  return out;
}

// Keras 2.2.4's optimizer.weights of a compiled model, as file weights.
template <class M>
std::vector<keras_weight> optimizer_weights(const M& model, bool f64) {
  std::vector<keras_weight> out;
  for (auto& w : model.compilation().optimizer->keras_weights())
    out.push_back(
        {std::move(w.name), std::move(w.shape), std::move(w.values), f64 && !w.integer, w.integer});
  return out;
}

namespace detail {
inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });
  return s;
}

// The optimizer's class name; tf.keras 2.11+ writes "Custom>Adam".
inline std::string optimizer_class(const json& oc, const std::string& where) {
  if (!oc.is_object() || !oc.contains("class_name") || !oc.at("class_name").is_string())
    throw io_error(where + "its training_config's optimizer_config has no class_name");
  std::string cls = oc.at("class_name").get<std::string>();
  if (cls.rfind("Custom>", 0) == 0) cls.erase(0, 7);
  return cls;
}

// tf.keras 2.11+'s optimizers list their state variable by variable
// ("Adam/m/dense/kernel:0", "Adam/v/dense/kernel:0", ...): put it slot by
// slot, Keras 2.2.4's order (each slot's variables keep their order). The
// older lists ("Adam/dense/kernel/m:0") are in that order already.
inline std::vector<keras_weight> slot_major(std::vector<keras_weight> w, const std::string& cls) {
  const std::string prefix = cls + "/";
  std::vector<std::string> slots;
  std::vector<std::string> slot_of(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const auto& n = w[i].name;
    if (n.rfind(prefix, 0) != 0) continue;
    const std::size_t end = n.find('/', prefix.size());
    if (end == std::string::npos) continue;
    slot_of[i] = n.substr(prefix.size(), end - prefix.size());
    if (std::find(slots.begin(), slots.end(), slot_of[i]) == slots.end())
      slots.push_back(slot_of[i]);
  }
  // Only the new form names a slot right after the class for every entry
  // but the iteration count.
  const std::size_t named = std::size_t(std::count_if(
      slot_of.begin(), slot_of.end(), [](const std::string& x) { return !x.empty(); }));
  if (slots.empty() || named + 1 != w.size() || w[0].name.find('/') != std::string::npos) return w;
  std::vector<keras_weight> out{w[0]};
  for (const auto& s : slots)
    for (std::size_t i = 1; i < w.size(); ++i)
      if (slot_of[i] == s) out.push_back(w[i]);
  return out;
}

// A metric's name in a training_config: a name, or tf.keras's
// {"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", ...}}.
inline std::string metric_name(const json& m, const std::string& where) {
  if (m.is_string()) return m.get<std::string>();
  if (m.is_object() && m.contains("config") && m.at("config").is_object() &&
      m.at("config").contains("name") && m.at("config").at("name").is_string())
    return m.at("config").at("name").get<std::string>();
  throw io_error(where +
                 "its training_config lists a metric that has no name: " + m.dump().substr(0, 200));
}

// The training_config's JSON, parsed; every key read with at().
inline json parse_training(const std::string& text, const std::string& where) {
  json tc;
  try {
    tc = json::parse(text);
  } catch (const json::exception& e) {
    throw io_error(where + "its training_config is not JSON (" + e.what() + ")");
  }
  if (!tc.is_object() || !tc.contains("optimizer_config") || !tc.contains("loss"))
    throw io_error(where + "its training_config has no optimizer_config or no loss");
  return tc;
}

// Output k's loss name in the file: one name for all, a list, or a dict
// keyed by output name.
// TensorFlow.js names losses and hyperparameters in camelCase
// ("categoricalCrossentropy", "learningRate", "beta1"): Keras's snake case.
inline std::string snake_case(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      out += '_';
      out += char(std::tolower(static_cast<unsigned char>(c)));
    } else if (std::isdigit(static_cast<unsigned char>(c)) && !out.empty() &&
               std::isalpha(static_cast<unsigned char>(out.back()))) {
      out += '_';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string file_loss(const json& loss, std::size_t k, const std::vector<std::string>& names,
                             const std::string& where) {
  const json* v = loss.is_string()                              ? &loss
                  : loss.is_array() && k < loss.size()          ? &loss[k]
                  : loss.is_object() && loss.contains(names[k]) ? &loss[names[k]]
                                                                : nullptr;
  if (!v || !v->is_string())
    throw io_error(where + "its training_config gives no loss name for output " + names[k]);
  const std::string raw = v->get<std::string>(), snake = snake_case(raw);
  auto known = [](const std::string& n) {
    try {
      (void)losses::get(n);
      return true;
    } catch (const value_error&) {
      return false;
    }
  };
  return snake != raw && !known(raw) && known(snake) ? snake : raw;
}

// The same built-in loss under any of Keras's names ("mse" and
// "mean_squared_error"), else the same name.
inline bool same_loss(const std::string& a, const std::string& b) {
  if (a == b) return true;
  try {
    return losses::get(a).index() == losses::get(b).index();
  } catch (const value_error&) {
    return false;
  }
}

// The optimizer config's entries as hyperparameters; null entries (tf.keras
// writes "clipnorm": null) are left out, and so are the names of
// tf.keras's options that are off.
inline std::vector<ketl::detail::hyperparameter> hyperparameters(const json& config,
                                                                 const std::string& where) {
  std::vector<ketl::detail::hyperparameter> out;
  if (!config.is_object()) throw io_error(where + "its optimizer config is not an object");
  const bool ema = config.contains("use_ema") && config.at("use_ema").is_boolean() &&
                   config.at("use_ema").get<bool>();
  for (const auto& [key, v] : config.items()) {
    if (v.is_null() || key == "name" || key == "jit_compile" || key == "is_legacy_optimizer")
      continue;
    // tf.keras's moving average of the weights: its settings mean nothing
    // while it is off.
    if (!ema && (key == "ema_momentum" || key == "ema_overwrite_frequency")) continue;
    // TensorFlow.js's names: learningRate, beta1, useNesterov.
    std::string name = snake_case(key);
    if (name == "learning_rate") name = "lr";
    if (name == "use_nesterov") name = "nesterov";
    if (v.is_boolean())
      out.push_back({name, v.get<bool>() ? 1.0 : 0.0, true});
    else if (v.is_number())
      out.push_back({name, v.get<double>(), false});
    else
      throw io_error(where + "its optimizer config's " + key + " is not a number");
  }
  return out;
}
}  // namespace detail

// Gives a compiled model the file's optimizer config and state. Everything
// is checked before the optimizer changes.
template <class M>
void restore_training(M& model, const keras_weights& file, const std::string& where) {
  const json tc = detail::parse_training(file.training_config, where);
  auto& c = model.compilation();
  const json& oc = tc.at("optimizer_config");
  const std::string cls = detail::optimizer_class(oc, where);
  if (detail::lower(cls) != detail::lower(std::string(c.optimizer->keras_class())))
    throw value_error(where + "the file was compiled with the optimizer " + cls +
                      ", the model with " + std::string(c.optimizer->keras_class()));
  const auto& names = model.network().output_names();
  for (std::size_t k = 0; k < c.outputs.size(); ++k) {
    const std::string l = detail::file_loss(tc.at("loss"), k, names, where);
    if (!detail::same_loss(l, c.outputs[k]->loss_name))
      throw value_error(where + "the file's loss for output " + names[k] + " is " + l +
                        ", the model's is " + c.outputs[k]->loss_name);
  }
  std::int64_t iterations = 0;
  if (tc.contains("ketl_iterations") && tc.at("ketl_iterations").is_number_unsigned())
    iterations = tc.at("ketl_iterations").get<std::int64_t>();
  std::vector<ketl::detail::optimizer_weight> state;
  for (auto& w : detail::slot_major(file.optimizer_weights, cls))
    state.push_back({std::move(w.name), std::move(w.shape), std::move(w.values), w.integer});
  // The state first, on a copy of its config: set_config checks, then the
  // weights check before they assign.
  const auto before = c.optimizer->config();
  c.optimizer->set_config(
      detail::hyperparameters(oc.contains("config") ? oc.at("config") : json::object(), where),
      where);
  try {
    if (!state.empty()) c.optimizer->set_keras_weights(state, iterations, where);
  } catch (...) {
    c.optimizer->set_config(before, where);
    throw;
  }
}

namespace detail {

// Each output's metric names under key: one list for every output,
// tf.keras's list per output, or Keras 2.2.4's dict of a name or a list per
// output name (an output it leaves out has none).
inline std::vector<std::vector<std::string>> metric_names_of(
    const json& tc, const char* key, const std::vector<std::string>& outputs,
    const std::string& where) {
  std::vector<std::vector<std::string>> out(outputs.size());
  if (!tc.contains(key) || tc.at(key).is_null()) return out;
  const json& ms = tc.at(key);
  auto names = [&](const json& v) {
    std::vector<std::string> n;
    if (v.is_array())
      for (const auto& m : v) n.push_back(metric_name(m, where));
    else if (!v.is_null())
      n.push_back(metric_name(v, where));
    return n;
  };
  if (ms.is_object()) {
    for (std::size_t k = 0; k < outputs.size(); ++k)
      if (ms.contains(outputs[k])) out[k] = names(ms.at(outputs[k]));
    for (const auto& [name, v] : ms.items())
      if (std::find(outputs.begin(), outputs.end(), name) == outputs.end())
        throw io_error(where + "its training_config's " + key + " name an output \"" + name +
                       "\" that the model does not have");
  } else if (ms.is_array() && !ms.empty() && ms[0].is_array()) {
    if (ms.size() != outputs.size())
      throw io_error(where + "its training_config's " + key + " have " + std::to_string(ms.size()) +
                     " lists for " + std::to_string(outputs.size()) + " outputs");
    for (std::size_t k = 0; k < outputs.size(); ++k) out[k] = names(ms[k]);
  } else {
    const auto all = names(ms);
    for (auto& o : out) o = all;
  }
  return out;
}

// Whether sample_weight_mode asks for timestep-wise weights: "temporal", or
// "temporal" for every output (a list or a dict); null for none.
inline bool temporal_mode(const json& tc, const std::function<void(const std::string&)>& refuse) {
  if (!tc.contains("sample_weight_mode")) return false;
  const json& m = tc.at("sample_weight_mode");
  auto one = [&](const json& v) {
    if (v.is_null()) return false;
    if (v.is_string() && v.get<std::string>() == "temporal") return true;
    refuse("sample_weight_mode " + v.dump().substr(0, 100));
    return false;
  };
  if (!m.is_array() && !m.is_object()) return one(m);
  if (m.empty()) return false;
  const bool first = one(*m.begin());
  for (const auto& v : m)
    if (one(v) != first) refuse("a sample_weight_mode that differs by output");
  return first;
}

}  // namespace detail

// Compiles an uncompiled model as the file's training_config says: its
// optimizer with the file's config, its loss (one per output), its metrics
// (shared, or each output's own) and weighted_metrics by Keras's names (as
// many as the file lists, run after the fused pass), its loss_weights and a
// temporal sample_weight_mode. What load_model cannot compile at run time
// (temporal weights on an output without a time axis, another mode) is
// refused by name: compile the prototype as the file says, and load_model
// restores the state.
template <class M>
void compile_from_file(M& model, const keras_weights& file, const std::string& where) {
  const json tc = detail::parse_training(file.training_config, where);
  const auto optimizer = optimizers::get(detail::optimizer_class(tc.at("optimizer_config"), where));
  const std::function<void(const std::string&)> refuse = [&](const std::string& what) {
    throw value_error(where + "its training_config has " + what +
                      ", which load_model cannot compile by name: compile the model as the file "
                      "says and pass it to load_model, which then restores the state");
  };
  const bool temporal = detail::temporal_mode(tc, refuse);
  constexpr std::size_t outs = M::output_count;
  const auto& names = model.network().output_names();
  // Metrics the same for every output are shared; else each output has its
  // own (metrics_for<K>).
  auto same = [](const std::vector<std::vector<std::string>>& v) {
    return std::all_of(v.begin(), v.end(), [&](const auto& x) { return x == v[0]; });
  };
  const auto file_metrics = detail::metric_names_of(tc, "metrics", names, where);
  const auto file_weighted = detail::metric_names_of(tc, "weighted_metrics", names, where);
  std::vector<metrics::AnyMetric> plain, weighted;
  std::array<std::vector<metrics::AnyMetric>, outs> own, own_weighted;
  auto get = [&](const auto& file, auto& shared, auto& mine) {
    if (same(file)) {
      for (const auto& n : file[0]) shared.push_back(metrics::get(n));
    } else {
      for (std::size_t k = 0; k < outs; ++k)
        for (const auto& n : file[k]) mine[k].push_back(metrics::get(n));
    }
  };
  get(file_metrics, plain, own);
  get(file_weighted, weighted, own_weighted);
  std::vector<losses::AnyLoss> loss;
  for (std::size_t k = 0; k < outs; ++k)
    loss.push_back(losses::get(detail::file_loss(tc.at("loss"), k, names, where)));
  std::array<double, outs> weights;
  weights.fill(1.0);
  const json lw = tc.contains("loss_weights") ? tc.at("loss_weights") : json(nullptr);
  if (!lw.is_null()) {
    for (std::size_t k = 0; k < outs; ++k) {
      const json* v = lw.is_array() && k < lw.size()            ? &lw[k]
                      : lw.is_object() && lw.contains(names[k]) ? &lw[names[k]]
                                                                : nullptr;
      if (!v || !v->is_number()) throw io_error(where + "its loss_weights do not fit the model");
      weights[k] = v->get<double>();
    }
  }
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    // Keras's rule for temporal weights: every output has a time axis.
    constexpr bool timed =
        ((engine::output_shape_t<typename M::network_type, K>::rank >= 2) && ...);
    auto go = [&](const auto& l) {
      const auto lws = ketl::loss_weights(weights[K]...);
      const auto wms = ketl::weighted_metrics(weighted);
      if constexpr (timed) {
        if (temporal)
          return model.compile(optimizer, l, plain, ketl::metrics_for<K>(own[K])..., wms,
                               ketl::weighted_metrics_for<K>(own_weighted[K])..., lws,
                               ketl::temporal);
      } else {
        if (temporal) refuse("sample_weight_mode \"temporal\" for an output without a time axis");
      }
      return model.compile(optimizer, l, plain, ketl::metrics_for<K>(own[K])..., wms,
                           ketl::weighted_metrics_for<K>(own_weighted[K])..., lws);
    };
    if constexpr (outs == 1)
      go(loss[0]);
    else
      go(ketl::per_output(loss[K]...));
  }
  (std::make_index_sequence<outs>{});
  if (lw.is_null()) model.compilation().loss_weights_given = false;
}

}  // namespace ketl::io::keras
