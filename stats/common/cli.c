/* cli.c — the dispatch, option parsing and messages of both tools. */
#include <locale.h>
#include "cli.h"
#include "interrupt.h"

static const char *tool_name = "adiff";   /* set by cli_main */

const char *
cli_exit_status_help (void)
{
  return _("Exit status:\n"
           "  0  success\n"
           "  1  unreadable or unsuitable input, or a processing error\n"
           "  2  usage error (unknown command or option, bad option value)\n"
           "  3  output not written; for verify: the bundle failed a check\n"
           "  4  interrupted (Ctrl-C); no output file is left behind\n"
           "(docs/exit-codes.md)");
}

static void
bind_catalogs (void)
{
  setlocale (LC_ALL, "");
  /* ADIFF_LOCALEDIR points at the catalogs of an uninstalled build (tests/i18n). */
  const char *localedir = g_getenv ("ADIFF_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

void
cli_print_commands (FILE *out, const CliCommand *commands, guint n_commands)
{
  int width = 0;
  for (guint i = 0; i < n_commands; i++)
    width = MAX (width, (int) strlen (commands[i].name));
  for (guint i = 0; i < n_commands; i++)
    fprintf (out, "  %-*s  %s\n", width, commands[i].name, _(commands[i].summary));
}

static int
run_command (const CliCommand *command, gboolean exit_on_interrupt, int argc, char **argv)
{
  /* --help then reads “adiff-stats build [OPTION…]”, messages “adiff denoise: …”. */
  char *prgname = g_strdup_printf ("%s %s", tool_name, command->name);
  g_set_prgname (prgname);
  g_free (prgname);
  if (exit_on_interrupt)
    cli_exit_on_interrupt_begin ();
  int code = command->run (argc, argv);
  if (exit_on_interrupt)
    cli_exit_on_interrupt_end ();
  return code;
}

int
cli_main (const char *tool, const CliCommand *commands, guint n_commands,
          CliUsageFunc usage, gboolean exit_on_interrupt, int argc, char **argv)
{
  tool_name = tool;
  bind_catalogs ();
  cli_catch_interrupts ();

  if (argc < 2)
    {
      usage (stderr);
      return CLI_EXIT_USAGE;
    }
  const char *name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "help") == 0)
    {
      usage (stdout);
      return CLI_EXIT_OK;
    }
  if (strcmp (name, "--version") == 0)
    {
      printf ("%s %s (libadiff %s)\n", tool, ADIFF_VERSION, adiff_version ());
      return CLI_EXIT_OK;
    }
  for (guint i = 0; i < n_commands; i++)
    if (strcmp (name, commands[i].name) == 0)
      return run_command (&commands[i], exit_on_interrupt, argc - 1, argv + 1);
  fprintf (stderr, _("%s: unknown command “%s”\n"), tool, name);
  fprintf (stderr, _("Try “%s --help”.\n"), tool);
  return CLI_EXIT_USAGE;
}

/* ---- option parsing and messages ------------------------------------------ */

GOptionContext *
cli_context_new (const char *parameters, const char *summary, const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  char *description = g_strdup_printf (_("%s\nDocumentation: docs/%s.md."),
                                       cli_exit_status_help (), tool_name);
  g_option_context_set_description (context, description);
  g_free (description);
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

static const char *
program (void)
{
  return g_get_prgname () ? g_get_prgname () : tool_name;
}

gboolean
cli_parse (GOptionContext *context, int *argc, char ***argv)
{
  GError *error = NULL;
  gboolean parsed = g_option_context_parse (context, argc, argv, &error);
  g_option_context_free (context);
  if (!parsed)
    cli_usage_error (&error);
  return parsed;
}

static int
vfail (int code, const char *format, va_list args)
{
  char *msg = g_strdup_vprintf (format, args);
  fprintf (stderr, "%s: %s\n", program (), msg);
  g_free (msg);
  return code;
}

int
cli_fail (int code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  vfail (code, format, args);
  va_end (args);
  return code;
}

int
cli_fail_error (GError **error, int code)
{
  if (g_error_matches (*error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED) || cli_interrupted ())
    code = CLI_EXIT_INTERRUPTED;
  if (*error)
    cli_fail (code, "%s", (*error)->message);
  g_clear_error (error);
  return code;
}

int
cli_usage (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  vfail (CLI_EXIT_USAGE, format, args);
  va_end (args);
  fprintf (stderr, _("Try “%s --help”.\n"), program ());
  return CLI_EXIT_USAGE;
}

int
cli_usage_error (GError **error)
{
  int code = cli_usage ("%s", *error ? (*error)->message : _("unknown error"));
  g_clear_error (error);
  return code;
}

int
cli_bad_argument (GError **error, int result, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  GError *bad = g_error_new_valist (ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT, format, args);
  va_end (args);
  g_propagate_error (error, bad);
  return result;
}

int
cli_input_code (const GError *error)
{
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT))
    return CLI_EXIT_USAGE;
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED))
    return CLI_EXIT_INTERRUPTED;
  return CLI_EXIT_ERROR;
}

int
cli_output_code (const GError *error)
{
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_IO))
    return CLI_EXIT_OUTPUT;
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED))
    return CLI_EXIT_INTERRUPTED;
  return CLI_EXIT_ERROR;
}
