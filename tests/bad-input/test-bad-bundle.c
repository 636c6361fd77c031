/* test-bad-bundle.c — bad-input matrix, bundle files.
 *
 * A valid bundle (3×3 gray window, 4 components, 3 uint8 exemplars with
 * labels, metadata) is written with adiff_bundle_write(); each case changes
 * it the way a damaged or hostile file would be changed — truncated at every
 * section boundary, wrong magic, future version, offsets past the end,
 * overlapping sections, counts whose product overflows 64 bits, NaN/Inf in
 * arrays, ... — with the checksums recomputed unless the case is about
 * checksums, so that the check under test is the one that fires.  The file
 * is loaded with adiff_bundle_open() and the case asserts the exact
 * ADIFF_ERROR code, a message naming the file, and that the folder is byte
 * for byte as before (no file created, the bundle unchanged).
 */
#include <math.h>
#include <zlib.h>
#include "adiff/adiff.h"
#include "bundle/format.h"
#include "bad-input-util.h"

#define BW 3
#define BH 3
#define D (BW * BH)
#define K 4
#define NEX 3

typedef struct
{
  const char *name;
  void      (*mutate) (GByteArray *b);
  gboolean    fix_crcs;        /* recompute every CRC after mutate */
  int         code;
  AdiffLoadLimits limits;
  const char *says;            /* the message names the check that fired */
} Case;

static GByteArray *valid_bundle;

static GByteArray *
make_valid (void)
{
  double mean[D], eval[K], evec[K * D];
  float ex[NEX * D];
  gint32 labels[NEX] = { 3, 1, 4 };
  for (int p = 0; p < D; p++)
    mean[p] = 0.4 + 0.01 * p;
  for (int i = 0; i < K; i++)
    {
      eval[i] = 0.2 / (i + 1);
      for (int p = 0; p < D; p++)
        evec[i * D + p] = (i == 0 ? sqrt (1.0 / D) : sqrt (2.0 / D)) *
                          cos (G_PI * i * (p + 0.5) / D);
    }
  for (int j = 0; j < NEX * D; j++)
    ex[j] = (j % 5) / 4.0f;
  AdiffBundleData data = {
    .width = BW, .height = BH, .channels = 1, .n_items = 50, .mean = mean,
    .n_components = K, .eigenvalues = eval, .eigenvectors = evec,
    .residual_variance = 0.01, .n_exemplars = NEX, .exemplars = ex, .labels = labels,
    .metadata = "[bundle]\nsource=test-bad-bundle\n",
  };
  AdiffWriteOptions options = { ADIFF_STORE_F32, ADIFF_STORE_U8 };
  char *dir = bad_scratch ();
  char *path = g_build_filename (dir, "valid.adstats", NULL);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &data, &options, &error));
  g_assert_no_error (error);
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  GByteArray *b = g_byte_array_new_take ((guint8 *) contents, len);
  g_free (path);
  bad_rmtree (dir);
  g_free (dir);
  return b;
}

/* ---- access to the layout ------------------------------------------------- */

static guint
n_sections (GByteArray *b)
{
  return adiff__le32 (b->data + HDR_N_SECTIONS);
}

static guint8 *
entry (GByteArray *b, guint32 tag)
{
  for (guint i = 0; i < n_sections (b); i++)
    {
      guint8 *e = b->data + ADIFF_BUNDLE_HEADER_SIZE + i * ADIFF_BUNDLE_ENTRY_SIZE;
      if (adiff__le32 (e + ENT_TAG) == tag)
        return e;
    }
  g_assert_not_reached ();
}

static guint8 *
section (GByteArray *b, guint32 tag)
{
  return b->data + adiff__le64 (entry (b, tag) + ENT_OFFSET);
}

static void
fix_crcs (GByteArray *b)
{
  /* only the entries that lie inside the buffer (the count may be bogus) */
  guint n = MIN (n_sections (b), (b->len - ADIFF_BUNDLE_HEADER_SIZE) / ADIFF_BUNDLE_ENTRY_SIZE);
  for (guint i = 0; i < n; i++)
    {
      guint8 *e = b->data + ADIFF_BUNDLE_HEADER_SIZE + i * ADIFF_BUNDLE_ENTRY_SIZE;
      guint64 off = adiff__le64 (e + ENT_OFFSET), len = adiff__le64 (e + ENT_LENGTH);
      if (off <= b->len && len <= b->len - off)
        adiff__put_le32 (e + ENT_CRC, crc32 (0, b->data + off, len));
    }
  adiff__put_le32 (b->data + HDR_TABLE_CRC,
                  crc32 (0, b->data + ADIFF_BUNDLE_HEADER_SIZE, n * ADIFF_BUNDLE_ENTRY_SIZE));
  adiff__put_le32 (b->data + HDR_HEADER_CRC, crc32 (0, b->data, HDR_HEADER_CRC));
}

/* ---- mutations ------------------------------------------------------------- */

static void m_empty (GByteArray *b)          { g_byte_array_set_size (b, 0); }
static void m_magic (GByteArray *b)          { b->data[0] = 'X'; }
static void m_future_version (GByteArray *b) { adiff__put_le32 (b->data + HDR_VERSION, 2); }
static void m_version_0 (GByteArray *b)      { adiff__put_le32 (b->data + HDR_VERSION, 0); }
static void m_header_size (GByteArray *b)    { adiff__put_le32 (b->data + HDR_HEADER_SIZE, 64); }
static void m_reserved (GByteArray *b)       { b->data[HDR_RESERVED + 3] = 1; }
static void m_flags (GByteArray *b)          { adiff__put_le32 (b->data + HDR_FLAGS, 4); }
static void m_partial_flag (GByteArray *b)   { adiff__put_le32 (b->data + HDR_FLAGS, ADIFF_BUNDLE_FLAG_PARTIAL); }
static void m_channels_2 (GByteArray *b)     { adiff__put_le32 (b->data + HDR_CHANNELS, 2); }
static void m_width_0 (GByteArray *b)        { adiff__put_le32 (b->data + HDR_WIDTH, 0); }
static void m_dim_overflow (GByteArray *b)
{
  /* 2^32−1 × 2^32−1 × 3 overflows 64 bits */
  adiff__put_le32 (b->data + HDR_WIDTH, G_MAXUINT32);
  adiff__put_le32 (b->data + HDR_HEIGHT, G_MAXUINT32);
  adiff__put_le32 (b->data + HDR_CHANNELS, 3);
}
static void m_dim_too_large (GByteArray *b)  { adiff__put_le32 (b->data + HDR_WIDTH, 70000); }
static void m_components_2_40 (GByteArray *b) { adiff__put_le64 (b->data + HDR_N_COMPONENTS, G_GUINT64_CONSTANT (1) << 40); }
static void m_components_gt_d (GByteArray *b) { adiff__put_le64 (b->data + HDR_N_COMPONENTS, D + 1); }
static void m_exemplars_2_62 (GByteArray *b)  { adiff__put_le64 (b->data + HDR_N_EXEMPLARS, G_GUINT64_CONSTANT (1) << 62); }
static void m_exemplars_plus_1 (GByteArray *b) { adiff__put_le64 (b->data + HDR_N_EXEMPLARS, NEX + 1); }
static void m_residual_nan (GByteArray *b)   { adiff__put_le_f64 (b->data + HDR_RESIDUAL, NAN); }
static void m_residual_negative (GByteArray *b) { adiff__put_le_f64 (b->data + HDR_RESIDUAL, -1); }
static void m_sections_0 (GByteArray *b)     { adiff__put_le32 (b->data + HDR_N_SECTIONS, 0); }
static void m_sections_1000 (GByteArray *b)  { adiff__put_le32 (b->data + HDR_N_SECTIONS, 1000); }
static void m_offset_past_end (GByteArray *b)
{
  adiff__put_le64 (entry (b, ADIFF_TAG_EVEC) + ENT_OFFSET, adiff__align_up (b->len + 4096));
}
static void m_length_past_end (GByteArray *b)
{
  guint8 *e = entry (b, ADIFF_TAG_META);
  adiff__put_le64 (e + ENT_LENGTH, adiff__le64 (e + ENT_LENGTH) + 4096);
}
static void m_offset_wraps (GByteArray *b)
{
  adiff__put_le64 (entry (b, ADIFF_TAG_MEAN) + ENT_OFFSET, G_MAXUINT64 - 63);
}
static void m_misaligned (GByteArray *b)
{
  guint8 *e = entry (b, ADIFF_TAG_EVAL);
  adiff__put_le64 (e + ENT_OFFSET, adiff__le64 (e + ENT_OFFSET) + 8);
}
static void m_overlap (GByteArray *b)
{
  /* EVAL pointed at MEAN's data: same length class, both f64 */
  adiff__put_le64 (entry (b, ADIFF_TAG_EVAL) + ENT_OFFSET,
                  adiff__le64 (entry (b, ADIFF_TAG_MEAN) + ENT_OFFSET));
}
static void m_overlap_table (GByteArray *b)
{
  adiff__put_le64 (entry (b, ADIFF_TAG_MEAN) + ENT_OFFSET, 128);
}
static void m_duplicate_tag (GByteArray *b)
{
  adiff__put_le32 (entry (b, ADIFF_TAG_EVAL) + ENT_TAG, ADIFF_TAG_MEAN);
}
static void m_unknown_tag (GByteArray *b)
{
  adiff__put_le32 (entry (b, ADIFF_TAG_LABL) + ENT_TAG, ADIFF_TAG ('J', 'U', 'N', 'K'));
}
static void m_wrong_type (GByteArray *b)
{
  adiff__put_le32 (entry (b, ADIFF_TAG_MEAN) + ENT_TYPE, ADIFF_ELEM_F32);
}
static void m_short_section (GByteArray *b)
{
  guint8 *e = entry (b, ADIFF_TAG_MEAN);
  adiff__put_le64 (e + ENT_LENGTH, adiff__le64 (e + ENT_LENGTH) - 8);
}
static void m_no_mean (GByteArray *b)
{
  /* drop MEAN's table entry and zero its data, which becomes padding */
  guint8 *e = entry (b, ADIFF_TAG_MEAN);
  guint64 off = adiff__le64 (e + ENT_OFFSET), len = adiff__le64 (e + ENT_LENGTH);
  guint8 *table_end = b->data + ADIFF_BUNDLE_HEADER_SIZE + n_sections (b) * ADIFF_BUNDLE_ENTRY_SIZE;
  memmove (e, e + ADIFF_BUNDLE_ENTRY_SIZE, table_end - e - ADIFF_BUNDLE_ENTRY_SIZE);
  memset (table_end - ADIFF_BUNDLE_ENTRY_SIZE, 0, ADIFF_BUNDLE_ENTRY_SIZE);
  memset (b->data + off, 0, len);
  adiff__put_le32 (b->data + HDR_N_SECTIONS, n_sections (b) - 1);
}
static void m_trailing (GByteArray *b)       { g_byte_array_append (b, (const guint8 *) "junk", 4); }
static void m_padding (GByteArray *b)
{
  /* the byte right before the last section is padding in this layout */
  guint64 off = adiff__le64 (entry (b, ADIFF_TAG_META) + ENT_OFFSET);
  b->data[off - 1] = 0x7f;
}
static void m_mean_nan (GByteArray *b)       { adiff__put_le_f64 (section (b, ADIFF_TAG_MEAN) + 16, NAN); }
static void m_eval_inf (GByteArray *b)       { adiff__put_le_f64 (section (b, ADIFF_TAG_EVAL), INFINITY); }
static void m_eval_negative (GByteArray *b)  { adiff__put_le_f64 (section (b, ADIFF_TAG_EVAL) + 8 * (K - 1), -0.5); }
static void m_eval_ascending (GByteArray *b) { adiff__put_le_f64 (section (b, ADIFF_TAG_EVAL) + 8, 7.0); }
static void m_evec_nan (GByteArray *b)       { adiff__put_le32 (section (b, ADIFF_TAG_EVEC) + 4 * 5, 0x7fc00000); }
static void m_evec_inf (GByteArray *b)       { adiff__put_le32 (section (b, ADIFF_TAG_EVEC), 0xff800000); }
static void m_meta_nul (GByteArray *b)       { section (b, ADIFF_TAG_META)[2] = 0; }
static void m_meta_utf8 (GByteArray *b)      { section (b, ADIFF_TAG_META)[3] = 0xc3; section (b, ADIFF_TAG_META)[4] = 0x28; }
static void m_meta_keyfile (GByteArray *b)   { section (b, ADIFF_TAG_META)[0] = '='; }
static void m_flip_evec (GByteArray *b)      { section (b, ADIFF_TAG_EVEC)[7] ^= 0x10; }
static void m_flip_header (GByteArray *b)    { b->data[HDR_N_ITEMS] ^= 1; }
static void m_flip_table (GByteArray *b)     { entry (b, ADIFF_TAG_MEAN)[ENT_CRC] ^= 1; }
static void m_same (GByteArray *b)           { }

static const Case fixed_cases[] = {
  { "empty-file", m_empty, FALSE, ADIFF_ERROR_FORMAT, { 0 }, "bad magic" },
  { "wrong-magic", m_magic, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "bad magic" },
  { "future-version", m_future_version, TRUE, ADIFF_ERROR_VERSION, { 0 }, "version 2" },
  { "version-0", m_version_0, TRUE, ADIFF_ERROR_VERSION, { 0 }, "version 0" },
  { "header-size-64", m_header_size, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "header size 64" },
  { "reserved-byte-set", m_reserved, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "reserved header byte" },
  { "unknown-flag", m_flags, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "unknown flags" },
  { "partial-flag-without-scatter", m_partial_flag, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "partial flag" },
  { "channels-2", m_channels_2, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "2 channels" },
  { "width-0", m_width_0, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "window 0" },
  { "window-product-overflows-64-bits", m_dim_overflow, TRUE, ADIFF_ERROR_LIMIT, { 0 }, "4294967295" },
  { "window-over-limit", m_dim_too_large, TRUE, ADIFF_ERROR_LIMIT, { 0 }, "70000" },
  { "components-2^40", m_components_2_40, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "1099511627776 components" },
  { "components-exceed-dim", m_components_gt_d, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "10 components" },
  { "exemplars-2^62-overflow-with-dim", m_exemplars_2_62, TRUE, ADIFF_ERROR_LIMIT, { 0 }, "exemplars exceed" },
  { "exemplar-count-disagrees", m_exemplars_plus_1, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "section EXEM holds" },
  { "residual-nan", m_residual_nan, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "residual variance nan" },
  { "residual-negative", m_residual_negative, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "residual variance -1" },
  { "no-sections", m_sections_0, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "0 sections" },
  { "1000-sections", m_sections_1000, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "1000 sections" },
  { "section-offset-past-end", m_offset_past_end, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "EVEC (offset" },
  { "section-length-past-end", m_length_past_end, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "META (offset" },
  { "section-offset-plus-length-wraps", m_offset_wraps, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "MEAN (offset 18446744073709551552" },
  { "section-misaligned", m_misaligned, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "not 64-byte aligned" },
  { "sections-overlap", m_overlap, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "EVAL overlaps MEAN" },
  { "section-overlaps-table", m_overlap_table, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "overlaps the section table" },
  { "duplicate-tag", m_duplicate_tag, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "MEAN appears twice" },
  { "unknown-tag", m_unknown_tag, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "unknown section tag" },
  { "mean-stored-as-f32", m_wrong_type, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "MEAN has element type 2" },
  { "section-shorter-than-header-implies", m_short_section, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "MEAN holds 64 bytes" },
  { "no-mean-section", m_no_mean, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "no MEAN section" },
  { "trailing-bytes", m_trailing, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "unexpected bytes" },
  { "non-zero-padding", m_padding, TRUE, ADIFF_ERROR_CHECKSUM, { 0 }, "non-zero padding" },
  { "nan-in-mean", m_mean_nan, TRUE, ADIFF_ERROR_NUMERIC, { 0 }, "mean has a non-finite" },
  { "inf-eigenvalue", m_eval_inf, TRUE, ADIFF_ERROR_NUMERIC, { 0 }, "eigenvalues has a non-finite" },
  { "negative-eigenvalue", m_eval_negative, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "eigenvalue 3" },
  { "eigenvalues-ascending", m_eval_ascending, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "eigenvalue 1" },
  { "nan-in-eigenvectors", m_evec_nan, TRUE, ADIFF_ERROR_NUMERIC, { 0 }, "eigenvectors has a non-finite value at index 5" },
  { "inf-in-eigenvectors", m_evec_inf, TRUE, ADIFF_ERROR_NUMERIC, { 0 }, "eigenvectors has a non-finite value at index 0" },
  { "metadata-with-nul", m_meta_nul, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "not valid UTF-8" },
  { "metadata-not-utf8", m_meta_utf8, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "not valid UTF-8" },
  { "metadata-not-a-key-file", m_meta_keyfile, TRUE, ADIFF_ERROR_FORMAT, { 0 }, "not a valid key file" },
  { "flipped-byte-in-eigenvectors", m_flip_evec, FALSE, ADIFF_ERROR_CHECKSUM, { 0 }, "EVEC checksum" },
  { "flipped-byte-in-header", m_flip_header, FALSE, ADIFF_ERROR_CHECKSUM, { 0 }, "header checksum" },
  { "flipped-byte-in-table", m_flip_table, FALSE, ADIFF_ERROR_CHECKSUM, { 0 }, "table checksum" },
  { "limit-max-dim-4", m_same, FALSE, ADIFF_ERROR_LIMIT, { .max_dim = 4 }, "limit of 4 values" },
  { "limit-max-exemplars-2", m_same, FALSE, ADIFF_ERROR_LIMIT, { .max_exemplars = 2 }, "limit of 2" },
  { "limit-max-bytes-100", m_same, FALSE, ADIFF_ERROR_LIMIT, { .max_bytes = 100 }, "limit of 100" },
};

/* ---- running --------------------------------------------------------------- */

typedef struct
{
  char   *name;
  guint64 cut;                  /* truncate to this many bytes */
} Cut;

/* Returns the error message (free it). */
static char *
expect_refused (GByteArray *bytes, int code, const AdiffLoadLimits *limits,
                const char *what)
{
  char *dir = bad_scratch ();
  char *path = bad_write (dir, "bad.adstats", bytes->data, bytes->len);
  char *before = bad_fingerprint (dir);
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (path, limits, &error);
  if (b)
    adiff_bundle_unref (b);
  g_assert_null (b);
  g_assert_error (error, ADIFF_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s: %s", what, error->message);
  char *msg = g_strdup (error->message);
  g_error_free (error);
  char *after = bad_fingerprint (dir);
  g_assert_cmpstr (after, ==, before);
  g_free (before);
  g_free (after);
  g_free (path);
  bad_rmtree (dir);
  g_free (dir);
  return msg;
}

static void
run_fixed (gconstpointer data)
{
  const Case *t = data;
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, valid_bundle->data, valid_bundle->len);
  t->mutate (b);
  if (t->fix_crcs && b->len >= ADIFF_BUNDLE_HEADER_SIZE)
    fix_crcs (b);
  char *msg = expect_refused (b, t->code, &t->limits, t->name);
  if (!strstr (msg, t->says))
    g_error ("%s: expected the message to say “%s”, got: %s", t->name, t->says, msg);
  g_free (msg);
  g_byte_array_unref (b);
}

static void
run_cut (gconstpointer data)
{
  const Cut *c = data;
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, valid_bundle->data, c->cut);
  g_free (expect_refused (b, ADIFF_ERROR_FORMAT, NULL, c->name));
  g_byte_array_unref (b);
}

/* The unmodified file loads: the cases above fail for their change only. */
static void
valid_loads (void)
{
  char *dir = bad_scratch ();
  char *path = bad_write (dir, "ok.adstats", valid_bundle->data, valid_bundle->len);
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, NEX);
  adiff_bundle_unref (b);
  /* and so does a copy whose checksums were recomputed */
  GByteArray *copy = g_byte_array_new ();
  g_byte_array_append (copy, valid_bundle->data, valid_bundle->len);
  fix_crcs (copy);
  g_assert_cmpmem (copy->data, copy->len, valid_bundle->data, valid_bundle->len);
  g_byte_array_unref (copy);
  g_free (path);
  bad_rmtree (dir);
  g_free (dir);
}

static void
add_cut (GPtrArray *cuts, guint64 at, const char *where)
{
  for (guint i = 0; i < cuts->len; i++)
    if (((Cut *) cuts->pdata[i])->cut == at)
      return;
  Cut *c = g_new0 (Cut, 1);
  c->cut = at;
  c->name = g_strdup_printf ("truncated-at-%" G_GUINT64_FORMAT "-%s", at, where);
  g_ptr_array_add (cuts, c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  valid_bundle = make_valid ();
  g_test_add_func ("/bad-input/bundle/valid-file-loads", valid_loads);
  for (guint i = 0; i < G_N_ELEMENTS (fixed_cases); i++)
    {
      char *path = g_strdup_printf ("/bad-input/bundle/%s", fixed_cases[i].name);
      g_test_add_data_func (path, &fixed_cases[i], run_fixed);
      g_free (path);
    }

  /* Truncation at every boundary of the layout: inside the magic, end of
   * magic, mid header, end of header, end of table, and the start, middle
   * and end of every section (but the file's own end). */
  GPtrArray *cuts = g_ptr_array_new ();
  add_cut (cuts, 4, "in-magic");
  add_cut (cuts, 8, "after-magic");
  add_cut (cuts, 64, "mid-header");
  add_cut (cuts, ADIFF_BUNDLE_HEADER_SIZE, "end-of-header");
  add_cut (cuts, ADIFF_BUNDLE_HEADER_SIZE + n_sections (valid_bundle) * ADIFF_BUNDLE_ENTRY_SIZE,
           "end-of-table");
  for (guint i = 0; i < n_sections (valid_bundle); i++)
    {
      const guint8 *e = valid_bundle->data + ADIFF_BUNDLE_HEADER_SIZE + i * ADIFF_BUNDLE_ENTRY_SIZE;
      char tag[5] = { 0 };
      memcpy (tag, e + ENT_TAG, 4);
      guint64 off = adiff__le64 (e + ENT_OFFSET), len = adiff__le64 (e + ENT_LENGTH);
      char *s = g_strdup_printf ("start-of-%s", tag), *m = g_strdup_printf ("inside-%s", tag),
           *x = g_strdup_printf ("end-of-%s", tag);
      add_cut (cuts, off, s);
      if (len > 1)
        add_cut (cuts, off + len / 2, m);
      if (off + len < valid_bundle->len)
        add_cut (cuts, off + len, x);
      g_free (s); g_free (m); g_free (x);
    }
  add_cut (cuts, valid_bundle->len - 1, "last-byte-missing");
  for (guint i = 0; i < cuts->len; i++)
    {
      Cut *c = cuts->pdata[i];
      char *path = g_strdup_printf ("/bad-input/bundle/%s", c->name);
      g_test_add_data_func (path, c, run_cut);
      g_free (path);
    }

  int status = g_test_run ();
  for (guint i = 0; i < cuts->len; i++)
    {
      g_free (((Cut *) cuts->pdata[i])->name);
      g_free (cuts->pdata[i]);
    }
  g_ptr_array_free (cuts, TRUE);
  g_byte_array_unref (valid_bundle);
  return status;
}
