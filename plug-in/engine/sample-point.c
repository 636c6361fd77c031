/* sample-point.c — one sample point for the sensitivity overlay's pixel,
 * reused from run to run instead of a new numbered one each time.  GIMP
 * 3.0 cannot move a sample point, so "reuse" is: the point this plug-in
 * added last (its position kept in an image parasite) is deleted and one
 * added at the new pixel, within the caller's undo group. */
#include "config.h"
#include "engine/sample-point.h"

#define PARASITE "adiff-sensitivity-point"

/* The sample point at (x, y), or 0. */
static guint
point_at (GimpImage *image, gint x, gint y)
{
  for (guint id = gimp_image_find_next_sample_point (image, 0); id != 0;
       id = gimp_image_find_next_sample_point (image, id))
    {
      gint px, py;
      px = gimp_image_get_sample_point_position (image, id, &py);
      if (px == x && py == y)
        return id;
    }
  return 0;
}

static gboolean
remembered (GimpImage *image, gint *x, gint *y)
{
  GimpParasite *parasite = gimp_image_get_parasite (image, PARASITE);
  guint32 size = 0;
  const char *data;
  gboolean ok = FALSE;

  if (parasite == NULL)
    return FALSE;
  data = gimp_parasite_get_data (parasite, &size);
  if (data != NULL && size > 0)
    {
      g_autofree char *text = g_strndup (data, size);
      ok = sscanf (text, "%d %d", x, y) == 2;
    }
  gimp_parasite_free (parasite);
  return ok;
}

void
plugin_sample_point_mark (GimpImage *image, gint x, gint y)
{
  g_autofree char *text = g_strdup_printf ("%d %d", x, y);
  GimpParasite *parasite;
  gint ox, oy;

  if (point_at (image, x, y) != 0)
    return;
  if (remembered (image, &ox, &oy))
    {
      guint old = point_at (image, ox, oy);
      if (old != 0)
        gimp_image_delete_sample_point (image, old);
    }
  gimp_image_add_sample_point (image, x, y);
  parasite = gimp_parasite_new (PARASITE, GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                                strlen (text), text);
  gimp_image_attach_parasite (image, parasite);
  gimp_parasite_free (parasite);
}

gboolean
plugin_sample_point_first (GimpImage *image, gint *x, gint *y)
{
  guint id = gimp_image_find_next_sample_point (image, 0);

  if (id == 0)
    return FALSE;
  *x = gimp_image_get_sample_point_position (image, id, y);
  return TRUE;
}
