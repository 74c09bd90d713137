using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Replicator.Cli.Commands;

/// <summary>
/// The parser of an option that takes a whole number in a range. Left to System.CommandLine's own conversion, a value
/// that is no number of the option's type is reported as "Cannot parse argument '-1' for option '--seed' as expected
/// type 'System.UInt64'.", naming a .NET type where the user needs the range; and a validator added after it never
/// sees such a value. Parsing here gives every bad value, a word, a negative number, one past the type and one out of
/// range alike, the same line: the option, the range and the value given.
/// </summary>
internal static class WholeNumberOption
{
    public static Func<ArgumentResult, T> Parser<T>(string name, T min, T max)
        where T : IBinaryInteger<T>
    {
        return result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));

            // NumberStyles.None: digits only, so no sign, spaces, separators or exponent; the invariant culture so a
            // host's locale never changes what parses.
            if (T.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be a whole number from {min} to {max}, not '{token}'"));
            return min;
        };
    }
}
