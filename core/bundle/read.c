/* read.c — load a bundle file, treating it as untrusted.
 *
 * Order of checks (layout in format.h): magic, version, header CRC,
 * header fields against the caller's limits, the section table (CRC, tags,
 * types, alignment, every offset+length and count×size checked with
 * overflow-safe arithmetic against the file size, no overlaps, zero
 * padding, nothing after the last section), the memory the load will take,
 * each section's CRC — and only then any allocation that depends on a size
 * read from the file.  Finally the values themselves are validated
 * (finite, eigenvalues descending and ≥ 0, metadata valid UTF-8 key file).
 */
#include <zlib.h>
#include "adiff-private.h"
#include "bundle/format.h"
#include "bundle/half.h"
#include <inttypes.h>
#include <glib/gi18n-lib.h>

typedef struct
{
  guint32 tag, type;
  guint64 offset, length;
  guint32 crc;
  gboolean present;
} Section;

enum { S_MEAN, S_EVAL, S_EVEC, S_EXEM, S_LABL, S_SCAT, S_META, N_KINDS };

static const struct
{
  guint32 tag;
  const char *name;
  guint32 types[3];   /* allowed element types, 0-terminated */
} kinds[N_KINDS] = {
  [S_MEAN] = { ADIFF_TAG_MEAN, "MEAN", { ADIFF_ELEM_F64 } },
  [S_EVAL] = { ADIFF_TAG_EVAL, "EVAL", { ADIFF_ELEM_F64 } },
  [S_EVEC] = { ADIFF_TAG_EVEC, "EVEC", { ADIFF_ELEM_F32, ADIFF_ELEM_F16 } },
  [S_EXEM] = { ADIFF_TAG_EXEM, "EXEM", { ADIFF_ELEM_U8, ADIFF_ELEM_F16, ADIFF_ELEM_F32 } },
  [S_LABL] = { ADIFF_TAG_LABL, "LABL", { ADIFF_ELEM_I32 } },
  [S_SCAT] = { ADIFF_TAG_SCAT, "SCAT", { ADIFF_ELEM_F64 } },
  [S_META] = { ADIFF_TAG_META, "META", { ADIFF_ELEM_TEXT } },
};

typedef struct
{
  const char   *name;
  const guint8 *data;
  gsize         size;
  guint64       max_dim, max_exemplars, max_bytes;

  AdiffBundleHeader hdr;
  guint64  dim;
  Section  sec[N_KINDS];
} Reader;

static gboolean
fail (GError **error, AdiffError code, const Reader *r, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, AdiffError code, const Reader *r, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ADIFF_ERROR, code, "%s: %s", r->name, msg);
  g_free (msg);
  return FALSE;
}


static gboolean
check_magic_and_version (Reader *r, GError **error)
{
  if (r->size < ADIFF_BUNDLE_MAGIC_LEN ||
      memcmp (r->data, ADIFF_BUNDLE_MAGIC, ADIFF_BUNDLE_MAGIC_LEN) != 0)
    return fail (error, ADIFF_ERROR_FORMAT, r,
                 _("not a statistic bundle (bad magic; expected “ADSTATS”)"));
  if (r->size < HDR_HEADER_SIZE)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("truncated header"));
  guint32 version = adiff__le32 (r->data + HDR_VERSION);
  if (version != ADIFF_BUNDLE_VERSION)
    return fail (error, ADIFF_ERROR_VERSION, r,
                 _("bundle format version %u; this program reads version %d only%s"),
                 version, ADIFF_BUNDLE_VERSION,
                 version > ADIFF_BUNDLE_VERSION ? _(" (it was written by a newer program)") :
                 _(" (rebuild it with adiff-stats build)"));
  if (r->size < ADIFF_BUNDLE_HEADER_SIZE)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("truncated header (%zu of %d bytes)"),
                 r->size, ADIFF_BUNDLE_HEADER_SIZE);
  if (adiff__crc32_of (r->data, HDR_HEADER_CRC) != adiff__le32 (r->data + HDR_HEADER_CRC))
    return fail (error, ADIFF_ERROR_CHECKSUM, r, _("header checksum mismatch (corrupt file)"));
  return TRUE;
}

static gboolean
parse_header (Reader *r, GError **error)
{
  const guint8 *h = r->data;
  adiff__bundle_header_decode (h, &r->hdr);

  if (adiff__le32 (h + HDR_HEADER_SIZE) != ADIFF_BUNDLE_HEADER_SIZE)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("header size %u, expected %d"),
                 adiff__le32 (h + HDR_HEADER_SIZE), ADIFF_BUNDLE_HEADER_SIZE);
  for (guint i = HDR_RESERVED; i < HDR_HEADER_CRC; i++)
    if (h[i] != 0)
      return fail (error, ADIFF_ERROR_FORMAT, r, _("reserved header byte %u is not zero"), i);
  if (r->hdr.flags & ~ADIFF_BUNDLE_FLAG_PARTIAL)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("unknown flags 0x%x"), r->hdr.flags);
  if (r->hdr.width == 0 || r->hdr.height == 0 || (r->hdr.channels != 1 && r->hdr.channels != 3))
    return fail (error, ADIFF_ERROR_FORMAT, r,
                 _("window %u×%u with %u channels is not valid"), r->hdr.width, r->hdr.height,
                 r->hdr.channels);
  /* Each factor < 2^32, channels ≤ 3: the product can still overflow, so check. */
  guint64 wh;
  if (!g_uint64_checked_mul (&wh, r->hdr.width, r->hdr.height) ||
      !g_uint64_checked_mul (&r->dim, wh, r->hdr.channels) || r->dim > r->max_dim)
    return fail (error, ADIFF_ERROR_LIMIT, r, _("window %u×%u×%u exceeds the limit of %"
                 PRIu64 " values"), r->hdr.width, r->hdr.height, r->hdr.channels, r->max_dim);
  if (r->hdr.n_components > r->dim)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("%" PRIu64 " components for a "
                 "window of %" PRIu64 " values"), r->hdr.n_components, r->dim);
  if (r->hdr.n_exemplars > r->max_exemplars)
    return fail (error, ADIFF_ERROR_LIMIT, r, _("%" PRIu64 " exemplars exceed the "
                 "limit of %" PRIu64), r->hdr.n_exemplars, r->max_exemplars);
  if (!isfinite (r->hdr.residual) || r->hdr.residual < 0)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("residual variance %g is not a finite "
                 "value ≥ 0"), r->hdr.residual);
  if (r->hdr.n_sections == 0 || r->hdr.n_sections > ADIFF_BUNDLE_MAX_SECTIONS)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("%u sections (expected 1 to %d)"),
                 r->hdr.n_sections, ADIFF_BUNDLE_MAX_SECTIONS);
  guint64 table_end = ADIFF_BUNDLE_HEADER_SIZE +
                      (guint64) r->hdr.n_sections * ADIFF_BUNDLE_ENTRY_SIZE;
  if (table_end > r->size)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("truncated section table"));
  if (adiff__crc32_of (h + ADIFF_BUNDLE_HEADER_SIZE, table_end - ADIFF_BUNDLE_HEADER_SIZE) !=
      adiff__le32 (h + HDR_TABLE_CRC))
    return fail (error, ADIFF_ERROR_CHECKSUM, r,
                 _("section table checksum mismatch (corrupt file)"));
  return TRUE;
}

/* Number of elements a section must hold, from the header. */
static guint64
expected_count (const Reader *r, guint kind, gboolean *ok)
{
  guint64 v = 0;
  *ok = TRUE;
  switch (kind)
    {
    case S_MEAN: v = r->dim; break;
    case S_EVAL: v = r->hdr.n_components; break;
    case S_EVEC: *ok = g_uint64_checked_mul (&v, r->hdr.n_components, r->dim); break;
    case S_EXEM: *ok = g_uint64_checked_mul (&v, r->hdr.n_exemplars, r->dim); break;
    case S_LABL: v = r->hdr.n_exemplars; break;
    case S_SCAT: *ok = g_uint64_checked_mul (&v, r->dim, r->dim); break;
    default: break;
    }
  return v;
}

static int
kind_of_tag (guint32 tag)
{
  for (guint k = 0; k < N_KINDS; k++)
    if (kinds[k].tag == tag)
      return (int) k;
  return -1;
}

static gboolean
parse_entry (Reader *r, const guint8 *e, GError **error)
{
  guint32 tag = adiff__le32 (e + ENT_TAG);
  int kind = kind_of_tag (tag);
  if (kind < 0)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("unknown section tag 0x%08x"), tag);
  Section *s = &r->sec[kind];
  const char *nm = kinds[kind].name;
  if (s->present)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s appears twice"), nm);
  s->present = TRUE;
  s->tag = tag;
  s->type = adiff__le32 (e + ENT_TYPE);
  s->offset = adiff__le64 (e + ENT_OFFSET);
  s->length = adiff__le64 (e + ENT_LENGTH);
  s->crc = adiff__le32 (e + ENT_CRC);

  gboolean type_ok = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (kinds[kind].types) && kinds[kind].types[i]; i++)
    type_ok |= kinds[kind].types[i] == s->type;
  if (!type_ok || adiff__le32 (e + ENT_RESERVED) != 0)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s has element type %u, "
                 "which it cannot have"), nm, s->type);
  guint64 end;
  if (s->offset % ADIFF_BUNDLE_ALIGN != 0)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s at offset %" PRIu64
                 " is not %d-byte aligned"), nm, s->offset, ADIFF_BUNDLE_ALIGN);
  if (!g_uint64_checked_add (&end, s->offset, s->length) || end > r->size)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s (offset %" PRIu64
                 ", %" PRIu64 " bytes) extends past the end of the file "
                 "(%zu bytes): truncated or corrupt"), nm, s->offset,
                 s->length, r->size);
  if (kind != S_META)
    {
      gboolean ok;
      guint64 count = expected_count (r, (guint) kind, &ok), bytes;
      if (!ok || !g_uint64_checked_mul (&bytes, count, adiff__elem_size (s->type)) ||
          bytes != s->length)
        return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s holds %" PRIu64
                     " bytes; the header implies %" PRIu64 " values"), nm,
                     s->length, count);
    }
  return TRUE;
}

static int
compare_offsets (gconstpointer a, gconstpointer b)
{
  const Section *x = *(const Section *const *) a, *y = *(const Section *const *) b;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static gboolean
all_zero (const guint8 *p, guint64 n)
{
  for (guint64 i = 0; i < n; i++)
    if (p[i])
      return FALSE;
  return TRUE;
}

/* Sections in file order must not overlap the table or each other; the
 * bytes between them must be zero padding and the file must end with the
 * last section, so every byte of a valid file is covered by a check. */
static gboolean
check_placement (Reader *r, GError **error)
{
  const Section *order[N_KINDS];
  guint n = 0;
  for (guint k = 0; k < N_KINDS; k++)
    if (r->sec[k].present)
      order[n++] = &r->sec[k];
  qsort (order, n, sizeof order[0], compare_offsets);
  guint64 pos = ADIFF_BUNDLE_HEADER_SIZE + (guint64) r->hdr.n_sections * ADIFF_BUNDLE_ENTRY_SIZE;
  for (guint i = 0; i < n; i++)
    {
      const Section *s = order[i];
      if (s->offset < pos)
        return fail (error, ADIFF_ERROR_FORMAT, r, _("section %s overlaps %s"),
                     kinds[kind_of_tag (s->tag)].name,
                     i ? kinds[kind_of_tag (order[i - 1]->tag)].name : _("the section table"));
      if (!all_zero (r->data + pos, s->offset - pos))
        return fail (error, ADIFF_ERROR_CHECKSUM, r, _("non-zero padding before offset %"
                     PRIu64 " (corrupt file)"), s->offset);
      pos = s->offset + s->length;
    }
  if (pos != r->size)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("%" PRIu64 " unexpected bytes "
                 "after the last section"), (guint64) r->size - pos);
  return TRUE;
}

static gboolean
parse_table (Reader *r, GError **error)
{
  const guint8 *t = r->data + ADIFF_BUNDLE_HEADER_SIZE;
  for (guint i = 0; i < r->hdr.n_sections; i++)
    if (!parse_entry (r, t + (gsize) i * ADIFF_BUNDLE_ENTRY_SIZE, error))
      return FALSE;

  gboolean has_k = r->hdr.n_components > 0, has_n = r->hdr.n_exemplars > 0;
  gboolean partial = (r->hdr.flags & ADIFF_BUNDLE_FLAG_PARTIAL) != 0;
  if (!r->sec[S_MEAN].present)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("no MEAN section"));
  if (r->sec[S_EVAL].present != has_k || r->sec[S_EVEC].present != has_k)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("EVAL/EVEC sections do not match the "
                 "%" PRIu64 " components of the header"), r->hdr.n_components);
  if (r->sec[S_EXEM].present != has_n || (r->sec[S_LABL].present && !has_n))
    return fail (error, ADIFF_ERROR_FORMAT, r, _("EXEM/LABL sections do not match the "
                 "%" PRIu64 " exemplars of the header"), r->hdr.n_exemplars);
  if (r->sec[S_SCAT].present != partial)
    return fail (error, ADIFF_ERROR_FORMAT, r, _("SCAT section and partial flag disagree"));
  return check_placement (r, error);
}

/* What the in-memory bundle will take, checked against max_bytes. */
static gboolean
check_budget (Reader *r, GError **error)
{
  guint64 d = r->dim, k = r->hdr.n_components, n = r->hdr.n_exemplars;
  guint64 total = 0, t;
  gboolean ok =
    g_uint64_checked_mul (&t, d, 8) && g_uint64_checked_add (&total, total, t) &&
    g_uint64_checked_mul (&t, k, 8) && g_uint64_checked_add (&total, total, t) &&
    g_uint64_checked_mul (&t, k, d) && g_uint64_checked_mul (&t, t, 4) &&
    g_uint64_checked_add (&total, total, t) &&
    g_uint64_checked_mul (&t, n, d) && g_uint64_checked_mul (&t, t, 4) &&
    g_uint64_checked_add (&total, total, t) &&
    g_uint64_checked_mul (&t, n, 4) && g_uint64_checked_add (&total, total, t) &&
    g_uint64_checked_add (&total, total, r->sec[S_META].length);
  if (ok && r->sec[S_SCAT].present)
    ok = g_uint64_checked_mul (&t, d, d) && g_uint64_checked_mul (&t, t, 8) &&
         g_uint64_checked_add (&total, total, t);
  if (!ok || total > r->max_bytes || total > G_MAXSIZE / 2)
    return fail (error, ADIFF_ERROR_LIMIT, r, _("loading would take %" PRIu64
                 " bytes, more than the limit of %" PRIu64),
                 ok ? total : G_MAXUINT64, r->max_bytes);
  return TRUE;
}

static gboolean
check_crcs (Reader *r, GError **error)
{
  for (guint k = 0; k < N_KINDS; k++)
    {
      const Section *s = &r->sec[k];
      if (s->present && adiff__crc32_of (r->data + s->offset, s->length) != s->crc)
        return fail (error, ADIFF_ERROR_CHECKSUM, r,
                     _("section %s checksum mismatch (corrupt file)"), kinds[k].name);
    }
  return TRUE;
}

static double *
load_f64 (const Reader *r, const Section *s)
{
  gsize n = (gsize) (s->length / 8);
  double *v = g_new (double, n + 1);
  for (gsize i = 0; i < n; i++)
    v[i] = adiff__le_f64 (r->data + s->offset + 8 * i);
  return v;
}

static float *
load_floats (const Reader *r, const Section *s)
{
  gsize n = (gsize) (s->length / adiff__elem_size (s->type));
  const guint8 *p = r->data + s->offset;
  float *v = g_new (float, n + 1);
  for (gsize i = 0; i < n; i++)
    switch (s->type)
      {
      case ADIFF_ELEM_F32:
        {
          guint32 u = adiff__le32 (p + 4 * i);
          memcpy (&v[i], &u, 4);
        }
        break;
      case ADIFF_ELEM_F16:
        {
          guint16 h;
          memcpy (&h, p + 2 * i, 2);
          v[i] = adiff__half_to_float (GUINT16_FROM_LE (h));
        }
        break;
      case ADIFF_ELEM_U8:
        v[i] = p[i] * (1.0f / 255.0f);
        break;
      default:
        g_assert_not_reached ();
      }
  return v;
}

static gint32 *
load_labels (const Reader *r, const Section *s)
{
  gsize n = (gsize) (s->length / 4);
  gint32 *v = g_new (gint32, n + 1);
  for (gsize i = 0; i < n; i++)
    v[i] = (gint32) adiff__le32 (r->data + s->offset + 4 * i);
  return v;
}

static gboolean
load_metadata (Reader *r, AdiffBundle *b, GError **error)
{
  const Section *s = &r->sec[S_META];
  if (!s->present)
    return TRUE;
  const char *text = (const char *) r->data + s->offset;
  if (memchr (text, 0, s->length) || !g_utf8_validate (text, (gssize) s->length, NULL))
    return fail (error, ADIFF_ERROR_FORMAT, r, _("metadata is not valid UTF-8 text"));
  g_free (b->metadata);
  b->metadata = g_strndup (text, s->length);
  GKeyFile *kf = g_key_file_new ();
  GError *local = NULL;
  gboolean ok = g_key_file_load_from_data (kf, b->metadata, s->length, G_KEY_FILE_NONE,
                                           &local);
  g_key_file_free (kf);
  if (!ok)
    {
      fail (error, ADIFF_ERROR_FORMAT, r, _("metadata is not a valid key file: %s"),
            local->message);
      g_error_free (local);
    }
  return ok;
}

static gboolean
check_finite_f64 (const Reader *r, const double *v, gsize n, const char *what,
                  GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return fail (error, ADIFF_ERROR_NUMERIC, r, _("%s has a non-finite value at index %zu"),
                   what, i);
  return TRUE;
}

static gboolean
check_finite_f32 (const Reader *r, const float *v, gsize n, const char *what,
                  GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return fail (error, ADIFF_ERROR_NUMERIC, r, _("%s has a non-finite value at index %zu"),
                   what, i);
  return TRUE;
}

/* Unit length within a tolerance that float16 storage easily meets: a
 * gross scale error would silently scale every Wiener output.  Full
 * orthogonality (k²·d work) is left to `adiff-stats verify`. */
#define UNIT_TOLERANCE 1e-2

static gboolean
check_unit_rows (const Reader *r, const float *v, gsize k, gsize d, GError **error)
{
  for (gsize i = 0; i < k; i++)
    {
      double s = 0;
      for (gsize p = 0; p < d; p++)
        s += (double) v[i * d + p] * v[i * d + p];
      if (fabs (sqrt (s) - 1) > UNIT_TOLERANCE)
        return fail (error, ADIFF_ERROR_NUMERIC, r, _("eigenvector %zu has length %g, "
                     "not 1"), i, sqrt (s));
    }
  return TRUE;
}

/* The same invariants adiff__bundle_data_check() asks of in-memory data,
 * plus unit-length eigenvectors. */
static gboolean
validate (const Reader *r, const AdiffBundle *b, GError **error)
{
  gsize d = b->dim, k = b->n_components;
  if (!check_finite_f64 (r, b->mean, d, "the mean", error) ||
      !check_finite_f64 (r, b->eigenvalues, k, "the eigenvalues", error) ||
      !check_finite_f32 (r, b->eigenvectors, k * d, "the eigenvectors", error) ||
      !check_finite_f32 (r, b->exemplars, b->exemplars ? (gsize) b->n_exemplars * d : 0,
                         "the exemplars", error) ||
      !check_finite_f64 (r, b->scatter, b->scatter ? d * d : 0, "the scatter matrix", error))
    return FALSE;
  for (gsize i = 0; i < k; i++)
    if (b->eigenvalues[i] < 0 || (i > 0 && b->eigenvalues[i] > b->eigenvalues[i - 1]))
      return fail (error, ADIFF_ERROR_FORMAT, r, _("eigenvalue %zu (%g) is "
                   "negative or out of descending order"), i, b->eigenvalues[i]);
  return check_unit_rows (r, b->eigenvectors, k, d, error);
}

static AdiffBundle *
materialise (Reader *r, GError **error)
{
  AdiffBundle *b = adiff__bundle_alloc (r->name);
  b->width = r->hdr.width;
  b->height = r->hdr.height;
  b->channels = r->hdr.channels;
  b->dim = (gsize) r->dim;
  b->n_items = r->hdr.n_items;
  b->n_components = (guint) r->hdr.n_components;
  b->n_exemplars = (guint) r->hdr.n_exemplars;
  b->residual_variance = r->hdr.residual;
  b->mean = load_f64 (r, &r->sec[S_MEAN]);
  if (b->n_components)
    {
      b->eigenvalues = load_f64 (r, &r->sec[S_EVAL]);
      b->eigenvectors = load_floats (r, &r->sec[S_EVEC]);
    }
  else
    b->eigenvectors = g_new (float, 1);   /* as adiff_bundle_new_from_data() */
  if (b->n_exemplars)
    b->exemplars = load_floats (r, &r->sec[S_EXEM]);
  if (r->sec[S_LABL].present)
    b->labels = load_labels (r, &r->sec[S_LABL]);
  if (r->sec[S_SCAT].present)
    b->scatter = load_f64 (r, &r->sec[S_SCAT]);
  if (!load_metadata (r, b, error) || !validate (r, b, error))
    {
      adiff_bundle_unref (b);
      return NULL;
    }
  return b;
}

static void
reader_init (Reader *r, GBytes *bytes, const char *name, const AdiffLoadLimits *limits)
{
  memset (r, 0, sizeof *r);
  r->name = name ? name : "<memory>";
  r->data = g_bytes_get_data (bytes, &r->size);
  r->max_dim = limits && limits->max_dim ? limits->max_dim : ADIFF_DEFAULT_MAX_DIM;
  r->max_exemplars = limits && limits->max_exemplars ? limits->max_exemplars :
                     ADIFF_DEFAULT_MAX_EXEMPLARS;
  r->max_bytes = limits && limits->max_bytes ? limits->max_bytes : ADIFF_DEFAULT_MAX_BYTES;
  /* The in-memory bundle counts in guint and refuses d > 65536 anyway. */
  r->max_dim = MIN (r->max_dim, ADIFF_DEFAULT_MAX_DIM);
  r->max_exemplars = MIN (r->max_exemplars, G_MAXUINT);
}

ADIFF_EXPORT AdiffBundle *
adiff_bundle_open_bytes (GBytes *bytes, const char *name,
                         const AdiffLoadLimits *limits, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  Reader r;
  reader_init (&r, bytes, name, limits);
  if (!check_magic_and_version (&r, error) || !parse_header (&r, error) ||
      !parse_table (&r, error) || !check_budget (&r, error) || !check_crcs (&r, error))
    return NULL;
  return materialise (&r, error);
}

ADIFF_EXPORT AdiffBundle *
adiff_bundle_open (const char *path, const AdiffLoadLimits *limits, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  GError *local = NULL;
  GMappedFile *mf = g_mapped_file_new (path, FALSE, &local);
  if (!mf)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("%s: cannot open the bundle: %s"),
                   path, local->message);
      g_error_free (local);
      return NULL;
    }
  GBytes *bytes = g_mapped_file_get_bytes (mf);
  g_mapped_file_unref (mf);
  AdiffBundle *b = adiff_bundle_open_bytes (bytes, path, limits, error);
  g_bytes_unref (bytes);
  return b;
}
