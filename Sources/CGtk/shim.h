#ifndef ONIONBOARD_CGTK_SHIM_H
#define ONIONBOARD_CGTK_SHIM_H
// GTK 3 for onionboard-gtk. Swift imports the functions; the macros it cannot import
// (g_signal_connect, GDK_SELECTION_CLIPBOARD) get a static inline function each.
#include <gtk/gtk.h>

/// g_signal_connect_data with a destroy notify for `data` (the Swift closure's box).
static inline gulong ob_signal_connect(gpointer instance, const gchar *signal, GCallback handler,
                                       gpointer data, GClosureNotify destroy) {
    return g_signal_connect_data(instance, signal, handler, data, destroy, (GConnectFlags)0);
}

/// The CLIPBOARD selection (Ctrl+V), not PRIMARY.
static inline GtkClipboard *ob_clipboard(void) {
    return gtk_clipboard_get(GDK_SELECTION_CLIPBOARD);
}

#endif
