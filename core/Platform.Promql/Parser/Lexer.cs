using System.Text;

namespace Platform.Promql.Parser;

/// <summary>Turns a PromQL query into tokens, each with its position.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string query)
    {
        var tokens = new List<Token>();
        var at = 0;
        while (true)
        {
            while (at < query.Length && (char.IsWhiteSpace(query[at]) || query[at] == '#'))
            {
                if (query[at] == '#') { while (at < query.Length && query[at] != '\n') at++; }
                else at++;
            }
            if (at >= query.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", at));
                return tokens;
            }
            var start = at;
            var c = query[at];
            if (char.IsAsciiDigit(c) || (c == '.' && at + 1 < query.Length && char.IsAsciiDigit(query[at + 1])))
            {
                tokens.Add(NumberOrDuration(query, ref at));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_' || c == ':')
            {
                while (at < query.Length && (char.IsAsciiLetterOrDigit(query[at]) || query[at] is '_' or ':')) at++;
                tokens.Add(new Token(TokenKind.Identifier, query[start..at], start));
                continue;
            }
            if (c is '"' or '\'' or '`')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(query, ref at), start));
                continue;
            }
            var two = at + 1 < query.Length ? query.Substring(at, 2) : "";
            var kind = two switch
            {
                "==" => TokenKind.EqlC,
                "!=" => TokenKind.Neq,
                "<=" => TokenKind.Lte,
                ">=" => TokenKind.Gte,
                "=~" => TokenKind.RegexMatch,
                "!~" => TokenKind.RegexNoMatch,
                _ => (TokenKind?)null,
            };
            if (kind is { } twoChar)
            {
                tokens.Add(new Token(twoChar, two, start));
                at += 2;
                continue;
            }
            TokenKind single = c switch
            {
                '(' => TokenKind.LeftParen,
                ')' => TokenKind.RightParen,
                '{' => TokenKind.LeftBrace,
                '}' => TokenKind.RightBrace,
                '[' => TokenKind.LeftBracket,
                ']' => TokenKind.RightBracket,
                ',' => TokenKind.Comma,
                '@' => TokenKind.At,
                '=' => TokenKind.Assign,
                '+' => TokenKind.Add,
                '-' => TokenKind.Sub,
                '*' => TokenKind.Mul,
                '/' => TokenKind.Div,
                '%' => TokenKind.Mod,
                '^' => TokenKind.Pow,
                '<' => TokenKind.Lss,
                '>' => TokenKind.Gtr,
                _ => throw new PromqlParseException($"unexpected character: '{c}'", at),
            };
            tokens.Add(new Token(single, c.ToString(), start));
            at++;
        }
    }

    private static Token NumberOrDuration(string query, ref int at)
    {
        var start = at;
        if (query[at] == '0' && at + 1 < query.Length && query[at + 1] is 'x' or 'X')
        {
            at += 2;
            while (at < query.Length && char.IsAsciiHexDigit(query[at])) at++;
            return new Token(TokenKind.Number, query[start..at], start);
        }
        while (at < query.Length && char.IsAsciiDigit(query[at])) at++;
        // Digits followed by a unit letter: a duration such as 5m, 1h30m, 250ms.
        if (at < query.Length && query[at] is 'y' or 'w' or 'd' or 'h' or 'm' or 's')
        {
            while (at < query.Length && (char.IsAsciiDigit(query[at]) || query[at] is 'y' or 'w' or 'd' or 'h' or 'm' or 's')) at++;
            return new Token(TokenKind.Duration, query[start..at], start);
        }
        if (at < query.Length && query[at] == '.')
        {
            at++;
            while (at < query.Length && char.IsAsciiDigit(query[at])) at++;
        }
        if (at < query.Length && query[at] is 'e' or 'E')
        {
            var save = at;
            at++;
            if (at < query.Length && query[at] is '+' or '-') at++;
            if (at < query.Length && char.IsAsciiDigit(query[at])) { while (at < query.Length && char.IsAsciiDigit(query[at])) at++; }
            else at = save;
        }
        return new Token(TokenKind.Number, query[start..at], start);
    }

    private static string ReadString(string query, ref int at)
    {
        var quote = query[at];
        var start = at;
        at++;
        var text = new StringBuilder();
        while (true)
        {
            if (at >= query.Length) throw new PromqlParseException("unterminated quoted string", start);
            var c = query[at++];
            if (c == quote) return text.ToString();
            if (quote == '`' || c != '\\')
            {
                if (c == '\n' && quote != '`') throw new PromqlParseException("unterminated quoted string", start);
                text.Append(c);
                continue;
            }
            if (at >= query.Length) throw new PromqlParseException("unterminated quoted string", start);
            var e = query[at++];
            switch (e)
            {
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case '\\': text.Append('\\'); break;
                case '\'' when quote == '\'': text.Append('\''); break;
                case '"' when quote == '"': text.Append('"'); break;
                case 'x': text.Append((char)ReadHex(query, ref at, 2, start)); break;
                case 'u': text.Append(CodePoint(ReadHex(query, ref at, 4, start), start)); break;
                case 'U': text.Append(CodePoint(ReadHex(query, ref at, 8, start), start)); break;
                default:
                    if (e is >= '0' and <= '7' && at + 1 < query.Length && query[at] is >= '0' and <= '7' && query[at + 1] is >= '0' and <= '7')
                    {
                        var value = (e - '0') * 64 + (query[at] - '0') * 8 + (query[at + 1] - '0');
                        at += 2;
                        if (value > 255) throw new PromqlParseException("octal escape value > 255", start);
                        text.Append((char)value);
                        break;
                    }
                    throw new PromqlParseException($"unknown escape sequence '\\{e}'", at - 2);
            }
        }
    }

    private static string CodePoint(int value, int start) =>
        value is > 0x10FFFF or (>= 0xD800 and <= 0xDFFF)
            ? throw new PromqlParseException("invalid Unicode code point in escape sequence", start)
            : char.ConvertFromUtf32(value);

    private static int ReadHex(string query, ref int at, int digits, int start)
    {
        if (at + digits > query.Length) throw new PromqlParseException("invalid escape sequence", start);
        var hex = query.Substring(at, digits);
        if (!hex.All(char.IsAsciiHexDigit)) throw new PromqlParseException("invalid escape sequence", start);
        at += digits;
        return int.Parse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture) is var v && v >= 0
            ? v
            : throw new PromqlParseException("invalid escape sequence", start);
    }
}
