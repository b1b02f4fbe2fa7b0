#ifndef STIPPLE_CLIBPQ_SHIM_H
#define STIPPLE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
