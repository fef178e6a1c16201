// XMPPOverTor: see README "Architecture".
