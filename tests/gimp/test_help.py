"""Help: the plug-in registers its own help domain (GIMP keeps it in the
profile's pluginrc and qualifies the procedures' help IDs with it, so the
Help button asks our pages, not GIMP's manual), and in every language
folder gimp-help.xml maps each procedure's help ID to a page that exists,
whose pictures exist too."""
import os
import re
import xml.etree.ElementTree as ET

from gimptest import Gimp

PROCS = ['plug-in-adiff-wiener', 'plug-in-adiff-analytic', 'plug-in-adiff-sensitivity',
         'plug-in-adiff-sample']
DOMAIN = 'org.analytic-diffusion.help'


def run(tap, bundles):
    profile = Gimp.directory()
    help_dir = os.path.join(profile, 'plug-ins', 'analytic-diffusion', 'help')
    with open(os.path.join(profile, 'pluginrc'), 'rb') as f:   # icons are binary
        rc = f.read().decode('utf-8', 'replace')
    m = re.search(r'\(help-def "%s" "([^"]*)"\)' % re.escape(DOMAIN), rc)
    uri = m.group(1) if m else None
    tap.ok(uri is not None and uri.rstrip('/').endswith('/analytic-diffusion/help'),
           'help: domain %s registered at %s' % (DOMAIN, uri))
    for lang in ('en', 'de'):
        index = os.path.join(help_dir, lang, 'gimp-help.xml')
        root = ET.parse(index).getroot()
        refs = {item.get('id'): item.get('ref') for item in root.iter('help-item')}
        # GIMP qualifies a plug-in's help IDs with its domain, "domain?id":
        # the Help button asks our domain, which maps the id to a page.
        ids = [Gimp.get_pdb().lookup_procedure(p).get_help_id() for p in PROCS]
        tap.ok(all(i.startswith(DOMAIN + '?') for i in ids),
               'help %s: the help IDs are in our domain (%s)' % (lang, ids))
        pages = [refs.get(i.split('?', 1)[-1]) for i in ids]
        found = None not in pages and \
            all(os.path.isfile(os.path.join(help_dir, lang, p)) for p in pages)
        tap.ok(found, 'help %s: every procedure\'s help ID has a page (%s)' % (lang, pages),
               None if found else 'help IDs %s, pages %s' % (ids, refs))
        if None in pages:
            continue
        missing = []
        for page in set(pages) | {'index.html'}:
            with open(os.path.join(help_dir, lang, page), encoding='utf-8') as f:
                html = f.read()
            for src in re.findall(r'src="([^"]+)"', html):
                if not os.path.isfile(os.path.normpath(os.path.join(help_dir, lang, src))):
                    missing.append('%s: %s' % (page, src))
        tap.ok(not missing, 'help %s: every picture of the pages exists' % lang,
               '\n'.join(missing) or None)
