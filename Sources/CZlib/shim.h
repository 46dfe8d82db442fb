// zlib (deflate and CRC-32), for the Plotting module's PNG encoder.
#include <zlib.h>
