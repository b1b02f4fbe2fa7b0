#ifndef STIPPLE_CLIBPQ_SHIM_H
#define STIPPLE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#ifdef __linux__
// Linux's epoll, which Glibc's module map leaves out: the Postgres module waits on its connections' sockets with it.
#include <sys/epoll.h>
#endif
#endif
