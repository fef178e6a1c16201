import CLibXML2
import COpenSSL
import Foundation

// PurpleConfig: see README "Architecture".
func _libxmlVersion() -> Int32 { cxml_parser_version() }
