namespace Replicator.Core.Configuration;

/// <summary>
/// The variables in a shared file's path expanded as the AWS CLI expands them (botocore's <c>raw_config_parse</c>:
/// <c>os.path.expandvars</c>, before the tilde, <see cref="SharedConfigFile.ExpandHome"/>): Python's <c>posixpath</c>
/// rule, or on Windows <c>ntpath</c>'s.
/// </summary>
internal static class PathVariables
{
    /// <summary>
    /// <paramref name="path"/> with its variables expanded as Python's <c>os.path.expandvars</c> expands them where the
    /// AWS CLI runs: <c>posixpath</c>'s rule (<see cref="ExpandPosix"/>), or on Windows <c>ntpath</c>'s
    /// (<see cref="ExpandWindows"/>), which also reads <c>%NAME%</c>: a variable Windows stores unexpanded (set with
    /// <c>setx</c>, or as a plain string in the registry) reaches the process as <c>%USERPROFILE%\.aws\ci-config</c>,
    /// which no shell expanded either.
    /// </summary>
    internal static string Expand(IEnvironmentVariables environment, string path, bool windows) =>
        windows ? ExpandWindows(environment, path) : ExpandPosix(environment, path);

    /// <summary>
    /// <paramref name="path"/> as Python's <c>ntpath.expandvars</c> gives it (CPython's Lib/ntpath.py): text in single
    /// quotes is kept as written, quotes included (all the rest after a quote never closed); <c>%%</c> is <c>%</c> and
    /// <c>$$</c> is <c>$</c>; <c>%NAME%</c>, <c>${NAME}</c> and <c>$NAME</c> (a name of ASCII letters, digits, <c>_</c>
    /// and <c>-</c>) are replaced by the variable's value, or kept as written when it is not set; a <c>%</c> or
    /// <c>${</c> never closed keeps the rest as written. A value is not expanded again.
    /// </summary>
    internal static string ExpandWindows(IEnvironmentVariables environment, string path)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(path);
        var expanded = new System.Text.StringBuilder(path.Length);
        var i = 0;
        while (i < path.Length)
        {
            var next = i + 1 < path.Length ? path[i + 1] : '\0';
            switch (path[i])
            {
                case '\'':
                    var quoted = path.IndexOf('\'', i + 1);
                    i = Keep(expanded, path, i, quoted < 0 ? path.Length : quoted + 1);
                    break;
                case '%' when next == '%':
                case '$' when next == '$':
                    expanded.Append(next);
                    i += 2;
                    break;
                case '%':
                    i = Replace(expanded, environment, path, i, i + 1, path.IndexOf('%', i + 1));
                    break;
                case '$' when next == '{':
                    i = Replace(expanded, environment, path, i, i + 2, path.IndexOf('}', i + 2));
                    break;
                case '$':
                    var end = i + 1;
                    while (end < path.Length && (char.IsAsciiLetterOrDigit(path[end]) || path[end] is '_' or '-'))
                    {
                        end++;
                    }

                    var name = path[(i + 1)..end];
                    expanded.Append(name.Length > 0 && environment.GetEnvironmentVariable(name) is { } value ? value : path[i..end]);
                    i = end;
                    break;
                default:
                    expanded.Append(path[i]);
                    i++;
                    break;
            }
        }

        return expanded.ToString();

        static int Keep(System.Text.StringBuilder expanded, string path, int start, int end)
        {
            expanded.Append(path, start, end - start);
            return end;
        }

        // A reference from start whose name runs from nameStart to the closing character at close (-1: never closed,
        // and the rest is kept as written); an unset variable's reference is kept as written, closing character and all.
        static int Replace(System.Text.StringBuilder expanded, IEnvironmentVariables environment, string path, int start, int nameStart, int close)
        {
            if (close < 0)
            {
                return Keep(expanded, path, start, path.Length);
            }

            var name = path[nameStart..close];
            if (name.Length > 0 && environment.GetEnvironmentVariable(name) is { } value)
            {
                expanded.Append(value);
                return close + 1;
            }

            return Keep(expanded, path, start, close + 1);
        }
    }

    /// <summary>
    /// <paramref name="path"/> with each <c>$NAME</c> (<c>NAME</c> of ASCII letters, digits and <c>_</c>) and
    /// <c>${NAME}</c> replaced by that variable's value, as Python's <c>posixpath.expandvars</c> does: a variable that
    /// is not set is left as written, one set to the empty string is replaced by it, and a value is not expanded again.
    /// </summary>
    internal static string ExpandPosix(IEnvironmentVariables environment, string path)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(path);
        var expanded = new System.Text.StringBuilder(path.Length);
        var i = 0;
        while (i < path.Length)
        {
            var dollar = path.IndexOf('$', i);
            if (dollar < 0)
            {
                break;
            }

            expanded.Append(path, i, dollar - i);
            var (name, end) = VariableAt(path, dollar + 1);
            if (!string.IsNullOrEmpty(name) && environment.GetEnvironmentVariable(name) is { } value)
            {
                expanded.Append(value);
            }
            else
            {
                // Not a variable reference, or one of a variable that is not set: kept as written, and the search
                // goes on after it ("$$HOME" keeps its first '$' and expands the second's name, as Python does).
                expanded.Append(path, dollar, end - dollar);
            }

            i = end;
        }

        return expanded.Append(path, i, path.Length - i).ToString();
    }

    /// <summary>The name after a '$' at <paramref name="start"/> and the index past the reference; a null name (and the index past the '$') when none follows.</summary>
    private static (string? Name, int End) VariableAt(string path, int start)
    {
        if (start < path.Length && path[start] == '{')
        {
            var close = path.IndexOf('}', start + 1);
            return close < 0 ? (null, start) : (path[(start + 1)..close], close + 1);
        }

        var end = start;
        while (end < path.Length && (char.IsAsciiLetterOrDigit(path[end]) || path[end] == '_'))
        {
            end++;
        }

        return end == start ? (null, start) : (path[start..end], end);
    }
}
