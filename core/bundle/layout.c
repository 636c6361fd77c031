/* layout.c — the raw header and section table of a bundle, for the
 * per-section report of `adiff-stats info` and `verify`.  Reads only the
 * table and checksums the sections in place (mapped); the real validation
 * is adiff_bundle_open(). */
#include <zlib.h>
#include "adiff-private.h"
#include "bundle/format.h"
#include <glib/gi18n-lib.h>

G_STATIC_ASSERT (ADIFF_BUNDLE_LAYOUT_MAX_SECTIONS >= ADIFF_BUNDLE_MAX_SECTIONS);

ADIFF_EXPORT const char *
adiff_bundle_elem_name (guint32 type)
{
  switch (type)
    {
    case ADIFF_ELEM_F64: return "f64";
    case ADIFF_ELEM_F32: return "f32";
    case ADIFF_ELEM_F16: return "f16";
    case ADIFF_ELEM_U8: return "u8";
    case ADIFF_ELEM_I32: return "i32";
    case ADIFF_ELEM_TEXT: return "text";
    default: return "?";
    }
}


ADIFF_EXPORT gboolean
adiff_bundle_layout_read (const char *path, AdiffBundleLayout *layout, GError **error)
{
  memset (layout, 0, sizeof *layout);
  GError *local = NULL;
  GMappedFile *mf = g_mapped_file_new (path, FALSE, &local);
  if (!mf)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, "%s: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  const guint8 *p = (const guint8 *) g_mapped_file_get_contents (mf);
  gsize size = g_mapped_file_get_length (mf);
  layout->file_size = size;
  gboolean ok = FALSE;
  if (size < ADIFF_BUNDLE_HEADER_SIZE ||
      memcmp (p, ADIFF_BUNDLE_MAGIC, ADIFF_BUNDLE_MAGIC_LEN) != 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: not a statistic bundle (bad magic or too short)"), path);
      goto out;
    }
  AdiffBundleHeader h;
  adiff__bundle_header_decode (p, &h);
  layout->version = h.version;
  layout->width = h.width;
  layout->height = h.height;
  layout->channels = h.channels;
  layout->n_items = h.n_items;
  layout->n_components = h.n_components;
  layout->n_exemplars = h.n_exemplars;
  layout->header_crc_ok = adiff__crc32_of (p, HDR_HEADER_CRC) == adiff__le32 (p + HDR_HEADER_CRC);
  guint32 n = h.n_sections;
  if (n > ADIFF_BUNDLE_MAX_SECTIONS ||
      ADIFF_BUNDLE_HEADER_SIZE + (guint64) n * ADIFF_BUNDLE_ENTRY_SIZE > size)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: the section table does not fit the file"), path);
      goto out;
    }
  layout->n_sections = n;
  layout->table_crc_ok = adiff__crc32_of (p + ADIFF_BUNDLE_HEADER_SIZE,
                                 (guint64) n * ADIFF_BUNDLE_ENTRY_SIZE) ==
                         adiff__le32 (p + HDR_TABLE_CRC);
  for (guint i = 0; i < n; i++)
    {
      const guint8 *e = p + ADIFF_BUNDLE_HEADER_SIZE + (gsize) i * ADIFF_BUNDLE_ENTRY_SIZE;
      AdiffBundleSection *s = &layout->sections[i];
      for (int c = 0; c < 4; c++)
        s->tag[c] = g_ascii_isprint (e[c]) ? (char) e[c] : '?';
      s->type = adiff__le32 (e + ENT_TYPE);
      s->offset = adiff__le64 (e + ENT_OFFSET);
      s->length = adiff__le64 (e + ENT_LENGTH);
      guint64 end;
      s->crc_ok = g_uint64_checked_add (&end, s->offset, s->length) && end <= size &&
                  adiff__crc32_of (p + s->offset, s->length) == adiff__le32 (e + ENT_CRC);
    }
  ok = TRUE;
out:
  g_mapped_file_unref (mf);
  return ok;
}

ADIFF_EXPORT const AdiffBundleSection *
adiff_bundle_layout_find (const AdiffBundleLayout *layout, const char *tag)
{
  for (guint i = 0; i < layout->n_sections; i++)
    if (strncmp (layout->sections[i].tag, tag, 4) == 0)
      return &layout->sections[i];
  return NULL;
}
