# Convenience targets around the scripts. The world's port base and directory come from
# ONIONBOARD_PORT_BASE (default 15000) and ONIONBOARD_WORLD_DIR (default .world).
.PHONY: setup test world-up world-down world-env world-status

setup:
	bash scripts/setup

test:
	bash scripts/test

world-up:
	testbed/world up

world-down:
	testbed/world down

world-env:
	@testbed/world env

world-status:
	@testbed/world status
