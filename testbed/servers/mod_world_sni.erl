%% testbed/world: certificates chosen by SNI, as a provider with a default certificate has them.
%% ejabberd 23.01 serves, on STARTTLS, the certificate of the stream's host, and its TLS library
%% (fast_tls) switches certificate when the client's SNI names a host in fast_tls's name map.
%% `certfiles` holds the default leaf (served for no SNI and for an SNI it does not know, such as
%% the onion); this module puts the domain leaf into fast_tls's name map for the domain, so
%% SNI = the domain gets the domain leaf. It re-asserts the entry every second (ejabberd_pkix
%% rewrites the map on reloads) and clears fast_tls's context cache when the file changes
%% (`testbed/world renew-cert`).
%% Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
-module(mod_world_sni).
-behaviour(gen_mod).
-export([start/2, stop/1, reload/3, depends/2, mod_options/1, mod_opt_type/1, mod_doc/0, reassert/2]).

start(_Host, Opts) ->
    Domain = gen_mod:get_opt(domain, Opts),
    File = gen_mod:get_opt(certfile, Opts),
    reassert(Domain, File),
    {ok, TRef} = timer:apply_interval(1000, ?MODULE, reassert, [Domain, File]),
    persistent_term:put({?MODULE, timer}, TRef),
    ok.

stop(_Host) ->
    case persistent_term:get({?MODULE, timer}, undefined) of
        undefined -> ok;
        TRef -> timer:cancel(TRef), persistent_term:erase({?MODULE, timer}), ok
    end.

reload(Host, NewOpts, _OldOpts) -> stop(Host), start(Host, NewOpts).

depends(_Host, _Opts) -> [].

mod_options(_Host) -> [{domain, <<>>}, {certfile, <<>>}].

mod_opt_type(domain) -> econf:binary();
mod_opt_type(certfile) -> econf:binary().

mod_doc() -> #{}.

reassert(Domain, File) ->
    Stamp = filelib:last_modified(binary_to_list(File)),
    case persistent_term:get({?MODULE, stamp}, undefined) of
        Stamp -> ok;
        _ -> fast_tls:clear_cache(), persistent_term:put({?MODULE, stamp}, Stamp)
    end,
    fast_tls:add_certfile(Domain, File).
