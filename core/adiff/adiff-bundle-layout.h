/* adiff-bundle-layout.h — the raw header and section table of a bundle
 * file, for tools that report on a file section by section (adiff-stats
 * info and verify).  Only the table is read and each section's checksum
 * computed in place; the real validation is adiff_bundle_open(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room for every section a bundle may have (the format's limit). */
#define ADIFF_BUNDLE_LAYOUT_MAX_SECTIONS 32

typedef struct
{
  char     tag[5];          /* four characters, unprintable ones as '?' */
  guint32  type;            /* element type (adiff_bundle_elem_name) */
  guint64  offset, length;  /* bytes */
  gboolean crc_ok;          /* inside the file and its checksum matches */
} AdiffBundleSection;

typedef struct
{
  guint64   file_size;
  guint32   version;
  guint32   width, height, channels;
  guint64   n_items, n_components, n_exemplars;
  gboolean  header_crc_ok, table_crc_ok;
  guint     n_sections;
  AdiffBundleSection sections[ADIFF_BUNDLE_LAYOUT_MAX_SECTIONS];
} AdiffBundleLayout;

/* Read what can be read; FALSE (with error) when the file is not a
 * bundle or its table lies outside the file.  Checksums are reported, not
 * enforced. */
gboolean    adiff_bundle_layout_read (const char        *path,
                                      AdiffBundleLayout *layout,
                                      GError           **error);
/* The section with this four-character tag, or NULL. */
const AdiffBundleSection *
            adiff_bundle_layout_find (const AdiffBundleLayout *layout,
                                      const char              *tag);
/* "f64", "f32", "f16", "u8", "i32", "text", or "?". */
const char *adiff_bundle_elem_name   (guint32 type);

G_END_DECLS
