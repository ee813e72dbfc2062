// CBLAS: the one C header Frugal uses. On Linux it is OpenBLAS from Debian (libopenblas-dev);
// on macOS, Accelerate provides the same cblas_sgemm.
#include <cblas.h>
// OpenBLAS extras (declared in OpenBLAS's cblas.h): thread control, so Frugal's own parallel
// loops never run at the same time as OpenBLAS's threads.
