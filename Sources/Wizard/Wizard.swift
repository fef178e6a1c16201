// Wizard: see README "Architecture".
