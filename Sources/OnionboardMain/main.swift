// onionboard — guided, anonymous XMPP account setup for Pidgin over Tor.
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
import onionboard

Onionboard.main()
