#ifndef STIPPLE_CVIPS_SHIM_H
#define STIPPLE_CVIPS_SHIM_H
// libvips 8.14 for the Imaging module. libvips' operations take NULL-terminated option lists (C variadics),
// which Swift cannot call: each call Imaging needs has a fixed-argument wrapper here. Nothing else.
#include <vips/vips.h>

/// Starts libvips and turns its operation cache off: buffer loaders do not copy their input, so a cached
/// operation could outlive the caller's bytes.
static inline int stipple_vips_start(void) {
    if (VIPS_INIT("stipple")) return -1;
    vips_cache_set_max(0);
    return 0;
}

/// Whether libvips has an operation with this nickname (e.g. "heifload_buffer").
static inline int stipple_vips_has_operation(const char *nickname) {
    return vips_type_find("VipsOperation", nickname) != 0;
}

/// The last error text, copied (free with g_free), and the error buffer cleared.
static inline char *stipple_vips_take_error(void) { return vips_error_buffer_copy(); }

/// Loaders: lazy (header only until pixels are asked for), failing on truncation and decoder errors.
/// The image reads from `buf` without copying: keep `buf` alive while the image lives.
static inline VipsImage *stipple_vips_load_jpeg(const void *buf, size_t len) {
    VipsImage *out = NULL;
    if (vips_jpegload_buffer((void *)buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, NULL)) return NULL;
    return out;
}
static inline VipsImage *stipple_vips_load_png(const void *buf, size_t len) {
    VipsImage *out = NULL;
    if (vips_pngload_buffer((void *)buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, NULL)) return NULL;
    return out;
}
static inline VipsImage *stipple_vips_load_webp(const void *buf, size_t len) {
    VipsImage *out = NULL;
    if (vips_webpload_buffer((void *)buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, NULL)) return NULL;
    return out;
}
static inline VipsImage *stipple_vips_load_heif(const void *buf, size_t len) {
    VipsImage *out = NULL;
    if (vips_heifload_buffer((void *)buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, NULL)) return NULL;
    return out;
}

/// The image turned upright by its orientation tag (the tag is removed).
static inline VipsImage *stipple_vips_autorotate(VipsImage *in) {
    VipsImage *out = NULL;
    if (vips_autorot(in, &out, NULL)) return NULL;
    return out;
}

/// A soft blur, for synthetic images.
static inline VipsImage *stipple_vips_blur(VipsImage *in, double sigma) {
    VipsImage *out = NULL;
    if (vips_gaussblur(in, &out, sigma, NULL)) return NULL;
    return out;
}

/// Savers: every metadata block stripped (EXIF, XMP, IPTC, ICC, comments). The buffer is g_malloc'd.
static inline int stipple_vips_save_jpeg(VipsImage *in, int quality, void **buf, size_t *len) {
    return vips_jpegsave_buffer(in, buf, len, "strip", TRUE, "Q", quality, NULL);
}
static inline int stipple_vips_save_png(VipsImage *in, void **buf, size_t *len) {
    return vips_pngsave_buffer(in, buf, len, "strip", TRUE, NULL);
}
static inline int stipple_vips_save_webp(VipsImage *in, int quality, void **buf, size_t *len) {
    return vips_webpsave_buffer(in, buf, len, "strip", TRUE, "Q", quality, NULL);
}
static inline int stipple_vips_save_heif(VipsImage *in, int quality, void **buf, size_t *len) {
    return vips_heifsave_buffer(in, buf, len, "strip", TRUE, "Q", quality, NULL);
}

/// A thumbnail fitting a `size` x `size` box (never enlarged), loaded with shrink-on-load and turned upright.
static inline VipsImage *stipple_vips_thumbnail(const void *buf, size_t len, int size) {
    VipsImage *out = NULL;
    if (vips_thumbnail_buffer((void *)buf, len, &out, size, "height", size, "size", VIPS_SIZE_DOWN, NULL))
        return NULL;
    return out;
}

/// Drops a reference to an image (one owner in Swift calls this once).
static inline void stipple_vips_release(VipsImage *image) { g_object_unref(image); }

#endif
