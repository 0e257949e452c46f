// The expression DSL for losses and metrics, in one include:
// placeholders y_true and y_pred, arithmetic, Keras's K.* functions, and
// symbolic differentiation.
#pragma once

#include "ketl/expr/backend.hpp"
#include "ketl/expr/gradient.hpp"
#include "ketl/expr/nodes.hpp"
#include "ketl/expr/ops.hpp"
