/* test-bundle-corrupt.c — the loader treats a bundle as untrusted: every
 * flipped byte, every truncation and every inconsistent header or table
 * (with valid checksums, so the structural checks are what catches them)
 * fails with a GError, without large allocations. */
#include <math.h>
#include <sys/resource.h>
#include <zlib.h>
#include "bundle-test-util.h"
#include "bundle/format.h"

static guint8 *good;     /* a valid bundle: 3×3 gray, 4 components, 3 exemplars */
static gsize good_len;

static void
make_good_bundle (void)
{
  TestBundle t;
  test_bundle_init (&t, 3, 3, 1, 4, 3, TRUE, TRUE, FALSE, 5);
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "good.adstats", NULL);
  AdiffWriteOptions opt = { ADIFF_STORE_F16, ADIFF_STORE_U8 };
  g_assert_true (adiff_bundle_write (path, &t.data, &opt, NULL));
  g_assert_true (g_file_get_contents (path, (char **) &good, &good_len, NULL));
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

static AdiffBundle *
load (const guint8 *bytes, gsize len, const AdiffLoadLimits *limits, GError **error)
{
  GBytes *b = g_bytes_new (bytes, len);
  AdiffBundle *bundle = adiff_bundle_open_bytes (b, "test.adstats", limits, error);
  g_bytes_unref (b);
  return bundle;
}

static void
expect_error (const guint8 *bytes, gsize len, AdiffError code, const char *text)
{
  GError *error = NULL;
  AdiffBundle *b = load (bytes, len, NULL, &error);
  if (b)
    g_error ("a corrupt bundle loaded (expected error %d)", code);
  g_assert_error (error, ADIFF_ERROR, (gint) code);
  g_assert_true (g_str_has_prefix (error->message, "test.adstats: "));
  if (text && !strstr (error->message, text))
    g_error ("message “%s” does not mention “%s”", error->message, text);
  g_error_free (error);
}

/* A copy whose checksums are recomputed after edits, so that the structural
 * checks, not the CRCs, must catch the edit. */
static guint8 *
copy (void)
{
  return g_memdup2 (good, good_len);
}

static guint8 *
entry (guint8 *f, guint32 tag)
{
  guint32 n = adiff__le32 (f + HDR_N_SECTIONS);
  for (guint i = 0; i < n; i++)
    {
      guint8 *e = f + ADIFF_BUNDLE_HEADER_SIZE + ADIFF_BUNDLE_ENTRY_SIZE * i;
      if (adiff__le32 (e) == tag)
        return e;
    }
  g_assert_not_reached ();
}

static void
fix_crcs (guint8 *f)
{
  guint32 n = adiff__le32 (f + HDR_N_SECTIONS);
  n = MIN (n, ADIFF_BUNDLE_MAX_SECTIONS);
  adiff__put_le32 (f + HDR_TABLE_CRC,
                  (guint32) crc32 (0, f + ADIFF_BUNDLE_HEADER_SIZE, ADIFF_BUNDLE_ENTRY_SIZE * n));
  adiff__put_le32 (f + HDR_HEADER_CRC, (guint32) crc32 (0, f, HDR_HEADER_CRC));
}

static void
fix_section_crc (guint8 *f, guint32 tag)
{
  guint8 *e = entry (f, tag);
  adiff__put_le32 (e + ENT_CRC, (guint32) crc32 (0, f + adiff__le64 (e + ENT_OFFSET),
                                                (uInt) adiff__le64 (e + ENT_LENGTH)));
  fix_crcs (f);
}

static void
test_good_loads (void)
{
  GError *error = NULL;
  AdiffBundle *b = load (good, good_len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, 4);
  adiff_bundle_unref (b);
}

/* Every single flipped byte is caught: by the magic, the version, or a checksum
 * (padding bytes are required to be zero). */
static void
test_flipped_bytes (void)
{
  guint8 *f = copy ();
  for (gsize i = 0; i < good_len; i++)
    {
      f[i] ^= 0x10;
      expect_error (f, good_len, i < 8 ? ADIFF_ERROR_FORMAT :
                    i < 12 ? ADIFF_ERROR_VERSION : ADIFF_ERROR_CHECKSUM, NULL);
      f[i] ^= 0x10;
    }
  g_free (f);
}

/* A truncated file never loads; in particular at each section boundary. */
static void
test_truncated (void)
{
  for (gsize len = 0; len < good_len; len++)
    expect_error (good, len, ADIFF_ERROR_FORMAT, NULL);
  guint32 n = adiff__le32 (good + HDR_N_SECTIONS);
  for (guint i = 0; i < n; i++)
    {
      const guint8 *e = good + ADIFF_BUNDLE_HEADER_SIZE + ADIFF_BUNDLE_ENTRY_SIZE * i;
      guint64 off = adiff__le64 (e + ENT_OFFSET), end = off + adiff__le64 (e + ENT_LENGTH);
      if (end < good_len)
        expect_error (good, end, ADIFF_ERROR_FORMAT, "past the end");
      expect_error (good, off, ADIFF_ERROR_FORMAT, "past the end");
    }
}

static void
test_bad_magic (void)
{
  guint8 *f = copy ();
  memcpy (f, "PK\3\4", 4);
  expect_error (f, good_len, ADIFF_ERROR_FORMAT, "not a statistic bundle");
  g_free (f);
}

static void
test_future_version (void)
{
  guint8 *f = copy ();
  adiff__put_le32 (f + HDR_VERSION, 2);
  fix_crcs (f);
  expect_error (f, good_len, ADIFF_ERROR_VERSION, "version 2");
  adiff__put_le32 (f + HDR_VERSION, 0);
  expect_error (f, good_len, ADIFF_ERROR_VERSION, "version 0");
  g_free (f);
}

typedef struct
{
  const char *name;
  void      (*edit) (guint8 *f);
  AdiffError  code;
  const char *text;
} EditCase;

static void
edit_components_2_40 (guint8 *f)
{
  adiff__put_le64 (f + HDR_N_COMPONENTS, G_GUINT64_CONSTANT (1) << 40);
}

static void
edit_exemplars_2_40 (guint8 *f)
{
  adiff__put_le64 (f + HDR_N_EXEMPLARS, G_GUINT64_CONSTANT (1) << 40);
}

static void
edit_huge_window (guint8 *f)
{
  adiff__put_le32 (f + HDR_WIDTH, 0xffffffffu);
  adiff__put_le32 (f + HDR_HEIGHT, 0xffffffffu);
  adiff__put_le32 (f + HDR_CHANNELS, 3);
}

static void
edit_channels (guint8 *f)
{
  adiff__put_le32 (f + HDR_CHANNELS, 2);
}

static void
edit_many_sections (guint8 *f)
{
  adiff__put_le32 (f + HDR_N_SECTIONS, 0xffffffffu);
}

static void
edit_offset_past_end (guint8 *f)
{
  adiff__put_le64 (entry (f, ADIFF_TAG_MEAN) + ENT_OFFSET, adiff__align_up (good_len + 64));
}

static void
edit_offset_wraps (guint8 *f)
{
  guint8 *e = entry (f, ADIFF_TAG_SCAT);
  adiff__put_le64 (e + ENT_OFFSET, G_MAXUINT64 - 63);
  adiff__put_le64 (e + ENT_LENGTH, 648);
}

static void
edit_length_wrong (guint8 *f)
{
  guint8 *e = entry (f, ADIFF_TAG_MEAN);
  adiff__put_le64 (e + ENT_LENGTH, adiff__le64 (e + ENT_LENGTH) - 8);
}

static void
edit_overlap (guint8 *f)
{
  /* EVAL (4 doubles) placed on top of MEAN (9 doubles). */
  adiff__put_le64 (entry (f, ADIFF_TAG_EVAL) + ENT_OFFSET,
                  adiff__le64 (entry (f, ADIFF_TAG_MEAN) + ENT_OFFSET));
}

static void
edit_overlap_table (guint8 *f)
{
  adiff__put_le64 (entry (f, ADIFF_TAG_MEAN) + ENT_OFFSET, 128);
}

static void
edit_misaligned (guint8 *f)
{
  guint8 *e = entry (f, ADIFF_TAG_EVAL);
  adiff__put_le64 (e + ENT_OFFSET, adiff__le64 (e + ENT_OFFSET) + 8);
}

static void
edit_unknown_tag (guint8 *f)
{
  adiff__put_le32 (entry (f, ADIFF_TAG_LABL) + ENT_TAG, ADIFF_TAG ('X', 'X', 'X', 'X'));
}

static void
edit_duplicate_tag (guint8 *f)
{
  adiff__put_le32 (entry (f, ADIFF_TAG_LABL) + ENT_TAG, ADIFF_TAG_MEAN);
}

static void
edit_wrong_type (guint8 *f)
{
  adiff__put_le32 (entry (f, ADIFF_TAG_EVEC) + ENT_TYPE, ADIFF_ELEM_U8);
}

static void
edit_missing_mean (guint8 *f)
{
  adiff__put_le32 (entry (f, ADIFF_TAG_MEAN) + ENT_TAG, ADIFF_TAG_EVAL);
}

static void
edit_flags (guint8 *f)
{
  adiff__put_le32 (f + HDR_FLAGS, 0);   /* SCAT present but not partial */
}

static void
edit_reserved (guint8 *f)
{
  f[HDR_RESERVED + 3] = 1;
}

static void
edit_residual_nan (guint8 *f)
{
  adiff__put_le_f64 (f + HDR_RESIDUAL, NAN);
}

static void
edit_mean_nan (guint8 *f)
{
  adiff__put_le_f64 (f + adiff__le64 (entry (f, ADIFF_TAG_MEAN) + ENT_OFFSET) + 16, NAN);
  fix_section_crc (f, ADIFF_TAG_MEAN);
}

static void
edit_eigen_order (guint8 *f)
{
  adiff__put_le_f64 (f + adiff__le64 (entry (f, ADIFF_TAG_EVAL) + ENT_OFFSET) + 16, 100.0);
  fix_section_crc (f, ADIFF_TAG_EVAL);
}

static void
edit_metadata_utf8 (guint8 *f)
{
  f[adiff__le64 (entry (f, ADIFF_TAG_META) + ENT_OFFSET) + 2] = 0xff;
  fix_section_crc (f, ADIFF_TAG_META);
}

static void
edit_padding (guint8 *f)
{
  /* The byte right after MEAN (9 doubles = 72 bytes) is padding. */
  f[adiff__le64 (entry (f, ADIFF_TAG_MEAN) + ENT_OFFSET) + 72] = 1;
}

static const EditCase edits[] = {
  { "components-2^40", edit_components_2_40, ADIFF_ERROR_FORMAT, "1099511627776 components" },
  { "exemplars-2^40", edit_exemplars_2_40, ADIFF_ERROR_LIMIT, "exemplars exceed" },
  { "huge-window", edit_huge_window, ADIFF_ERROR_LIMIT, "exceeds the limit" },
  { "channels", edit_channels, ADIFF_ERROR_FORMAT, "2 channels" },
  { "many-sections", edit_many_sections, ADIFF_ERROR_FORMAT, "sections" },
  { "offset-past-end", edit_offset_past_end, ADIFF_ERROR_FORMAT, "past the end" },
  { "offset-wraps", edit_offset_wraps, ADIFF_ERROR_FORMAT, "past the end" },
  { "length-wrong", edit_length_wrong, ADIFF_ERROR_FORMAT, "header implies" },
  { "overlap", edit_overlap, ADIFF_ERROR_FORMAT, "overlaps" },
  { "overlap-table", edit_overlap_table, ADIFF_ERROR_FORMAT, "overlaps" },
  { "misaligned", edit_misaligned, ADIFF_ERROR_FORMAT, "aligned" },
  { "unknown-tag", edit_unknown_tag, ADIFF_ERROR_FORMAT, "unknown section" },
  { "duplicate-tag", edit_duplicate_tag, ADIFF_ERROR_FORMAT, "twice" },
  { "wrong-type", edit_wrong_type, ADIFF_ERROR_FORMAT, "element type" },
  { "missing-mean", edit_missing_mean, ADIFF_ERROR_FORMAT, NULL },
  { "flags", edit_flags, ADIFF_ERROR_FORMAT, "partial" },
  { "reserved", edit_reserved, ADIFF_ERROR_FORMAT, "reserved" },
  { "residual-nan", edit_residual_nan, ADIFF_ERROR_FORMAT, "residual" },
  { "mean-nan", edit_mean_nan, ADIFF_ERROR_NUMERIC, "mean" },
  { "eigenvalue-order", edit_eigen_order, ADIFF_ERROR_FORMAT, "descending" },
  { "metadata-utf8", edit_metadata_utf8, ADIFF_ERROR_FORMAT, "UTF-8" },
  { "padding", edit_padding, ADIFF_ERROR_CHECKSUM, "padding" },
};

static void
test_edit (gconstpointer p)
{
  const EditCase *c = p;
  guint8 *f = copy ();
  c->edit (f);
  fix_crcs (f);
  expect_error (f, good_len, c->code, c->text);
  g_free (f);
}

/* Absurd headers are refused before any allocation: in a child process whose
 * address space is capped at 256 MiB, so a large allocation would abort it.
 * (AddressSanitizer needs terabytes of address space for its shadow; there
 * its own allocator aborts on absurd sizes instead.) */
#if defined(__SANITIZE_ADDRESS__)
#define CAP_ADDRESS_SPACE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAP_ADDRESS_SPACE 0
#endif
#endif
#ifndef CAP_ADDRESS_SPACE
#define CAP_ADDRESS_SPACE 1
#endif

static void
test_no_allocation (void)
{
  if (g_test_subprocess ())
    {
      struct rlimit lim = { 256 << 20, 256 << 20 };
      if (CAP_ADDRESS_SPACE)
        g_assert_cmpint (setrlimit (RLIMIT_AS, &lim), ==, 0);
      AdiffLoadLimits generous = { G_MAXUINT64, G_MAXUINT64, G_MAXUINT64 };
      for (guint i = 0; i < 3; i++)
        {
          guint8 *f = copy ();
          if (i == 0) edit_components_2_40 (f);
          if (i == 1) edit_exemplars_2_40 (f);
          if (i == 2) edit_huge_window (f);
          fix_crcs (f);
          GError *error = NULL;
          g_assert_null (load (f, good_len, &generous, &error));
          g_assert_nonnull (error);
          g_error_free (error);
          g_free (f);
        }
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Caller limits are honoured. */
static void
test_limits (void)
{
  GError *error = NULL;
  AdiffLoadLimits dim = { .max_dim = 8 };
  g_assert_null (load (good, good_len, &dim, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT);
  g_clear_error (&error);
  AdiffLoadLimits ex = { .max_exemplars = 2 };
  g_assert_null (load (good, good_len, &ex, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT);
  g_clear_error (&error);
  AdiffLoadLimits bytes = { .max_bytes = 256 };
  g_assert_null (load (good, good_len, &bytes, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT);
  g_clear_error (&error);
}

static void
test_trailing_bytes (void)
{
  guint8 *f = g_malloc0 (good_len + 64);
  memcpy (f, good, good_len);
  expect_error (f, good_len + 64, ADIFF_ERROR_FORMAT, "after the last section");
  g_free (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  make_good_bundle ();
  g_test_add_func ("/bundle/corrupt/good-loads", test_good_loads);
  g_test_add_func ("/bundle/corrupt/flipped-bytes", test_flipped_bytes);
  g_test_add_func ("/bundle/corrupt/truncated", test_truncated);
  g_test_add_func ("/bundle/corrupt/bad-magic", test_bad_magic);
  g_test_add_func ("/bundle/corrupt/future-version", test_future_version);
  g_test_add_func ("/bundle/corrupt/no-allocation", test_no_allocation);
  g_test_add_func ("/bundle/corrupt/limits", test_limits);
  g_test_add_func ("/bundle/corrupt/trailing-bytes", test_trailing_bytes);
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      char *name = g_strdup_printf ("/bundle/corrupt/edit/%s", edits[i].name);
      g_test_add_data_func (name, &edits[i], test_edit);
      g_free (name);
    }
  int rc = g_test_run ();
  g_free (good);
  return rc;
}
