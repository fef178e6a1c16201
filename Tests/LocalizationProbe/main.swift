// What Localization says in the language the environment asks for, one line per question:
//   localization-probe [--use LANGUAGE] ITEM...
// ITEM: `catalog` (the catalog's language or "-"), `rtl`, `preferred`, `entry:KEY` (a catalog
// entry, `{0}` placeholders filled with "<0>"…), `plural:ONE|OTHER|N`, `pidgin:MSGID`,
// `pidgin-bare:MSGID` (without the colon).
import Localization

Localization.start()
var items = Array(CommandLine.arguments.dropFirst())
if items.first == "--use", items.count >= 2 {
    Localization.use(language: items[1])
    items.removeFirst(2)
}
func placeholders(_ key: String) -> [String] { (0..<10).map { "<\($0)>" } }
for item in items {
    let (kind, argument) = item.firstIndex(of: ":").map { (String(item[..<$0]), String(item[item.index(after: $0)...])) } ?? (item, "")
    switch kind {
    case "catalog": print(Localization.catalogLanguage ?? "-")
    case "rtl": print(Localization.isRightToLeft ? "rtl" : "ltr")
    case "preferred": print(Localization.preferredLanguages.joined(separator: ","))
    case "entry": print(translated(Translatable(key: argument, values: placeholders(argument))))
    case "plural":
        let parts = argument.split(separator: "|").map(String.init)
        print(translated(one: Translatable(key: parts[0], values: placeholders(parts[0])),
                         other: Translatable(key: parts[1], values: placeholders(parts[1])), count: Int(parts[2]) ?? 0))
    case "pidgin": print(Localization.pidgin(argument))
    case "pidgin-bare": print(Localization.pidgin(argument, withoutColon: true))
    default: print("?")
    }
}
