/// "scna" → "scan": the command a mistyped first argument was probably meant to be.
enum CommandTypo {
    static let commands = ["analyze", "scan", "calc", "diff", "query", "rules", "help"]

    /// A command within two edits of `word` (and not just a short word that happens to be close), else nil.
    static func suggestion(for word: String) -> String? {
        guard word.count >= 3, word.count <= 9, word.allSatisfy(\.isLetter) else { return nil }
        return commands.first { distance(Array(word.lowercased()), Array($0)) <= ($0.count <= 4 ? 1 : 2) }
            ?? commands.first { word.count >= 3 && Set(word.lowercased()) == Set($0) && word.count == $0.count }
    }

    /// Levenshtein distance, with a swap of neighbours counting as one edit.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
