// OnionMap: see README "Architecture".
