/* fuzz-bundle.c — fuzz target for the bundle loader,
 * adiff_bundle_open_bytes(): header, section table, metadata, checksums
 * and arrays.
 *
 * Each input is tried twice: as it is, and with every CRC-32 (sections,
 * table, header) recomputed.  Random mutations almost never keep the
 * checksums right, so without the second try the fuzzer would only ever
 * explore the checksum checks; with it, it reaches the layout and value
 * checks behind them.  A bundle that loads is then used: a Wiener
 * denoiser is built from it and applied to one window.
 */
#include <math.h>
#include <string.h>
#include <zlib.h>
#include "fuzz-common.h"
#include "bundle/format.h"

/* Small limits: the fuzzer should find layout bugs, not spend its time
 * decomposing large bundles that are legitimately expensive. */
static const AdiffLoadLimits fuzz_limits = {
  .max_dim = 1024,
  .max_exemplars = 4096,
  .max_bytes = 64 << 20,
};

static guint32 get_u32 (const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24; }
static guint64 get_u64 (const uint8_t *p) { return get_u32 (p) | (guint64) get_u32 (p + 4) << 32; }
static void
put_u32 (uint8_t *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = v >> (8 * i);
}

/* Recompute every checksum the format has, wherever the (possibly bogus)
 * header and table let us find its data inside the buffer. */
static void
fix_checksums (uint8_t *buf, size_t size)
{
  const size_t hdr = ADIFF_BUNDLE_HEADER_SIZE, ent = ADIFF_BUNDLE_ENTRY_SIZE;
  if (size < hdr)
    return;
  guint64 n = get_u32 (buf + HDR_N_SECTIONS);
  guint64 max_n = (size - hdr) / ent;
  if (n > max_n)
    n = max_n;
  for (guint64 i = 0; i < n; i++)
    {
      uint8_t *e = buf + hdr + i * ent;
      guint64 off = get_u64 (e + ENT_OFFSET), len = get_u64 (e + ENT_LENGTH);
      if (off <= size && len <= size - off)
        put_u32 (e + ENT_CRC, crc32 (0, buf + off, len));
    }
  put_u32 (buf + HDR_TABLE_CRC, crc32 (0, buf + hdr, n * ent));
  put_u32 (buf + HDR_HEADER_CRC, crc32 (0, buf, HDR_HEADER_CRC));
}

static void
use_bundle (AdiffBundle *b)
{
  gsize d = adiff_bundle_get_dim (b);
  guint k = adiff_bundle_get_n_components (b);
  guint n = adiff_bundle_get_n_exemplars (b);
  if (d == 0 || d != (gsize) adiff_bundle_get_width (b) * adiff_bundle_get_height (b) *
                         adiff_bundle_get_channels (b) || k > d)
    abort ();
  const double *mean = adiff_bundle_get_mean (b);
  const double *eval = adiff_bundle_get_eigenvalues (b);
  for (gsize i = 0; i < d; i++)
    if (!isfinite (mean[i]))
      abort ();
  for (guint i = 0; i < k; i++)
    if (!(eval[i] >= 0) || (i && eval[i] > eval[i - 1]))
      abort ();
  if (!(adiff_bundle_get_residual_variance (b) >= 0))
    abort ();
  fuzz_check_floats (adiff_bundle_get_eigenvectors (b), (size_t) k * d, "eigenvectors");
  if (n)
    fuzz_check_floats (adiff_bundle_get_exemplars (b), (size_t) n * d, "exemplars");
  const gint32 *labels = adiff_bundle_get_labels (b);
  volatile guint32 sink = 0;          /* unsigned: labels are arbitrary */
  for (guint i = 0; labels && i < n; i++)
    sink += (guint32) labels[i];
  const double *scatter = adiff_bundle_get_scatter (b);
  for (gsize i = 0; scatter && i < d * d; i++)
    if (!isfinite (scatter[i]))
      abort ();
  (void) strlen (adiff_bundle_get_metadata (b));

  AdiffParams params;
  adiff_params_init (&params);
  params.n_threads = 1;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, &error);
  if (!den)
    {
      fuzz_check_error (error);
      return;
    }
  float *window = g_new (float, d);
  for (gsize i = 0; i < d; i++)
    window[i] = (float) mean[i] + 0.01f * (float) (i % 7);
  if (!adiff_denoiser_apply (den, window, 1, window, &error))
    fuzz_check_error (error);
  g_free (window);
  adiff_denoiser_free (den);
}

static void
try_open (const uint8_t *data, size_t size)
{
  GBytes *bytes = g_bytes_new (data, size);
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open_bytes (bytes, "fuzz.adstats", &fuzz_limits, &error);
  g_bytes_unref (bytes);
  if (!b)
    {
      fuzz_check_error (error);
      return;
    }
  use_bundle (b);
  adiff_bundle_unref (b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  try_open (data, size);
  if (size >= ADIFF_BUNDLE_HEADER_SIZE)
    {
      uint8_t *copy = g_memdup2 (data, size);
      fix_checksums (copy, size);
      if (memcmp (copy, data, size) != 0)
        try_open (copy, size);
      g_free (copy);
    }
  return 0;
}
