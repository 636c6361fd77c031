/* denoise-rows.c — `adiff denoise` in bounded memory: a PNG or binary
 * PGM/PPM is read row by row, fed to adiff_denoise_rows and the finished
 * rows are written straight into the (temporary, atomically renamed)
 * output.  The tiler holds a few window heights of rows; alpha, which is
 * not denoised, waits here from the moment its row is read until the row
 * is written.  Peak memory depends on the width, never on the height
 * (docs/limits.md). */
#include <string.h>
#include "adiff-commands.h"

typedef struct
{
  const char       *in;
  AdiffIoRowReader *reader;
  AdiffIoRowWriter *writer;
  AdiffIoImageInfo  info;
  float            *alpha;            /* rows [alpha_lo, alpha_hi), or NULL */
  guint             alpha_lo, alpha_hi, alpha_cap;
  gboolean          input_failed, output_failed;
} Rows;

gboolean
cli_denoise_rows_possible (const char *in, const char *out)
{
  return adiff_io_rows_readable (in) && adiff_io_rows_writable (out);
}

/* Room for n more alpha rows. */
static gboolean
alpha_reserve (Rows *r, guint n, GError **error)
{
  guint need = r->alpha_hi - r->alpha_lo + n;
  if (need <= r->alpha_cap)
    return TRUE;
  gsize floats;
  if (!g_size_checked_mul (&floats, need, r->info.width) ||
      floats > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s”: alpha rows too large"), r->in);
      return FALSE;
    }
  r->alpha = g_renew (float, r->alpha, floats);
  r->alpha_cap = need;
  return TRUE;
}

static gboolean
read_rows (guint y, guint n, float *buf, gpointer data, GError **error)
{
  Rows *r = data;
  if (cli_interrupted ())
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("interrupted"));
      return FALSE;
    }
  float *alpha = NULL;
  if (r->info.has_alpha)
    {
      if (!alpha_reserve (r, n, error))
        return FALSE;
      alpha = r->alpha + (gsize) (r->alpha_hi - r->alpha_lo) * r->info.width;
    }
  if (!adiff_io_row_reader_read (r->reader, n, buf, alpha, error))
    {
      r->input_failed = TRUE;
      return FALSE;
    }
  r->alpha_hi += n;
  return TRUE;
}

static gboolean
write_rows (guint y, guint n, const float *buf, gpointer data, GError **error)
{
  Rows *r = data;
  g_assert (!r->info.has_alpha || (y == r->alpha_lo && y + n <= r->alpha_hi));
  if (!adiff_io_row_writer_write (r->writer, n, buf, r->alpha, error))
    {
      r->output_failed = TRUE;
      return FALSE;
    }
  if (r->info.has_alpha)
    {
      gsize w = r->info.width, left = (gsize) (r->alpha_hi - r->alpha_lo - n) * w;
      memmove (r->alpha, r->alpha + (gsize) n * w, left * sizeof (float));
      r->alpha_lo += n;
    }
  return TRUE;
}

guint
cli_rows_channels (const char *in)
{
  AdiffIoImageInfo info;
  AdiffIoRowReader *reader = adiff_io_row_reader_open (in, &info, NULL);
  if (!reader)
    return 0;
  adiff_io_row_reader_free (reader);
  return info.channels;
}

gboolean
cli_check_bundle_channels (const char *in, guint channels, AdiffBundle *bundle,
                           GError **error)
{
  guint bc = adiff_bundle_get_channels (bundle);
  if (bc == channels || bc == 1)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
               _("“%s” has %u colour channel(s) but the bundle “%s” has %u: "
                 "an RGB bundle cannot denoise a gray image (a gray bundle works on any image)"),
               in, channels, adiff_bundle_get_name (bundle), bc);
  return FALSE;
}

/* Open the input and build the denoiser: nothing is written yet, so an
 * interrupt may end the process at once.  Returns an exit code. */
static int
prepare (Rows *r, AdiffBundle *bundle, const AdiffParams *params, AdiffDenoiser **den,
         GError **error)
{
  int code = CLI_EXIT_OK;
  cli_exit_on_interrupt_begin ();
  r->reader = adiff_io_row_reader_open (r->in, &r->info, error);
  if (!r->reader || !cli_check_bundle_channels (r->in, r->info.channels, bundle, error))
    code = CLI_EXIT_ERROR;
  else if (!(*den = adiff_denoiser_new (bundle, params, error)))
    code = cli_input_code (*error);
  cli_exit_on_interrupt_end ();
  return code;
}

/* An image of the window's size: all its rows, one window call, all rows
 * out, through the same row callbacks as the tiler. */
static gboolean
denoise_window_rows (Rows *r, AdiffDenoiser *den, CliProgress *progress, GError **error)
{
  guint h = r->info.height;
  g_autofree float *buf = g_new (float, (gsize) r->info.width * h * r->info.channels);
  return read_rows (0, h, buf, r, error) &&
         cli_denoise_windows (den, buf, 1, r->info.channels, progress, 0, error) &&
         write_rows (0, h, buf, r, error);
}

/* The exit code of a failed adiff_denoise_rows. */
static int
failure_code (const Rows *r, const GError *error)
{
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED))
    return CLI_EXIT_INTERRUPTED;
  if (r->input_failed || g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH))
    return CLI_EXIT_ERROR;
  return r->output_failed ? CLI_EXIT_OUTPUT : CLI_EXIT_ERROR;
}

int
cli_denoise_rows (const char *in, const char *out, AdiffBundle *bundle,
                  const AdiffParams *params, gboolean tile, GError **error)
{
  Rows r = { .in = in };
  AdiffDenoiser *den = NULL;
  int code = prepare (&r, bundle, params, &den, error);
  if (code == CLI_EXIT_OK &&
      !(r.writer = adiff_io_row_writer_new (out, &r.info, 0, error)))
    code = CLI_EXIT_OUTPUT;
  if (code == CLI_EXIT_OK)
    {
      CliProgress *progress = cli_progress_new (_("denoising"), 1, FALSE);
      gboolean ok = !tile && cli_is_window (bundle, r.info.width, r.info.height) ?
        denoise_window_rows (&r, den, progress, error) :
        adiff_denoise_rows (den, r.info.width, r.info.height, r.info.channels, read_rows,
                            write_rows, &r, cli_progress_func, progress, error);
      if (!ok)
        code = failure_code (&r, *error);
      cli_progress_free (progress);
    }
  /* Interrupted after the last strip: still no output. */
  if (code == CLI_EXIT_OK && cli_interrupted ())
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("interrupted"));
      code = CLI_EXIT_INTERRUPTED;
    }
  if (code == CLI_EXIT_OK && !adiff_io_row_writer_commit (r.writer, error))
    code = CLI_EXIT_OUTPUT;
  adiff_io_row_writer_free (r.writer);     /* removes the temporary unless committed */
  adiff_io_row_reader_free (r.reader);
  adiff_denoiser_free (den);
  g_free (r.alpha);
  return code;
}
