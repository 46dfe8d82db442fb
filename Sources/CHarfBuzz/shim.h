// HarfBuzz text shaping with its built-in OpenType font functions, for the Plotting module.
#include <hb.h>
#include <hb-ot.h>
