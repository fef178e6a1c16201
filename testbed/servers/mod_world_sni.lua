-- testbed/world: certificates chosen by SNI, as a provider with a default certificate has them.
-- SNI = the host's own domain gets world_sni_domain_certificate; any other SNI and no SNI get the
-- VirtualHost's `ssl` (the default certificate). Prosody 0.12 alone picks the certificate of the
-- stream's host on STARTTLS and refuses unknown SNI names on direct TLS (LuaSec strict mode), so
-- this fills the listeners' SNI tables: the host's domain -> the domain leaf, each name in
-- world_sni_default_names (the onion) -> the default leaf. Re-applied after every reload
-- (SIGHUP), reading the files again, which is how `testbed/world renew-cert` takes effect.
-- Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
local portmanager = require "core.portmanager";
local certmanager = require "core.certmanager";

local domain_cert = module:get_option_string("world_sni_domain_certificate");
local domain_key = module:get_option_string("world_sni_domain_key");
local default_cert = module:get_option_string("world_sni_default_certificate");
local default_key = module:get_option_string("world_sni_default_key");
local default_names = module:get_option_array("world_sni_default_names", {});

local function apply()
	local domain_ctx, err1 = certmanager.create_context(module.host, "server", { certificate = domain_cert, key = domain_key });
	local default_ctx, err2 = certmanager.create_context(module.host, "server", { certificate = default_cert, key = default_key });
	if not domain_ctx or not default_ctx then
		module:log("error", "world_sni: cannot load certificates: %s %s", tostring(err1), tostring(err2));
		return;
	end
	local count = 0;
	for _, service in ipairs({ "c2s", "c2s_direct_tls" }) do
		for _, _, _, _, active in portmanager.get_active_services():iter(service, nil, nil, nil) do
			local hosts = active.server and active.server.hosts;
			if type(hosts) == "table" then
				hosts[module.host] = domain_ctx;
				for _, name in ipairs(default_names) do hosts[name] = default_ctx; end
				-- Prosody 0.12.3 reloads a direct-TLS port's certificate into a field the
				-- listener never reads (server:set_sslctx sets _sslctx, accept uses tls_ctx): without
				-- this, no-SNI clients kept the old leaf after a reload until a restart.
				if service == "c2s_direct_tls" and active.server.tls_ctx then active.server.tls_ctx = default_ctx; end
				count = count + 1;
			end
		end
	end
	module:log("info", "world_sni: applied to %d listeners (%s -> %s; %s -> %s)", count, module.host, domain_cert,
		table.concat(default_names, ","), default_cert);
end

module:hook_global("server-started", apply);
-- After portmanager's own handler (priority -1) has rebuilt the tables from the VirtualHost.
module:hook_global("config-reloaded", apply, -10);
if prosody.start_time then apply(); end
