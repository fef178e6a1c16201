import CGtk
import FoundationEssentials

/// A decoded picture (GdkPixbuf), the one owner of its reference. Made from the bytes the
/// server sent (the CAPTCHA), never from a file: nothing of it is written to disk.
final class Picture {
    let pixbuf: OpaquePointer

    /// nil when the bytes are not a picture GdkPixbuf can read.
    init?(_ data: Data) {
        guard let loader = gdk_pixbuf_loader_new() else { return nil }
        defer { g_object_unref(UnsafeMutableRawPointer(loader)) }
        let written = data.withUnsafeBytes { bytes in
            gdk_pixbuf_loader_write(loader, bytes.bindMemory(to: guchar.self).baseAddress, gsize(bytes.count), nil)
        }
        let closed = gdk_pixbuf_loader_close(loader, nil)
        guard written != 0, closed != 0, let pixbuf = gdk_pixbuf_loader_get_pixbuf(loader) else { return nil }
        g_object_ref(UnsafeMutableRawPointer(pixbuf)) // the loader's reference goes with the loader
        self.pixbuf = pixbuf
    }

    private init(owning pixbuf: OpaquePointer) { self.pixbuf = pixbuf }

    deinit { g_object_unref(UnsafeMutableRawPointer(pixbuf)) }

    var width: Int32 { gdk_pixbuf_get_width(pixbuf) }
    var height: Int32 { gdk_pixbuf_get_height(pixbuf) }

    /// Enlarged by a whole factor with square pixels, so small CAPTCHA text stays sharp.
    func scaled(by factor: Int32) -> Picture {
        guard factor > 1, let bigger = gdk_pixbuf_scale_simple(pixbuf, width * factor,
                                                              height * factor, GDK_INTERP_NEAREST)
        else { return self }
        return Picture(owning: bigger)
    }

    /// An image widget showing it (the widget takes its own reference).
    func imageWidget() -> Widget { Widget(gtk_image_new_from_pixbuf(pixbuf)) }
}
