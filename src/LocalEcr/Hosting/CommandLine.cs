using System.Globalization;

namespace LocalEcr.Hosting;

/// <summary>
/// Parses <c>--port --host --account --access-key --secret-key --partition --data-dir --restore-seconds --signing-seconds --spare-uploads</c>.
/// <c>--account ID:ACCESS_KEY:SECRET_KEY[:PARTITION]</c> is repeatable (the first is the default account);
/// <c>--account ID</c> names the default account, whose keys are <c>--access-key</c> and <c>--secret-key</c> and
/// whose partition is <c>--partition</c>. An account's partition defaults to <c>aws</c>.
/// </summary>
internal static class CommandLine
{
    public const string Usage = "usage: LocalEcr [--port N] [--host IP] [--account 12DIGITS[:ACCESS_KEY:SECRET_KEY[:PARTITION]]]... [--access-key K] [--secret-key S] [--partition P] [--data-dir PATH] [--restore-seconds N] [--signing-seconds N] [--spare-uploads on|off]";

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "--port", "--host", "--account", "--access-key", "--secret-key", "--partition", "--data-dir", "--restore-seconds", "--signing-seconds", "--spare-uploads",
    };

    /// <summary><c>--help</c> or <c>-h</c> alone: the usage is printed on stdout and the server not started.</summary>
    public static bool IsHelp(IReadOnlyList<string> args) => args is [var only] && only is "--help" or "-h";

    public static bool TryParse(IReadOnlyList<string> args, out LocalEcrOptions options, out string? error)
    {
        options = new LocalEcrOptions();
        error = null;
        var accounts = 0;
        string? defaultPartition = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Count)
            {
                value = args[i + 1];
                i++;
            }

            // An unknown word is named as such before its value is looked for: last on the line ("--help", a typo),
            // it was reported as an option that "needs a value".
            if (!Names.Contains(name))
            {
                error = $"LocalEcr: unknown option '{name}'. {Usage}";
                return false;
            }

            if (value is null)
            {
                error = $"LocalEcr: option '{name}' needs a value. {Usage}";
                return false;
            }

            switch (name)
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
                    options.Port = port;
                    break;
                case "--port":
                    error = $"LocalEcr: --port must be a number from 0 to 65535, not '{value}'.";
                    return false;
                case "--host":
                    options.Host = value;
                    break;
                case "--account" when ParseAccount(value) is { } account:
                    if (accounts++ == 0)
                    {
                        options.AccountId = account.AccountId;
                        options.AccessKey = account.AccessKey.Length > 0 ? account.AccessKey : options.AccessKey;
                        options.SecretKey = account.SecretKey.Length > 0 ? account.SecretKey : options.SecretKey;
                        if (account.Partition.Length > 0 && !TrySetDefaultPartition(ref defaultPartition, account.Partition, out error))
                        {
                            return false;
                        }
                    }
                    else if (account.AccessKey.Length == 0)
                    {
                        error = "LocalEcr: a second --account needs its keys: --account ID:ACCESS_KEY:SECRET_KEY.";
                        return false;
                    }
                    else
                    {
                        options.OtherAccounts.Add(account.Partition.Length > 0 ? account : account with { Partition = "aws" });
                    }

                    break;
                case "--account":
                    error = "LocalEcr: --account must be 12 digits, or ID:ACCESS_KEY:SECRET_KEY[:PARTITION].";
                    return false;
                case "--partition" when value.Length > 0:
                    if (!TrySetDefaultPartition(ref defaultPartition, value, out error))
                    {
                        return false;
                    }

                    break;
                case "--access-key" when value.Length > 0:
                    options.AccessKey = value;
                    break;
                case "--secret-key" when value.Length > 0:
                    options.SecretKey = value;
                    break;
                case "--data-dir" when value.Length > 0:
                    options.DataDirectory = value;
                    break;
                case "--restore-seconds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                    options.RestoreDuration = TimeSpan.FromSeconds(seconds);
                    break;
                case "--restore-seconds":
                    error = $"LocalEcr: --restore-seconds must be a whole number of seconds, 0 or more, not '{value}'.";
                    return false;
                case "--signing-seconds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var signing):
                    options.SigningDuration = TimeSpan.FromSeconds(signing);
                    break;
                case "--signing-seconds":
                    error = $"LocalEcr: --signing-seconds must be a whole number of seconds, 0 or more, not '{value}'.";
                    return false;
                case "--spare-uploads" when value is "on" or "off":
                    options.SpareUploads = value == "on";
                    break;
                case "--spare-uploads":
                    error = $"LocalEcr: --spare-uploads must be 'on' or 'off', not '{value}'.";
                    return false;
                default:
                    // Only a known option reaches here, with an empty value (--data-dir "", an unset variable).
                    error = $"LocalEcr: option '{name}' needs a non-empty value. {Usage}";
                    return false;
            }
        }

        options.Partition = defaultPartition ?? options.Partition;
        foreach (var (id, partition) in options.OtherAccounts.Select(a => (a.AccountId, a.Partition)).Prepend((options.AccountId, options.Partition)))
        {
            if (LocalEcrServer.PartitionError(id, partition) is { } partitionError)
            {
                error = "LocalEcr: " + partitionError;
                return false;
            }
        }

        var ids = options.OtherAccounts.Select(a => a.AccountId).Append(options.AccountId).ToList();
        var keys = options.OtherAccounts.Select(a => a.AccessKey).Append(options.AccessKey).ToList();
        if (ids.Distinct().Count() != ids.Count || keys.Distinct().Count() != keys.Count)
        {
            error = "LocalEcr: each --account id and access key may appear once.";
            return false;
        }

        try
        {
            LocalEcrServer.ParseHost(options.Host);
        }
        catch (ArgumentException)
        {
            error = $"LocalEcr: --host must be an IP address or 'localhost', not '{options.Host}'.";
            return false;
        }

        return true;
    }

    // The default account's partition may come from the first --account or from --partition: once, or twice alike.
    private static bool TrySetDefaultPartition(ref string? current, string partition, out string? error)
    {
        error = current is null || current == partition
            ? null
            : $"LocalEcr: the default account's partition is given twice, '{current}' and '{partition}'.";
        current ??= partition;
        return error is null;
    }

    // ID, or ID:ACCESS_KEY:SECRET_KEY[:PARTITION] (a secret key has no ':', AWS's are base64 letters and '/', '+').
    // An empty Partition means none was given.
    private static LocalEcrAccount? ParseAccount(string value)
    {
        var parts = value.Split(':');
        var id = parts[0];
        if (id.Length != 12 || !id.All(char.IsAsciiDigit))
        {
            return null;
        }

        return parts.Length switch
        {
            1 => new LocalEcrAccount(id, string.Empty, string.Empty, string.Empty),
            3 when parts[1].Length > 0 && parts[2].Length > 0 => new LocalEcrAccount(id, parts[1], parts[2], string.Empty),
            4 when parts[1].Length > 0 && parts[2].Length > 0 && parts[3].Length > 0 => new LocalEcrAccount(id, parts[1], parts[2], parts[3]),
            _ => null,
        };
    }
}
