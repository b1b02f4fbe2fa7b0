// glibc's allocator settings (mallopt) and statistics (mallinfo2), which the Glibc Swift module leaves out.
#include <malloc.h>
