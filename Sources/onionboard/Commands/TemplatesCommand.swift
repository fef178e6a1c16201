import Frontends
import ArgumentParser
import Diagnostics
import Vocabulary
import Wizard

/// `onionboard templates list|show|check`: wizards as data.
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List, show and check wizard templates.",
        subcommands: [List.self, Show.self, Check.self, Guide.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bundled wizard templates.")
        @OptionGroup var output: OutputOptions

        struct Entry: Encodable {
            let id: String
            let title: String
            let room: String
            let questions: [String]
        }

        func run() throws {
            try reportingErrors(json: output.json) {
                let templates = try TemplateLibrary.bundled.keys.sorted().map(TemplateLibrary.loadBundled)
                if output.json {
                    try Console.json(templates.map { Entry(id: $0.id, title: $0.title, room: $0.room.jid,
                                                           questions: $0.questions.map(\.key)) })
                    return
                }
                for template in templates {
                    Console.out("\(template.id)\t\(template.localized().title)\t(room \(template.room.jid))")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a template's questions, defaults and flags.")
        @Argument(help: ArgumentHelp("A bundled template id or a .wizard file.", valueName: "template"))
        var template: String = TemplateLibrary.defaultID
        @OptionGroup var output: OutputOptions

        struct QuestionEntry: Encodable {
            let key: String
            let type: String
            let prompt: String
            let help: String
            let defaultValue: String?
            let priority: String
            let validation: String?
            let condition: String?
            let choices: [String]
            let warning: String?
            let flag: String
            let environment: String?
        }

        struct Entry: Encodable {
            let id: String
            let title: String
            let intro: String
            let room: RoomBookmark
            let offerProviders: String
            let providerOrder: String
            let questions: [QuestionEntry]
            /// The languages it has texts in besides English.
            let languages: [String]
        }

        func run() throws {
            try reportingErrors(json: output.json) {
                let template = try TemplateLibrary.load(self.template).localized()
                let questions = template.questions.map { question in
                    QuestionEntry(key: question.key, type: question.type.rawValue, prompt: question.prompt,
                                  help: question.help, defaultValue: Self.describe(question.defaultValue),
                                  priority: question.priority.rawValue, validation: question.validation?.name,
                                  condition: question.condition?.description, choices: question.choices,
                                  warning: question.warning, flag: question.flag, environment: question.environmentVariable)
                }
                if output.json {
                    try Console.json(Entry(id: template.id, title: template.title, intro: template.intro,
                                           room: template.room, offerProviders: template.providerFilter.rawValue,
                                           providerOrder: template.providerOrder.rawValue, questions: questions,
                                           languages: template.languages))
                    return
                }
                Console.out("\(template.id): \(template.title)")
                Console.out("room: \(template.room.jid) (group \(template.room.group), alias \(template.room.alias ?? "none"), autojoin \(template.room.autojoin ? "yes" : "no"))")
                Console.out("providers: \(template.providerFilter.rawValue), ordered \(template.providerOrder.rawValue)")
                if !template.languages.isEmpty { Console.out("translations: \(template.languages.joined(separator: ", "))") }
                Console.out("")
                for question in questions {
                    var line = "\(question.key) (\(question.type), \(question.priority))"
                    if let value = question.defaultValue { line += " default \(value)" }
                    Console.out(line)
                    Console.out("    \(question.prompt)")
                    if let validation = question.validation { Console.out("    validation: \(validation)") }
                    if let condition = question.condition { Console.out("    only if: \(condition)") }
                    if !question.choices.isEmpty { Console.out("    choices: \(question.choices.joined(separator: ", "))") }
                    if let warning = question.warning { Console.out("    warning: \(warning.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " "))") }
                    Console.out("    answered by: \(question.flag)\(question.environment.map { ", \($0)" } ?? "")")
                }
            }
        }

        static func describe(_ value: DefaultValue) -> String? {
            switch value {
            case .none: nil
            case .generated: "generated"
            case .literal(let text): text
            case .mapOnion: "the provider map's onion for the address's domain"
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check template files and report every problem with file:line:column (exit 65 if any).")
        @Argument(help: ArgumentHelp("Template files to check.", valueName: "file"))
        var files: [String]
        @OptionGroup var output: OutputOptions

        struct Result: Encodable {
            let file: String
            let ok: Bool
            let questions: Int
            let problems: [TemplateDiagnostic]
        }

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one template file") }
        }

        func run() throws {
            try reportingErrors(json: output.json) {
                var results: [Result] = []
                for file in files {
                    let text = try TemplateLibrary.readFile(file)
                    let (template, problems) = TemplateParser.parse(text, origin: file)
                    results.append(Result(file: file, ok: problems.isEmpty, questions: template?.questions.count ?? 0,
                                          problems: problems))
                }
                if output.json {
                    try Console.json(results)
                } else {
                    for result in results {
                        if result.ok {
                            Console.out("\(result.file): ok (\(result.questions) questions)")
                        } else {
                            for problem in result.problems { Console.out(problem.description) }
                            Console.err("\(result.file): \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s")")
                        }
                    }
                }
                if results.contains(where: { !$0.ok }) { throw ExitCode(ErrorCategory.invalidData.exitCode) }
            }
        }
    }
}
