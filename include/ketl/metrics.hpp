// Every Keras metric. Any loss is a metric too (metrics=[mae] in Keras).
#pragma once

#include "ketl/losses.hpp"
#include "ketl/metrics/accuracy.hpp"
#include "ketl/metrics/precision_recall.hpp"
