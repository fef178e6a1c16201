// Test vectors copied from the reference (providers.md §2, §4) and from
// qbi/xmpp-onion-map v3-onions-map.lua @ b4abbece (2024-02-20, GPL-2.0 data).
// Tests never read ../shared: everything they need is in this file.

enum Vectors {
    /// rend-spec-v3 §6 examples and support.torproject.org.
    static let specValid = [
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd",
        "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd",
        "xa4r2iadxm55fbnqgwwi5mymqdcofiu3w6rpbtqn7b2dyn7mgwj64jyd",
        "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid",
    ]

    /// Every value of qbi's v3 map, exactly as written there (one lacks ".onion").
    static let qbiV3: [(domain: String, value: String)] = [
        ("5222.de", "fzdx522fvinbaqgwxdet45wryluchpplrkkzkry33um5tufkjd3wdaqd.onion"),
        ("anrc.mooo.com", "6w5iasklrbr2kw53zqrsjktgjapvjebxodoki3gjnmvb4dvcbmz7n3qd.onion"),
        ("cock.li", "xdkriz6cn2avvcr2vks5lvvtmfojz2ohjzj4fhyuka55mvljeso2ztqd.onion"),
        ("creep.im", "creep7nonbdm4nad2qbmri7z32ajg2l4vcwvzpxnty6wupvc5vfreoad.onion"),
        ("diebesban.de", "bztoavotvspxwehf52gw7xrljvj7rjucpwdoixoaoxgpwqkoex27jnid.onion"),
        ("dismail.de", "4colmnerbjz3xtsjmqogehtpbt5upjzef57huilibbq3wfgpsylub7yd.onion"),
        ("e2e.ee", "e2eee76htm7znipwviwbjzdy7spoeje2gzcn23jyl77pplvhfa7lfyqd.onion"),
        ("jabber.cat", "x76it4hax7s6s6j64ta6iiolar6o6hwlwoeyoqmkjcdgjza6gqqj5gyd.onion"),
        ("jabber.de", "uoj2xiqxk25p36wbpufiyuhluvxakhpqum7frembhoiuq7a5735ay3qd.onion"),
        ("jabber.hot-chilli.net", "chillingguw3yu2rmrkqsog4554egiry6fmy264l5wblyadds3c2lnyd.onion"),
        ("jabber.nr18.space", "szd7r26dbcrrrn4jthercrdypxfdmzzrysusyjohn4mpv2zbwcgmeqqd.onion"),
        ("jabber.otr.im", "ynnuxkbbiy5gicdydekpihmpbqd4frruax2mqhpc35xqjxp5ayvrjuqd.onion"),
        ("jabber.so36.net", "yxkc2uu3rlwzzhxf2thtnzd7obsdd76vtv7n34zwald76g5ogbvjbbqd.onion"),
        ("jabber.systemli.org", "razpihro3mgydaiykvxwa44l57opvktqeqfrsg3vvwtmvr2srbkcihyd.onion"),
        ("jabber.systemausfall.org", "jaswtrycaot3jzkr7znje4ebazzvbxtzkyyox67frgvgemwfbzzi6uqd.onion"),
        ("jabjab.de", "jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid"),
        ("systemausfall.org", "jaswtrycaot3jzkr7znje4ebazzvbxtzkyyox67frgvgemwfbzzi6uqd.onion"),
        ("krautspace.de", "jeirlvruhz22jqduzixi6li4xyoweytqglwjons4mbuif76fgslg5uad.onion"),
        ("mdosch.de", "bztoavotvspxwehf52gw7xrljvj7rjucpwdoixoaoxgpwqkoex27jnid.onion"),
        ("talk36.net", "yxkc2uu3rlwzzhxf2thtnzd7obsdd76vtv7n34zwald76g5ogbvjbbqd.onion"),
        ("wiuwiu.de", "qawb5xl3mxiixobjsw2d45dffngyyacp4yd3wjpmhdrazwvt4ytxvayd.onion"),
        ("xmpp.is", "6voaf7iamjpufgwoulypzwwecsm2nu7j5jpgadav2rfqixmpl4d65kid.onion"),
        ("xmpp.riseup.net", "jukrlvyhgguiedqswc5lehrag2fjunfktouuhi4wozxhb6heyzvshuyd.onion"),
        ("xmpp.trashserver.net", "xiynxwxxpw7olq76uhrbvx2ts3i7jagqnqix7arfbknmleuoiwsmt5yd.onion"),
    ]

    /// The qbi v3 map file itself (tabs, `{ host, port = "5222" }` values, a value without
    /// ".onion", no trailing `;` and no final newline), rebuilt from `qbiV3`.
    static var qbiV3File: String {
        var lines = ["onions_map = {"]
        for (domain, value) in qbiV3 {
            if domain == "cock.li" || domain == "e2e.ee" {
                lines.append("\t[\"\(domain)\"] = { host = \"\(value)\", port = \"5222\" };")
            } else {
                lines.append("\t[\"\(domain)\"] = \"\(value)\";")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// v3 onions from providers.md §4 that are not in qbi's map (CoyIM, xmpp.is config).
    static let otherValid = [
        "gois4b6fahhrlsieupl56xd6ya226m33abzuv26vgfpuvv44wf6vbdad",
        "32qywqnlnqzbry42nmotr47ebts3k6lhiwfob6xniosmepz2tsnsx7ad",
        "7drfpncjeom3svqkyjitif26ezb3xvmtgyhgplcvqa7wwbb4qdbsjead",
        "gku6irp4e65ikfkbrdx576zz6biapv37vv2cmklo2qyrtobugwz5iaad",
        "2n3tvihf4n27pqyqdtcqywl33kbjuv2kj3eeq6qvbtud57jwiaextmid",
        "ae3w7fkzr3elfwsk6mhittjj7e7whme2tumdrhw3dfumy2hsiwomc3yd",
        "mrbenqxl345o4u7yaln25ayzz5ut6ab3kteulzqusinjdx6oh7obdlad",
        "qwikoouqore6hxczat3gwbe2ixjpllh3yuhaecixyenprbn6r54mglqd",
        "xmppccwrohw3lmfap6e3quep2yzx3thewkfhw4vptb5gwgnkttlq2vyd",
        "gaavkkdj6tpc6d27iq4omdk5o3ludg53xi4rmgpzwa2aobusb7bzudad",
        "kallist4mcluuxbjnr5p2asdlmdhaos3pcrvhk3fbzmiiiftwg6zncid",
        "5edc2lyzvsnyq4i6fvlifsqrmpoqk7uhxh2povbhjnpa3nhh7cm6dtid",
        "uvq5q7i6thamv6bfcagjy42fjobxaqgregc2t7xhetxhan3svb3zyeqd",
    ]
}
