// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). The thread-count setter is
// declared by OpenBLAS's cblas.h as well.
#include <cblas.h>
