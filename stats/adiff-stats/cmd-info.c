/* cmd-info.c — adiff-stats info: what a bundle holds, as text or JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "stats-commands.h"

/* The k at which the explained variance is listed (those ≤ stored k). */
static const guint report_k[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                                  10000, 20000, 50000 };

typedef struct
{
  double total;       /* Σλ + (d−k)·r */
  double *cumulative; /* [k+1] Σ_{i<j} λ_i */
  double lo, hi;      /* range of the mean and exemplar values */
  char  *range;       /* declared value range (metadata), never NULL */
  char  *encoding;    /* declared colour encoding, never NULL */
} Variance;

static void
value_range (Variance *v, AdiffBundle *b)
{
  gsize d = adiff_bundle_get_dim (b);
  gsize n = (gsize) adiff_bundle_get_n_exemplars (b) * d;
  const double *mean = adiff_bundle_get_mean (b);
  const float *x = adiff_bundle_get_exemplars (b);
  v->lo = v->hi = mean[0];
  for (gsize i = 0; i < d; i++)
    v->lo = MIN (v->lo, mean[i]), v->hi = MAX (v->hi, mean[i]);
  for (gsize i = 0; i < n; i++)
    v->lo = MIN (v->lo, x[i]), v->hi = MAX (v->hi, x[i]);
  GKeyFile *kf = g_key_file_new ();
  g_key_file_load_from_data (kf, adiff_bundle_get_metadata (b), (gsize) -1, 0, NULL);
  v->range = g_key_file_get_string (kf, "bundle", "value-range", NULL);
  v->encoding = g_key_file_get_string (kf, "bundle", "color-encoding", NULL);
  if (!v->range)
    v->range = g_strdup ("0 1");
  if (!v->encoding)
    v->encoding = g_strdup ("sRGB");
  g_key_file_free (kf);
}

static void
variance_init (Variance *v, AdiffBundle *b)
{
  guint k = adiff_bundle_get_n_components (b);
  const double *lam = adiff_bundle_get_eigenvalues (b);
  v->cumulative = g_new0 (double, k + 1);
  for (guint i = 0; i < k; i++)
    v->cumulative[i + 1] = v->cumulative[i] + lam[i];
  v->total = v->cumulative[k] +
             (adiff_bundle_get_dim (b) - k) * adiff_bundle_get_residual_variance (b);
  value_range (v, b);
}

static double
explained (const Variance *v, guint j)
{
  return v->total > 0 ? v->cumulative[j] / v->total : 1.0;
}

static void
json_string (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');
}

static void
json_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
}

static const char *
section_type (const AdiffBundleLayout *layout, const char *tag)
{
  const AdiffBundleSection *s = adiff_bundle_layout_find (layout, tag);
  return s ? adiff_bundle_elem_name (s->type) : "none";
}

static gboolean
all_checksums_ok (const AdiffBundleLayout *l)
{
  gboolean ok = l->header_crc_ok && l->table_crc_ok;
  for (guint i = 0; i < l->n_sections; i++)
    ok = ok && l->sections[i].crc_ok;
  return ok;
}

static void
json_metadata (GString *s, const char *text)
{
  GKeyFile *kf = g_key_file_new ();
  g_key_file_load_from_data (kf, text, (gsize) -1, G_KEY_FILE_NONE, NULL);
  gsize ng;
  char **groups = g_key_file_get_groups (kf, &ng);
  g_string_append_c (s, '{');
  for (gsize g = 0; g < ng; g++)
    {
      json_string (s, groups[g]);
      g_string_append (s, ": {");
      gsize nk;
      char **keys = g_key_file_get_keys (kf, groups[g], &nk, NULL);
      for (gsize k = 0; k < nk; k++)
        {
          char *v = g_key_file_get_string (kf, groups[g], keys[k], NULL);
          json_string (s, keys[k]);
          g_string_append (s, ": ");
          json_string (s, v ? v : "");
          g_string_append (s, k + 1 < nk ? ", " : "");
          g_free (v);
        }
      g_strfreev (keys);
      g_string_append (s, g + 1 < ng ? "}, " : "}");
    }
  g_string_append_c (s, '}');
  g_strfreev (groups);
  g_key_file_free (kf);
}

static void
print_json (const char *path, AdiffBundle *b, const AdiffBundleLayout *l, const Variance *v)
{
  GString *s = g_string_new ("{");
  guint k = adiff_bundle_get_n_components (b);
  const double *lam = adiff_bundle_get_eigenvalues (b);
  g_string_append (s, "\"file\": ");
  json_string (s, path);
  g_string_append_printf (s, ", \"file_size\": %" G_GUINT64_FORMAT ", \"version\": %u",
                          l->file_size, l->version);
  g_string_append_printf (s, ", \"width\": %u, \"height\": %u, \"channels\": %u, "
                          "\"dim\": %" G_GSIZE_FORMAT ", \"items\": %" G_GUINT64_FORMAT
                          ", \"components\": %u",
                          adiff_bundle_get_width (b), adiff_bundle_get_height (b),
                          adiff_bundle_get_channels (b), adiff_bundle_get_dim (b),
                          adiff_bundle_get_n_items (b), k);
  g_string_append (s, ", \"value_range\": ");
  json_string (s, v->range);
  g_string_append (s, ", \"color_encoding\": ");
  json_string (s, v->encoding);
  g_string_append (s, ", \"values_min\": ");
  json_number (s, v->lo);
  g_string_append (s, ", \"values_max\": ");
  json_number (s, v->hi);
  g_string_append_printf (s, ", \"eigenvector_storage\": \"%s\", \"residual_variance\": ",
                          section_type (l, "EVEC"));
  json_number (s, adiff_bundle_get_residual_variance (b));
  g_string_append (s, ", \"total_variance\": ");
  json_number (s, v->total);
  g_string_append (s, ", \"top_eigenvalues\": [");
  for (guint i = 0; i < MIN (k, 10u); i++)
    {
      json_number (s, lam[i]);
      g_string_append (s, i + 1 < MIN (k, 10u) ? ", " : "");
    }
  g_string_append (s, "], \"explained_variance\": {");
  for (guint i = 0; i < G_N_ELEMENTS (report_k) && report_k[i] < k; i++)
    {
      g_string_append_printf (s, "\"%u\": ", report_k[i]);
      json_number (s, explained (v, report_k[i]));
      g_string_append (s, ", ");
    }
  g_string_append_printf (s, "\"%u\": ", k);
  json_number (s, explained (v, k));
  g_string_append_printf (s, "}, \"exemplars\": %u, \"exemplar_storage\": \"%s\", "
                          "\"labels\": %s, \"partial\": %s, \"sections\": [",
                          adiff_bundle_get_n_exemplars (b), section_type (l, "EXEM"),
                          adiff_bundle_get_labels (b) ? "true" : "false",
                          adiff_bundle_get_scatter (b) ? "true" : "false");
  for (guint i = 0; i < l->n_sections; i++)
    {
      const AdiffBundleSection *sec = &l->sections[i];
      g_string_append (s, "{\"tag\": ");
      json_string (s, sec->tag);
      g_string_append_printf (s, ", \"type\": \"%s\", \"offset\": %" G_GUINT64_FORMAT
                              ", \"bytes\": %" G_GUINT64_FORMAT ", \"checksum_ok\": %s}%s",
                              adiff_bundle_elem_name (sec->type), sec->offset, sec->length,
                              sec->crc_ok ? "true" : "false",
                              i + 1 < l->n_sections ? ", " : "");
    }
  g_string_append_printf (s, "], \"checksums_ok\": %s, \"metadata\": ",
                          all_checksums_ok (l) ? "true" : "false");
  json_metadata (s, adiff_bundle_get_metadata (b));
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
  g_string_free (s, TRUE);
}

static void
print_text (const char *path, AdiffBundle *b, const AdiffBundleLayout *l, const Variance *v)
{
  guint k = adiff_bundle_get_n_components (b);
  gsize d = adiff_bundle_get_dim (b);
  const double *lam = adiff_bundle_get_eigenvalues (b);
  char *size = g_format_size (l->file_size);
  printf (_("file:            %s (%s, format version %u)\n"), path, size, l->version);
  g_free (size);
  printf (_("window:          %u×%u, %u channel(s), d = %zu\n"),
          adiff_bundle_get_width (b), adiff_bundle_get_height (b),
          adiff_bundle_get_channels (b), d);
  printf (_("items:           %" PRIu64 "\n"), adiff_bundle_get_n_items (b));
  printf (_("values:          range [%s] (%s); mean and exemplars span [%.4g, %.4g]\n"),
          v->range, v->encoding, v->lo, v->hi);
  printf (_("components:      %u of %zu (eigenvectors %s), residual "
            "variance %.4g per remaining dimension\n"),
          k, d, section_type (l, "EVEC"), adiff_bundle_get_residual_variance (b));
  printf (_("total variance:  %.6g (stored components explain %.4f%%)\n"), v->total,
          100 * explained (v, k));
  printf (_("top eigenvalues:"));
  for (guint i = 0; i < MIN (k, 8u); i++)
    printf (" %.4g", lam[i]);
  printf (_("\nexplained at k:  "));
  for (guint i = 0; i < G_N_ELEMENTS (report_k) && report_k[i] < k; i++)
    printf ("%u: %.2f%%  ", report_k[i], 100 * explained (v, report_k[i]));
  printf ("%u: %.4f%%\n", k, 100 * explained (v, k));
  printf (_("exemplars:       %u (%s)%s\n"), adiff_bundle_get_n_exemplars (b),
          section_type (l, "EXEM"), adiff_bundle_get_labels (b) ? _(", with labels") : "");
  printf (_("partial:         %s\n"), adiff_bundle_get_scatter (b) ?
          _("yes (scatter stored; merge with adiff-stats merge)") : _("no"));
  printf (_("sections:\n"));
  for (guint i = 0; i < l->n_sections; i++)
    {
      const AdiffBundleSection *s = &l->sections[i];
      char *bytes = g_format_size_full (s->length, G_FORMAT_SIZE_LONG_FORMAT);
      printf ("  %-4s %-4s @%-9" G_GUINT64_FORMAT " %s  %s\n", s->tag,
              adiff_bundle_elem_name (s->type), s->offset, bytes,
              s->crc_ok ? _("checksum ok") : _("CHECKSUM MISMATCH"));
      g_free (bytes);
    }
  printf (_("checksums:       %s\n"), all_checksums_ok (l) ? _("all ok") : _("MISMATCH"));
  printf (_("metadata:\n"));
  char **lines = g_strsplit (adiff_bundle_get_metadata (b), "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      printf ("  %s\n", lines[i]);
  g_strfreev (lines);
}

int
cmd_info (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  GOptionContext *ctx = cli_context_new (N_("FILE — show what a bundle holds"),
    N_("Dimensions, counts, value range, top eigenvalues, explained variance at "
       "several k, the size and checksum of each section, and the metadata."), entries);
  if (!cli_parse (ctx, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage (_("expected exactly one bundle FILE"));

  GError *error = NULL;
  AdiffBundleLayout layout;
  if (!adiff_bundle_layout_read (argv[1], &layout, &error))
    return cli_fail_error (&error, CLI_EXIT_ERROR);
  AdiffBundle *b = adiff_bundle_open (argv[1], NULL, &error);
  if (!b)
    return cli_fail_error (&error, CLI_EXIT_ERROR);
  Variance v;
  variance_init (&v, b);
  if (json)
    print_json (argv[1], b, &layout, &v);
  else
    print_text (argv[1], b, &layout, &v);
  g_free (v.cumulative);
  g_free (v.range);
  g_free (v.encoding);
  adiff_bundle_unref (b);
  return CLI_EXIT_OK;
}
