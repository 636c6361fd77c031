/* options.c — option values and checks shared by the adiff-stats commands. */
#include "interrupt.h"
#include "stats-commands.h"
#include "adiff-io.h"

static gboolean
parse_count (const char *text, guint64 *out)
{
  char *end = NULL;
  if (!text || !g_ascii_isdigit (*text))
    return FALSE;
  guint64 v = g_ascii_strtoull (text, &end, 10);
  if (*end != 0 || (v == G_MAXUINT64))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
options_parse_components (const char *text, double share, StatsComponents *out,
                      GError **error)
{
  guint64 k;
  memset (out, 0, sizeof *out);
  out->share = share;
  if (!text || g_strcmp0 (text, "all") == 0)
    out->mode = STATS_COMPONENTS_ALL;
  else if (g_strcmp0 (text, "auto") == 0)
    out->mode = STATS_COMPONENTS_AUTO;
  else if (parse_count (text, &k) && k > 0 && k <= G_MAXUINT)
    {
      out->mode = STATS_COMPONENTS_FIXED;
      out->k = (guint) k;
    }
  else
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--components: “%s” is not a positive number, “all” or “auto”"), text);
      return FALSE;
    }
  if (!(share > 0 && share <= 1))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--variance-share: %g is not in (0, 1]"), share);
      return FALSE;
    }
  return TRUE;
}

gboolean
options_parse_exemplars (const char *text, guint64 *out, GError **error)
{
  if (g_strcmp0 (text, "all") == 0)
    {
      *out = STATS_EXEMPLARS_ALL;
      return TRUE;
    }
  if (parse_count (text, out))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("--exemplars: “%s” is not a number, “all” or 0"), text);
  return FALSE;
}

gboolean
options_parse_exemplar_storage (const char *text, guint bit_depth, gboolean off_grid,
                            AdiffStorage *out, GError **error)
{
  if (!text || g_strcmp0 (text, "auto") == 0)
    *out = bit_depth == 8 && !off_grid ? ADIFF_STORE_U8 :
           bit_depth <= 16 ? ADIFF_STORE_F16 : ADIFF_STORE_F32;
  else if (g_strcmp0 (text, "u8") == 0)
    *out = ADIFF_STORE_U8;
  else if (g_strcmp0 (text, "f16") == 0)
    *out = ADIFF_STORE_F16;
  else if (g_strcmp0 (text, "f32") == 0)
    *out = ADIFF_STORE_F32;
  else
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--exemplar-storage: “%s” is not auto, u8, f16 or f32"), text);
      return FALSE;
    }
  return TRUE;
}

/* The output's folder must exist: checked before hours of work. */
static gboolean
check_output (const char *path, GError **error)
{
  char *dir = g_path_get_dirname (path);
  gboolean ok = g_file_test (dir, G_FILE_TEST_IS_DIR);
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("%s: cannot write the bundle: folder “%s” does not exist"), path, dir);
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("%s: is a folder, not a bundle file name"), path);
      ok = FALSE;
    }
  g_free (dir);
  return ok;
}

static gboolean
check_not_input (const char *output, char **inputs, GError **error)
{
  for (guint i = 0; inputs && inputs[i]; i++)
    if (adiff_io_same_file (output, inputs[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                     _("%s: the output is also an input (%s); writing it would "
                       "destroy the input, choose another output name"),
                     output, inputs[i]);
        return FALSE;
      }
  return TRUE;
}

int
options_require_output (const char *output, char **inputs, const char *no_input)
{
  if (!output)
    return cli_usage (_("--output FILE is required"));
  if (!inputs || !inputs[0])
    return cli_usage ("%s", no_input);
  return CLI_EXIT_OK;
}

int
options_claim_output (const char *output, char **inputs)
{
  GError *error = NULL;
  if (!check_output (output, &error))
    return cli_fail_error (&error, CLI_EXIT_OUTPUT);
  if (!check_not_input (output, inputs, &error))
    return cli_usage_error (&error);
  /* Interrupted, leave neither a partial bundle nor a temporary file. */
  cli_remove_on_interrupt (output);
  return CLI_EXIT_OK;
}

char *
options_command_line (int argc, char **argv)
{
  GString *s = g_string_new ("adiff-stats");
  for (int i = 0; i < argc; i++)
    {
      char *q = g_shell_quote (argv[i]);
      g_string_append_c (s, ' ');
      g_string_append (s, q);
      g_free (q);
    }
  return g_string_free (s, FALSE);
}

GKeyFile *
options_metadata_new (const char *source, const char *cmdline)
{
  GKeyFile *kf = g_key_file_new ();
  g_key_file_set_string (kf, "bundle", "source", source);
  g_key_file_set_string (kf, "bundle", "tool", "adiff-stats " ADIFF_VERSION);
  g_key_file_set_string (kf, "bundle", "build-options", cmdline);
  return kf;
}

char *
options_metadata_text (GKeyFile *kf)
{
  char *text = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_free (kf);
  return text;
}
