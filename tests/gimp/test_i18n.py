"""Translations inside GIMP: the procedures' menu labels and blurbs, and the
message of a failing call, in the language GIMP runs in.

run-tests runs this module three times with one profile: first in the C
locale (with the other tests), where it records the English strings and
checks they are msgids of the catalogs; then with LC_ALL=de_DE.UTF-8
LANGUAGE=de and with ko_KR.UTF-8 / ko ($ADIFF_GIMP_LANG says which), where
each string must be the msgstr of po/<lang>.po for the recorded English
one.  The submenu Filters ▸ Analytic Diffusion is among them.  Each session
also reads the σ list "12,5": 12.5 where the decimal mark is a comma
(German), two levels 12 and 5 where it is a point (C, Korean).  The later sessions reuse the profile, so they also check that GIMP
queries the plug-in again when the language changes (labels are
translated by the plug-in at query time and cached in pluginrc)."""
import ast
import json
import os

from gimptest import Gimp, Gio, new_image, run_procedure, scratch

PROCS = ['plug-in-adiff-wiener', 'plug-in-adiff-analytic',
         'plug-in-adiff-sensitivity', 'plug-in-adiff-sample']
# A bad-input call and the msgid of its message (formatted with σ = 0).
ERROR_MSGID = 'Noise σ must be greater than 0 (got %g)'
RECORD = scratch('i18n-C.json')


def read_po(lang):
    """msgid → msgstr of po/<lang>.po, fuzzy entries and the header left out."""
    entries, msgid, msgstr, fuzzy, field = {}, None, None, False, None

    def flush():
        if msgid and msgstr and not fuzzy:
            entries[msgid] = msgstr

    with open(os.path.join(os.environ['ADIFF_GIMP_PODIR'], lang + '.po'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line.startswith('#,'):
                fuzzy = 'fuzzy' in line
            elif line.startswith('msgid '):
                flush()
                msgid, msgstr, field = ast.literal_eval(line[6:]), None, 'id'
            elif line.startswith('msgstr '):
                msgstr, field = ast.literal_eval(line[7:]), 'str'
            elif line.startswith('"'):
                if field == 'id':
                    msgid += ast.literal_eval(line)
                elif field == 'str':
                    msgstr += ast.literal_eval(line)
            elif not line:
                flush()
                msgid, msgstr, fuzzy, field = None, None, False, None
        flush()
    return entries


def current_strings(bundle):
    pdb = Gimp.get_pdb()
    strings = {}
    for name in PROCS:
        proc = pdb.lookup_procedure(name)
        if proc is not None:
            strings[name + ' menu label'] = proc.get_menu_label()
            strings[name + ' blurb'] = proc.get_blurb()
            if name == 'plug-in-adiff-sensitivity':
                own = [p for p in proc.get_menu_paths() if p.startswith('<Image>/Filters/')]
                strings['submenu'] = own[0].split('/')[-1] if own else None
    image, layer = new_image(8, 8, gray=True)
    status, message = run_procedure('plug-in-adiff-wiener', image, [layer], bundle=bundle, sigma=0.0)
    image.delete()
    strings['error'] = message if status != Gimp.PDBStatusType.SUCCESS else None
    return strings


def record_english(tap, strings):
    with open(RECORD, 'w', encoding='utf-8') as f:
        json.dump(strings, f, ensure_ascii=False)
    tap.ok(len(strings) == 2 * len(PROCS) + 2, 'C locale: every procedure is registered',
           sorted(strings))
    catalog = read_po('de')
    for key, text in sorted(strings.items()):
        if key == 'error':
            good = text == ERROR_MSGID % 0.0
            tap.ok(good, 'C locale: σ = 0 fails with the English message',
                   None if good else repr(text))
        else:
            good = text in catalog
            tap.ok(good, 'C locale: %s is a msgid of the catalogs' % key,
                   None if good else repr(text))


def check_translated(tap, lang, strings):
    try:
        with open(RECORD, encoding='utf-8') as f:
            english = json.load(f)
    except OSError as e:
        tap.ok(False, '%s: the C session recorded the English strings' % lang, e)
        return
    catalog = read_po(lang)
    for key in sorted(english):
        en, now = english[key], strings.get(key)
        if key == 'error':
            want = catalog.get(ERROR_MSGID, ERROR_MSGID) % 0.0
        else:
            want = catalog.get(en, en)
        good = now == want and want != en
        tap.ok(good, '%s: %s is translated' % (lang, key),
               None if good else 'got %r\nwant %r\nEnglish %r' % (now, want, en))


def check_sigma_list(tap, lang, bundle):
    """ "12,5": one σ of 12.5 in German, σ 12 and 5 elsewhere."""
    image, layer = new_image(8, 8, gray=True)
    pdb = Gimp.get_pdb()
    config = pdb.lookup_procedure('plug-in-adiff-sensitivity').create_config()
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(bundle))
    config.set_property('sigmas', '12,5')
    config.set_property('legend', False)   # the σ layers only
    result = pdb.lookup_procedure('plug-in-adiff-sensitivity').run(config)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        tap.ok(False, '%s: the σ list "12,5" is read' % (lang or 'C'), result.index(1))
    else:
        overlay = result.index(1)
        n = len(overlay.get_children()) if overlay.is_group() else 1
        want = 1 if lang == 'de' else 2
        tap.ok(n == want, '%s: the σ list "12,5" is %s' % (
            lang or 'C', 'one level, 12.5' if want == 1 else 'two levels, 12 and 5'),
            'got %d layer(s)' % n)
    image.delete()


def run(tap, bundles):
    lang = os.environ.get('ADIFF_GIMP_LANG', '')
    check_sigma_list(tap, lang, bundles['gray'])
    strings = current_strings(bundles['gray'])
    if lang:
        check_translated(tap, lang, strings)
    else:
        record_english(tap, strings)
