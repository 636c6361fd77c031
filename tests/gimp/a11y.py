"""a11y — GIMP's own widgets read and driven through the accessibility
tree (AT-SPI), for the GUI tests and screenshots under Xvfb
(tests/gimp/test-menus, tests/gimp/screenshots).

GTK 3 publishes every menu, menu item, dialog and button of GIMP's core
on the accessibility bus, by its label: a menu can be read as a user sees
it, and an item activated as a click would, without knowing where it is
drawn.  The caller runs GIMP inside a D-Bus session (dbus-run-session),
where at-spi2-core's bus is started on demand.
"""
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402


class Failed(Exception):
    """A step that cannot go on (no window, no menu, no button)."""


def children(node):
    out = []
    for i in range(node.get_child_count()):
        child = node.get_child_at_index(i)
        if child is not None:
            out.append(child)
    return out


def describe(node):
    try:
        return '%s %r' % (node.get_role_name(), node.get_name())
    except gi.repository.GLib.Error as e:
        return 'gone (%s)' % e.message


def find_all(node, match, depth=40):
    """Every node under node (itself included) for which match(node)."""
    found = []
    try:
        if match(node):
            found.append(node)
    except gi.repository.GLib.Error:
        return found
    if depth > 0:
        for child in children(node):
            found += find_all(child, match, depth - 1)
    return found


def role_named(role, name):
    return lambda n: n.get_role_name() == role and n.get_name() == name


def wait_for(what, get, timeout):
    """get() until it returns something true, at most timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        try:
            value = get()
        except (gi.repository.GLib.Error, AttributeError):
            # A call that timed out, or an interface not given yet.
            value = None
        if value:
            return value
        if time.monotonic() > end:
            raise Failed('%s: not there after %g s' % (what, timeout))
        time.sleep(0.2)


def gimp_app(timeout):
    """GIMP's core on the accessibility bus."""
    def get():
        desktop = Atspi.get_desktop(0)
        apps = [a for a in children(desktop) if (a.get_name() or '').startswith('gimp')]
        return apps[0] if apps else None
    return wait_for('GIMP on the accessibility bus', get, timeout)


def windows(app):
    """GIMP's top-level windows (frames and dialogs)."""
    return children(app)


def image_window(app, title_part, timeout):
    """The frame whose title holds title_part (an image window's title
    names its image)."""
    try:
        return wait_for('a window titled *%s*' % title_part,
                        lambda: next((w for w in windows(app)
                                      if title_part in (w.get_name() or '')), None), timeout)
    except Failed as e:
        raise Failed('%s; the windows: %s' % (e, ', '.join(map(describe, windows(app)))))


def menu_path(window, path):
    """The menu reached by the labels of path from the window's menu bar,
    e.g. ['Filters', 'Enhance']: each a menu of the one before.  A label
    may carry a state after it ("Zoom (100%)" for 'Zoom')."""
    bars = find_all(window, lambda n: n.get_role_name() == 'menu bar')
    if not bars:
        raise Failed('no menu bar in %s' % describe(window))
    node = bars[0]
    for label in path:
        found = [c for c in children(node) if c.get_role_name() == 'menu' and
                 (c.get_name() == label or c.get_name().startswith(label + ' ('))]
        if not found:
            raise Failed('no menu %r in %s (it holds: %s)'
                         % (label, describe(node), ', '.join(item_labels(node))))
        node = found[0]
    return node


def item_labels(menu):
    """The labels of a menu's own items, in their order."""
    return [c.get_name() for c in children(menu)
            if c.get_role_name() in ('menu item', 'check menu item', 'radio menu item', 'menu')]


def is_sensitive(node):
    return node.get_state_set().contains(Atspi.StateType.SENSITIVE)


def click(node, timeout=60):
    """The node's first action ("click" for menu items, buttons and check
    boxes), as a user's click would run it.  GIMP answers the bus only
    between two chunks of a preview it renders: a call that timed out is
    made again, for at most timeout seconds; so is one that shows no action
    yet (a busy GIMP may answer the bus without the node's interfaces)."""
    def act():
        action = node.get_action_iface()
        if action is None or action.get_n_actions() < 1:
            return None
        return action.do_action(0)
    if not wait_for('the action of %s' % describe(node), act, timeout):
        raise Failed('%s did not take its action' % describe(node))


def new_window(app, before, timeout):
    """A top-level window of app that was not in before (a list of
    names), once one appears."""
    return wait_for('a new window (had: %s)' % ', '.join(before),
                    lambda: next((w for w in windows(app) if w.get_name() not in before), None),
                    timeout)


def is_checked(node):
    return node.get_state_set().contains(Atspi.StateType.CHECKED)
