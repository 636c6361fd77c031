/* cmd-verify.c — adiff-stats verify: recompute every checksum, load the
 * bundle with all of the loader's checks, then check the invariants the
 * denoisers rely on.  Exit 0 only when every check holds. */
#include <stdio.h>
#include <cblas.h>
#include <glib/gi18n.h>
#include "stats-commands.h"

typedef struct
{
  guint passed, failed;
  gboolean quiet;
} Report;

static void
check (Report *r, gboolean ok, const char *what, const char *detail)
{
  if (ok)
    r->passed++;
  else
    r->failed++;
  if (!ok || !r->quiet)
    printf ("%-4s %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "", detail ? detail : "");
}

static void
check_checksums (Report *r, const AdiffBundleLayout *l)
{
  check (r, l->version == 1, _("format version 1"), NULL);
  check (r, l->header_crc_ok, _("header checksum"), NULL);
  check (r, l->table_crc_ok, _("section table checksum"), NULL);
  for (guint i = 0; i < l->n_sections; i++)
    {
      char *what = g_strdup_printf (_("section %s checksum"), l->sections[i].tag);
      check (r, l->sections[i].crc_ok, what, NULL);
      g_free (what);
    }
}

/* max |U Uᵀ − I| in double; U is k×d float. */
static double
orthonormality_error (AdiffBundle *b)
{
  guint k = adiff_bundle_get_n_components (b);
  gsize d = adiff_bundle_get_dim (b);
  const float *u = adiff_bundle_get_eigenvectors (b);
  double *ud = g_new (double, (gsize) k * d);
  for (gsize i = 0; i < (gsize) k * d; i++)
    ud[i] = u[i];
  double *g = g_new0 (double, (gsize) k * k);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) k, (int) d, 1.0, ud, (int) d,
               0.0, g, (int) k);
  double worst = 0;
  for (guint i = 0; i < k; i++)
    for (guint j = i; j < k; j++)
      worst = MAX (worst, fabs (g[(gsize) i * k + j] - (i == j ? 1.0 : 0.0)));
  g_free (ud);
  g_free (g);
  return worst;
}

static void
check_eigen (Report *r, AdiffBundle *b, const AdiffBundleLayout *l)
{
  guint k = adiff_bundle_get_n_components (b);
  const double *lam = adiff_bundle_get_eigenvalues (b);
  gboolean order = TRUE;
  for (guint i = 0; i < k; i++)
    order = order && isfinite (lam[i]) && lam[i] >= 0 && (i == 0 || lam[i] <= lam[i - 1]);
  check (r, order, _("eigenvalues finite, ≥ 0 and descending"), NULL);

  double res = adiff_bundle_get_residual_variance (b);
  gboolean res_ok = isfinite (res) && res >= 0 &&
                    (k == 0 || res <= lam[k - 1] * (1 + 1e-6) + 1e-15);
  char *detail = g_strdup_printf ("%.4g", res);
  check (r, res_ok, _("residual variance ≥ 0 and ≤ the smallest stored eigenvalue"), detail);
  g_free (detail);

  if (k == 0)
    return;
  const AdiffBundleSection *evec = adiff_bundle_layout_find (l, "EVEC");
  /* float16 keeps 11 significant bits: each entry is off by ≤ 2^-11 relative. */
  double tol = evec && g_strcmp0 (adiff_bundle_elem_name (evec->type), "f16") == 0 ? 4e-3 : 1e-4;
  double err = orthonormality_error (b);
  detail = g_strdup_printf (_("max |UUᵀ − I| = %.3g (tolerance %.0e)"), err, tol);
  check (r, err <= tol, _("eigenvectors orthonormal"), detail);
  g_free (detail);
}

static void
check_scatter (Report *r, AdiffBundle *b)
{
  const double *s = adiff_bundle_get_scatter (b);
  if (!s)
    return;
  gsize d = adiff_bundle_get_dim (b);
  double worst = 0, scale = 0;
  gboolean diag = TRUE;
  for (gsize i = 0; i < d; i++)
    {
      diag = diag && s[i * d + i] >= 0;
      for (gsize j = 0; j < d; j++)
        {
          worst = MAX (worst, fabs (s[i * d + j] - s[j * d + i]));
          scale = MAX (scale, fabs (s[i * d + j]));
        }
    }
  check (r, worst <= 1e-12 * scale && diag, _("scatter symmetric with a diagonal ≥ 0"), NULL);
}

static void
check_metadata (Report *r, AdiffBundle *b)
{
  GKeyFile *kf = g_key_file_new ();
  gboolean ok = g_key_file_load_from_data (kf, adiff_bundle_get_metadata (b), (gsize) -1,
                                           G_KEY_FILE_NONE, NULL);
  if (ok && g_key_file_has_key (kf, "bundle", "items", NULL))
    ok = g_key_file_get_uint64 (kf, "bundle", "items", NULL) == adiff_bundle_get_n_items (b);
  if (ok && g_key_file_has_key (kf, "bundle", "width", NULL))
    ok = (guint) g_key_file_get_integer (kf, "bundle", "width", NULL) == adiff_bundle_get_width (b) &&
         (guint) g_key_file_get_integer (kf, "bundle", "height", NULL) == adiff_bundle_get_height (b) &&
         (guint) g_key_file_get_integer (kf, "bundle", "channels", NULL) == adiff_bundle_get_channels (b);
  check (r, ok, _("metadata agrees with the header"), NULL);
  g_key_file_free (kf);
}

int
cmd_verify (int argc, char **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print failed checks only"), NULL },
    { NULL }
  };
  GOptionContext *ctx = cli_context_new (N_("FILE — check a bundle"),
    N_("Recomputes the checksums of the header, the section table and every section, "
       "loads the bundle with all structural checks, and checks the invariants: "
       "finite values, eigenvalues ≥ 0 and descending, orthonormal eigenvectors "
       "(within float32/float16 precision), residual variance below the stored "
       "eigenvalues, a symmetric scatter for partial bundles, metadata agreeing with "
       "the header.  Exit status 0 only when all hold, 3 when one fails."), entries);
  if (!cli_parse (ctx, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage (_("expected exactly one bundle FILE"));

  const char *path = argv[1];
  GError *error = NULL;
  AdiffBundleLayout layout;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, ADIFF_ERROR, ADIFF_ERROR_IO, _("%s: no such file"), path);
      return cli_fail_error (&error, CLI_EXIT_ERROR);
    }
  Report r = { 0, 0, quiet };
  if (!adiff_bundle_layout_read (path, &layout, &error))
    {
      check (&r, FALSE, _("bundle layout"), error->message);
      g_error_free (error);
    }
  else
    {
      check_checksums (&r, &layout);
      AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
      check (&r, b != NULL, _("loads with every structural check"), error ? error->message : NULL);
      g_clear_error (&error);
      if (b)
        {
          check_eigen (&r, b, &layout);
          check_scatter (&r, b);
          check_metadata (&r, b);
          adiff_bundle_unref (b);
        }
    }
  if (r.failed)
    printf (_("%s: %u of %u checks FAILED\n"), path, r.failed, r.passed + r.failed);
  else
    printf (_("%s: all %u checks passed\n"), path, r.passed);
  return r.failed ? CLI_EXIT_INVALID : CLI_EXIT_OK;
}
