-- Creates the configured rooms as persistent, public and unlocked when the MUC host starts.
local muc = module:depends("muc");
local rooms = module:get_option_array("world_rooms", {});

local function ensure_rooms()
	for _, room_jid in ipairs(rooms) do
		if not muc.get_room_from_jid(room_jid) then
			local room = assert(muc.create_room(room_jid));
			room:set_persistent(true);
			room:set_public(true);
			room:set_name("Support");
			room:save(true);
			module:log("info", "Created room %s", room_jid);
		end
	end
end

if prosody.start_time then ensure_rooms(); else module:hook_global("server-started", ensure_rooms); end
