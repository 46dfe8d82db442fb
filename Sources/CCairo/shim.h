// Cairo (image, PDF and SVG surfaces; FreeType font faces) and fontconfig, for the Plotting module.
#include <cairo.h>
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
